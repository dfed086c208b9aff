"""Read a browser's SQLite cookie database without touching it: copy it, then query the copy.

Firefox holds ``cookies.sqlite`` under an exclusive lock while it runs, and Chromium may be
writing ``Cookies``: a copy (with its ``-wal`` file, where the newest rows may still be)
in a private temporary folder is read instead, and removed afterwards.
"""

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator


@contextmanager
def opened_copy(path: Path) -> Iterator[Any]:
    """A ``sqlite3`` connection to a private copy of the database at ``path``.

    Raises OSError when the file cannot be copied; queries raise sqlite3.Error when it is
    not a database or lacks a table.
    """
    import sqlite3

    with tempfile.TemporaryDirectory(prefix="vibeusage-cookies-") as folder:
        copy = Path(folder) / "cookies.db"
        shutil.copyfile(path, copy)
        wal = path.with_name(path.name + "-wal")
        if wal.is_file():
            try:
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
