"""Read another tool's SQLite database without changing a byte of any of its files.

``mode=ro`` is not enough for a database in WAL mode: a reader still writes its read marks
into the ``-shm`` file (and creates ``-shm``/``-wal`` when they are missing). Such a
database, or one whose owner holds a lock, is read through a private copy of the database
and its ``-wal`` (where the newest rows may be); the copy rebuilds its own index. A database
in rollback-journal mode is opened ``mode=ro`` in place (readers only take shared locks).
"""

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

#: Byte 18 of the header: the file format's write version, 2 for WAL.
_WAL_VERSION_OFFSET = 18


@contextmanager
def open_untouched(path: Path) -> Iterator[Any]:
    """A ``sqlite3`` connection reading ``path`` (in place or a copy), never writing it.

    Raises OSError when the file is missing or cannot be copied, ``sqlite3.Error`` when it is
    not a database.
    """
    if not path.is_file():
        raise FileNotFoundError(str(path))
    if uses_wal(path):
        from .cookies.sqlite_copy import opened_copy

        with opened_copy(path) as connection:
            yield connection
        return
    from .sqlite import open_readonly

    with open_readonly(path) as connection:
        yield connection


def uses_wal(path: Path) -> bool:
    """Whether ``path`` is (or may be, by its ``-wal``/``-shm`` files) a WAL database."""
    for suffix in ("-wal", "-shm"):
        if path.with_name(path.name + suffix).exists():
            return True
    try:
        with open(path, "rb") as handle:
            header = handle.read(_WAL_VERSION_OFFSET + 1)
    except OSError:
        return False
    return len(header) > _WAL_VERSION_OFFSET and header[_WAL_VERSION_OFFSET] == 2


def read_value(path: Path, query: str, parameters: tuple = ()) -> Any:  # type: ignore[type-arg]
    """The first column of the first row of ``query``, or None when there is no row."""
    with open_untouched(path) as connection:
        row = connection.execute(query, parameters).fetchone()
    return row[0] if row else None


__all__ = ["open_untouched", "read_value", "uses_wal"]
