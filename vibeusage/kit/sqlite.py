"""Another tool's SQLite database, read-only: opened with ``mode=ro``, else through a copy.

An app that is running may hold its database locked (or in WAL mode with the newest rows
in ``-wal``); vibeusage never writes it and never waits long for it.
"""

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

#: Seconds to wait for a lock before reading a copy instead.
BUSY_TIMEOUT = 1.0


@contextmanager
def open_readonly(path: Path) -> Iterator[Any]:
    """A ``sqlite3`` connection that cannot write ``path``; a locked file is read as a copy.

    Raises OSError when the file is missing or cannot be copied, ``sqlite3.Error`` when
    it is not a database.
    """
    import sqlite3

    if not path.is_file():
        raise FileNotFoundError(str(path))
    if path.with_name(path.name + "-wal").exists():
        # In WAL mode even a read-only connection creates ``-shm`` (and may leave ``-wal``)
        # in the app's folder: read a private copy of the database and its log instead.
        from .cookies.sqlite_copy import opened_copy

        with opened_copy(path) as copy:
            yield copy
        return
    uri = f"{path.absolute().as_uri()}?mode=ro"
    connection = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT)
    try:
        connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError as exc:
        connection.close()
        if "locked" not in str(exc) and "busy" not in str(exc):
            raise
        from .cookies.sqlite_copy import opened_copy

        with opened_copy(path) as copy:
            yield copy
        return
    try:
        yield connection
    finally:
        connection.close()


def read_value(path: Path, query: str, parameters: tuple = ()) -> Any:  # type: ignore[type-arg]
    """The first column of the first row of ``query``, or None when there is no row."""
    with open_readonly(path) as connection:
        row = connection.execute(query, parameters).fetchone()
    return row[0] if row else None
