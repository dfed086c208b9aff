"""Read a browser's SQLite cookie database without touching it: copy it, then query the copy.

Firefox holds ``cookies.sqlite`` under an exclusive lock while it runs, and Chromium may be
writing ``Cookies``: a copy (with its ``-wal`` file, where the newest rows may still be)
in a private temporary folder is read instead, and removed afterwards.
"""

import os
import shutil
import stat
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

#: The largest cookie database copied. Real ones are a few MiB; a bigger file (a sparse or
#: runaway one) is not worth the disk and the seconds a copy would cost.
MAX_DATABASE = 64 * 1024 * 1024


class TooLargeToCopy(OSError):
    """The database is larger than :data:`MAX_DATABASE`."""


class NotARegularFile(OSError):
    """A FIFO, device or directory where the database should be (copying it could block)."""


def check_copyable(path: Path, limit: int = MAX_DATABASE) -> None:
    """Raise unless ``path`` is a regular file of at most ``limit`` bytes (links followed)."""
    info = os.stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise NotARegularFile(f"{path} is not a regular file")
    if info.st_size > limit:
        raise TooLargeToCopy(f"{path} is {info.st_size} bytes, more than {limit}")


@contextmanager
def opened_copy(path: Path) -> Iterator[Any]:
    """A ``sqlite3`` connection to a private copy of the database at ``path``.

    Raises OSError when the file cannot be copied (also when it is not a regular file or is
    larger than :data:`MAX_DATABASE`); queries raise sqlite3.Error when it is not a
    database or lacks a table.
    """
    import sqlite3

    check_copyable(path)
    with tempfile.TemporaryDirectory(prefix="vibeusage-cookies-") as folder:
        copy = Path(folder) / "cookies.db"
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.is_file():
            try:
                check_copyable(wal)
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            except OSError:
                pass  # the main file alone is still a consistent database
        connection = sqlite3.connect(str(copy), timeout=1.0)
        try:
            yield connection
        finally:
            connection.close()


def has_table(connection: Any, table: str) -> bool:
    """Whether the database behind ``connection`` has a table of that name."""
    row = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).fetchone()
    return row is not None
