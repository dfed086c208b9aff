"""kit.sqlite_untouched: another tool's database is read without changing any of its files."""

import os
import sqlite3
from pathlib import Path
from typing import Dict, Tuple

import pytest

from vibeusage.kit.sqlite_untouched import open_untouched, read_value, uses_wal


def files_state(folder: Path) -> Dict[str, Tuple[bytes, int]]:
    """Bytes and mtime of every file in ``folder``."""
    return {p.name: (p.read_bytes(), os.stat(p).st_mtime_ns) for p in sorted(folder.iterdir())}


def make_db(path: Path, wal: bool) -> sqlite3.Connection:
    path.parent.mkdir(exist_ok=True)
    writer = sqlite3.connect(str(path))
    if wal:
        writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT)")
    writer.execute("INSERT INTO kv VALUES ('a', 'checkpointed')")
    writer.commit()
    return writer


def test_a_rollback_journal_database_is_read_in_place_unchanged(tmp_path: Path) -> None:
    tmp_path = tmp_path / "tool"
    path = tmp_path / "data.sqlite3"
    make_db(path, wal=False).close()
    before = files_state(tmp_path)
    assert not uses_wal(path)
    assert read_value(path, "SELECT value FROM kv WHERE key = ?", ("a",)) == "checkpointed"
    assert files_state(tmp_path) == before


def test_a_live_wal_database_is_read_through_a_copy_with_its_newest_rows(tmp_path: Path) -> None:
    tmp_path = tmp_path / "tool"
    path = tmp_path / "data.sqlite3"
    writer = make_db(path, wal=True)
    writer.execute("INSERT INTO kv VALUES ('b', 'only in the wal')")
    writer.commit()
    before = files_state(tmp_path)
    assert {"data.sqlite3-wal", "data.sqlite3-shm"} <= set(before)
    assert uses_wal(path)
    with open_untouched(path) as connection:
        rows = dict(connection.execute("SELECT key, value FROM kv").fetchall())
    assert rows == {"a": "checkpointed", "b": "only in the wal"}
    assert files_state(tmp_path) == before  # -shm included: no read marks written
    writer.close()


def test_a_wal_database_locked_exclusively_by_its_owner_is_still_read(tmp_path: Path) -> None:
    tmp_path = tmp_path / "tool"
    path = tmp_path / "data.sqlite3"
    writer = make_db(path, wal=True)
    writer.execute("PRAGMA locking_mode=EXCLUSIVE")
    writer.execute("BEGIN EXCLUSIVE")
    writer.execute("INSERT INTO kv VALUES ('c', 'uncommitted')")
    before = files_state(tmp_path)
    assert read_value(path, "SELECT count(*) FROM kv") == 1
    assert files_state(tmp_path) == before
    writer.rollback()
    writer.close()


def test_a_wal_header_without_side_files_is_recognised(tmp_path: Path) -> None:
    tmp_path = tmp_path / "tool"
    path = tmp_path / "data.sqlite3"
    make_db(path, wal=True).close()  # the last close checkpoints and removes -wal/-shm
    assert not (tmp_path / "data.sqlite3-wal").exists()
    assert uses_wal(path)
    before = files_state(tmp_path)
    assert read_value(path, "SELECT value FROM kv") == "checkpointed"
    assert files_state(tmp_path) == before


def test_missing_file_and_non_database_raise(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_value(tmp_path / "missing.sqlite3", "SELECT 1")
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"not a database at all" * 10)
    with pytest.raises(sqlite3.DatabaseError):
        read_value(junk, "SELECT 1 FROM kv")
