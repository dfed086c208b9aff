"""Atomic file writes and tolerant JSON reads for everything vibeusage keeps on disk.

Only ``os`` and ``json`` at import: Claude Code's statusline hook writes through here on
every prompt.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Any, Optional, Tuple, Union

    PathLike = Union[str, "os.PathLike[str]"]

#: Attempts at a unique temporary name before giving up (collisions are astronomically rare).
_TEMP_ATTEMPTS = 100
_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def atomic_write_bytes(path: PathLike, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` so that readers see either the old file or the whole new one.

    The bytes go to a temporary file in the same directory, are flushed to disk, and the
    file is renamed over the target; a failure leaves the target untouched and removes
    the temporary file.
    """
    target = os.fspath(path)
    directory, name = os.path.split(os.path.abspath(target))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_name = _unique_temp(directory, name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise


def _unique_temp(directory: str, name: str) -> Tuple[int, str]:
    """A new private file ``.<name>.<random>.tmp`` beside the target (several writers at once)."""
    for _ in range(_TEMP_ATTEMPTS):
        tmp_name = os.path.join(directory, f".{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(tmp_name, _FLAGS, 0o600), tmp_name
        except FileExistsError:
            continue
    raise FileExistsError(f"no unique temporary name for {name} in {directory}")


def atomic_write_text(path: PathLike, text: str, mode: int = 0o644) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def atomic_write_json(path: PathLike, data: Any, mode: int = 0o644) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode)


def read_json(path: PathLike) -> Optional[Any]:
    """The parsed JSON content of a file, or None when it is missing, unreadable or invalid."""
    try:
        with open(path, "rb") as handle:
            return json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
