"""Run a tool once and collect what it printed, under a hard time cap, killed with its group.

For tools that answer and exit (a keyring lookup, ``auggie account status --json``): the
child gets its own process group (``processes.spawn_group``), stdin closed, the caller's
environment and folder; its output is read by two threads into bounded buffers, so a tool
that floods its pipes neither blocks nor fills memory. Whatever happens, the group is
terminated before this returns.
"""

import threading
import time
from dataclasses import dataclass
from typing import IO, List, Mapping, Optional, Sequence

from .processes import spawn_group, terminate_group

#: Bytes kept of each stream; the rest is read and dropped.
MAX_OUTPUT = 1024 * 1024
_CHUNK = 65536


@dataclass(frozen=True)
class ToolRun:
    """How one run ended: its exit code (None when it was stopped) and its output."""

    returncode: Optional[int]
    stdout: bytes
    stderr: bytes
    timed_out: bool = False
    #: A stream had more than ``MAX_OUTPUT`` bytes (the rest was dropped).
    truncated: bool = False


def run_captured(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    timeout: float,
    cwd: Optional[str] = None,
    max_output: int = MAX_OUTPUT,
) -> ToolRun:
    """Run ``argv`` to its end or for at most ``timeout`` seconds; OSError if it cannot start."""
    import subprocess

    process = spawn_group(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=dict(env),
    )
    assert process.stdout is not None and process.stderr is not None
    out = _Drain(process.stdout, max_output)
    err = _Drain(process.stderr, max_output)
    timed_out = False
    deadline = time.monotonic() + max(0.0, timeout)
    try:
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
    finally:
        terminate_group(process)
    # The group is gone: the pipes reach their end at once (unless a grandchild escaped it).
    for drain in (out, err):
        drain.join(0.5 if timed_out else max(0.5, deadline - time.monotonic()))
    return ToolRun(
        None if timed_out else process.returncode,
        out.data(),
        err.data(),
        timed_out=timed_out,
        truncated=out.truncated or err.truncated,
    )


class _Drain:
    """A thread reading one pipe to its end, keeping its first ``limit`` bytes."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        self._stream = stream
        self._limit = limit
        self._parts: List[bytes] = []
        self._kept = 0
        self.truncated = False
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            while True:
                chunk = self._stream.read(_CHUNK)
                if not chunk:
                    break
                room = self._limit - self._kept
                if room > 0:
                    self._parts.append(chunk[:room])
                    self._kept += min(room, len(chunk))
                if len(chunk) > room:
                    self.truncated = True
        except (OSError, ValueError):
            pass

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
        if not self._thread.is_alive():
            try:
                self._stream.close()
            except OSError:
                pass

    def data(self) -> bytes:
        return b"".join(self._parts)
