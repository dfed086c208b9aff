"""Another tool's SQLite database is read without leaving anything in its folder."""

import sqlite3

import pytest

from vibeusage.kit.sqlite import open_readonly, read_value


def _wal_database(path):
    """A WAL-mode database whose newest row is still in ``-wal`` (its writer keeps it open)."""
    writer = sqlite3.connect(str(path))
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")
    writer.execute("CREATE TABLE ItemTable (key TEXT, value TEXT)")
    writer.execute("INSERT INTO ItemTable VALUES ('token', 'newest')")
    writer.commit()
    return writer


def test_a_wal_database_is_read_with_its_newest_rows_and_the_folder_left_as_it_was(tmp_path):
    path = tmp_path / "app" / "state.vscdb"
    path.parent.mkdir()
    writer = _wal_database(path)
    try:
        before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
        assert "state.vscdb-wal" in before
        value = read_value(path, "SELECT value FROM ItemTable WHERE key = ?", ("token",))
        assert value == "newest"
        after = {p.name: p.read_bytes() for p in path.parent.iterdir()}
        assert after == before
    finally:
        writer.close()


def test_a_plain_database_is_opened_read_only(tmp_path):
    folder = tmp_path / "app"
    folder.mkdir()
    path = folder / "plain.db"
    connection = sqlite3.connect(str(path))
    connection.execute("CREATE TABLE t (v TEXT)")
    connection.commit()
    connection.close()
    with open_readonly(path) as readonly:
        with pytest.raises(sqlite3.OperationalError):
            readonly.execute("INSERT INTO t VALUES ('x')")
    assert sorted(p.name for p in folder.iterdir()) == ["plain.db"]


def test_a_missing_database_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        with open_readonly(tmp_path / "absent.db"):
            pass
