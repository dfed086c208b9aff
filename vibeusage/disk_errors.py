"""A file vibeusage could not write, said plainly: which file, and why (full, read-only, denied)."""

from __future__ import annotations

import errno

from .errors import VibeusageError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Optional

#: errno -> (why, what to do).
_WRITE_FAILURES = {
    errno.ENOSPC: ("the disk is full", "Free some space on that disk and run it again."),
    errno.EROFS: (
        "the file system is read-only",
        "Point VIBEUSAGE_CONFIG_DIR, VIBEUSAGE_CACHE_DIR or VIBEUSAGE_STATE_DIR (or -o) at a "
        "writable place.",
    ),
    errno.EACCES: ("permission denied", "Check the owner and mode of the file and its folder."),
    errno.EPERM: ("not permitted", "Check the owner and mode of the file and its folder."),
}
if hasattr(errno, "EDQUOT"):
    _WRITE_FAILURES[errno.EDQUOT] = (
        "the disk quota is exceeded",
        "Free some space (or raise the quota) and run it again.",
    )


def write_failure(exc: OSError, fallback_name: Optional[str] = None) -> Optional[VibeusageError]:
    """The error to show for ``exc`` when it is a file that could not be written, else None."""
    known = _WRITE_FAILURES.get(exc.errno or -1)
    if known is None:
        return None
    why, remedy = known
    name = exc.filename or fallback_name
    where = f"cannot write {name}" if name else "cannot write a file"
    return VibeusageError(f"{where}: {why}", remediation=remedy)
