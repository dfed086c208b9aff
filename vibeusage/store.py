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
    try:
        fd, tmp_name = _unique_temp(directory, name)
    except OSError as exc:
        raise _naming(exc, target) from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException as exc:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        if isinstance(exc, OSError) and exc.filename in (None, tmp_name):
            raise _naming(exc, target) from exc
        raise
    _remove_stale_temporaries(target)


def _naming(exc: OSError, target: str) -> OSError:
    """``exc`` about ``target`` (a failed write() names no file; the temporary is no use)."""
    if exc.errno is None:
        return exc
    return OSError(exc.errno, exc.strerror, target)  # the errno's own subclass


#: A temporary file of an atomic write older than this was left by a killed run.
STALE_TEMPORARY = 600.0


def _remove_stale_temporaries(target: str) -> None:
    """Remove what writes of ``target`` killed before their rename left behind."""
    import time

    directory, name = os.path.split(os.path.abspath(target))
    cutoff = time.time() - STALE_TEMPORARY
    try:
        entries = os.listdir(directory)
    except OSError:
        return
    for entry in entries:
        if not (entry.startswith(f".{name}.") and entry.endswith(".tmp")):
            continue
        leftover = os.path.join(directory, entry)
        try:
            if os.path.isfile(leftover) and os.stat(leftover).st_mtime < cutoff:
                os.unlink(leftover)
        except OSError:
            pass


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


def write_output_file(path: PathLike, text: str) -> None:
    """``-o FILE``: atomically for a file, directly for anything else that exists there.

    ``/dev/stdout``, a FIFO or a terminal cannot be renamed over (as root it would be
    replaced by a regular file): those are written to as they are.
    """
    # Through a symlink to its target; an existing file keeps its mode, a new one is 0600
    # (it holds emails); a missing directory is the caller's mistake, never created.
    target = os.path.realpath(os.fspath(path))
    if os.path.exists(target) and not os.path.isfile(target):
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    directory = os.path.dirname(target)
    if not os.path.isdir(directory):
        raise MissingDirectory(directory)
    import stat

    mode = stat.S_IMODE(os.stat(target).st_mode) if os.path.isfile(target) else 0o600
    atomic_write_text(target, text, mode)


class MissingDirectory(OSError):
    """``-o FILE`` names a file in a directory that does not exist."""

    def __init__(self, directory: PathLike) -> None:
        super().__init__(f"{os.fspath(directory)}: no such directory")
        self.filename = os.fspath(directory)
        self.strerror = "no such directory"


def atomic_write_json(path: PathLike, data: Any, mode: int = 0o644) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, sort_keys=True) + "\n", mode)


#: The largest file of its own vibeusage reads (a cache entry, a gate, a stored token).
MAX_OWN_FILE = 1024 * 1024


class NotARegularFile(OSError):
    """A FIFO, a device, a directory or an oversized file where a small file should be."""

    def __init__(self, path: PathLike, reason: str) -> None:
        super().__init__(f"{os.fspath(path)}: {reason}")
        self.filename = os.fspath(path)
        self.strerror = reason  # what callers show after the file's name


def read_bounded(path: PathLike, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes, read without ever blocking.

    Opened non-blocking (a FIFO in place of the file cannot hang the run) and checked with
    ``fstat`` after opening (a symlink to ``/dev/zero`` is not read until memory runs out);
    raises :class:`NotARegularFile` for anything but a small regular file, OSError as usual.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(os.fspath(path), flags)
    try:
        import stat

        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotARegularFile(path, "not a regular file")
        if info.st_size > limit:
            raise NotARegularFile(path, f"{info.st_size} bytes, too large for such a file")
        chunks = []
        left = limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 65536))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise NotARegularFile(path, "it grew too large while being read")
        return data
    finally:
        os.close(fd)


def read_json(path: PathLike, limit: int = MAX_OWN_FILE) -> Optional[Any]:
    """The parsed JSON content of a file, or None when it is missing, unreadable or invalid."""
    try:
        return json.loads(read_bounded(path, limit).decode("utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
