"""Advisory file locks with a bounded wait, so that overlapping runs (a cron job and a person
at a terminal) take turns on read-modify-write state and never refresh a login twice."""

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

POLL = 0.05


@contextmanager
def file_lock(path: Path, timeout: float) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` (created 0600); yields whether it was acquired.

    Waits at most ``timeout`` seconds. A lock that cannot be had (timeout, a file system
    without locks) yields False: callers carry on without it, since every file they write
    is replaced atomically anyway; the lock only avoids lost updates and duplicated work.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(str(path), os.O_RDWR | os.O_CREAT, 0o600)
    except OSError:
        yield False
        return
    acquired = False
    try:
        acquired = _acquire(fd, timeout)
        yield acquired
    finally:
        if acquired:
            _release(fd)
        os.close(fd)


def _acquire(fd: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if sys.platform.startswith("win"):
                import msvcrt

                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            else:
                import fcntl

                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except (BlockingIOError, PermissionError):
            pass  # held by another process: wait a little
        except OSError:
            return False  # locking unsupported here
        if time.monotonic() >= deadline:
            return False
        time.sleep(POLL)


def _release(fd: int) -> None:
    try:
        if sys.platform.startswith("win"):
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)
    except OSError:
        pass
