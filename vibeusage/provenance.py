"""Which credential file this thread read last, so an error about a value can name its file.

A token with a character HTTP headers cannot carry fails deep inside ``requests``, where
nothing knows where the value came from; the readers of credential files note the path here.
"""

from pathlib import Path
from typing import Any, Optional

_local: Any = None


def note_credential_file(path: Path) -> None:
    """Remember ``path`` as the credential file this thread read most recently."""
    global _local
    if _local is None:
        import threading

        _local = threading.local()
    _local.path = path


def last_credential_file() -> Optional[Path]:
    """The credential file this thread read most recently, if any."""
    found: Optional[Path] = getattr(_local, "path", None) if _local is not None else None
    return found
