"""Atomic file writes and tolerant JSON reads for everything vibeusage keeps on disk."""

import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any, Optional, Union

PathLike = Union[str, "os.PathLike[str]"]


def atomic_write_bytes(path: PathLike, data: bytes, mode: int = 0o644) -> None:
    """Write ``data`` so that readers see either the old file or the whole new one.

    The bytes go to a temporary file in the same directory, are flushed to disk, and the
    file is renamed over the target; a failure leaves the target untouched and removes
    the temporary file.
    """
    target = Path(path)
    directory = target.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=str(directory))
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
    _remove_stale_temporaries(target)


#: A temporary file of an atomic write older than this was left by a killed run.
STALE_TEMPORARY = 600.0


def _remove_stale_temporaries(target: Path) -> None:
    """Remove what writes of ``target`` killed before their rename left behind."""
    import time

    cutoff = time.time() - STALE_TEMPORARY
    try:
        for leftover in target.parent.glob(f".{target.name}.*.tmp"):
            try:
                if leftover.is_file() and leftover.stat().st_mtime < cutoff:
                    leftover.unlink()
            except OSError:
                pass
    except OSError:
        pass


def atomic_write_text(path: PathLike, text: str, mode: int = 0o644) -> None:
    atomic_write_bytes(path, text.encode("utf-8"), mode)


def write_output_file(path: PathLike, text: str) -> None:
    """``-o FILE``: atomically for a file, directly for anything else that exists there.

    ``/dev/stdout``, a FIFO or a terminal cannot be renamed over (as root it would be
    replaced by a regular file): those are written to as they are.
    """
    # Through a symlink to its target; an existing file keeps its mode, a new one is 0600
    # (it holds emails); a missing directory is the caller's mistake, never created.
    target = Path(os.path.realpath(path))
    if target.exists() and not target.is_file():
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    if not target.parent.is_dir():
        raise MissingDirectory(target.parent)
    mode = stat.S_IMODE(target.stat().st_mode) if target.is_file() else 0o600
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
