"""Run a program over pipes and keep what it writes, under a total cap and an idle cut-off.

For tools that answer one command and (should) exit: stdin is closed, the child runs in its
own process group (``kit.processes.spawn_group``: on the run's kill list until reaped) and
the whole group is stopped on every way out — exit, total cap, idle cut-off, output cap,
Ctrl-C — with SIGTERM, then SIGKILL after ``grace``. Some tools keep running after their
answer, so the caller's caps always end the read.
"""

import threading
import time
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, List, Mapping, Optional, Sequence, Tuple

from .processes import TERM_GRACE, spawn_group, terminate_group

if TYPE_CHECKING:
    import queue

#: How a capture ended: the program exited (and closed its output),
EXITED = "exited"
#: the total time was up,
TIMEOUT = "timeout"
#: it wrote nothing for the idle cut-off after it had started writing,
IDLE = "idle"
#: or it wrote more than the output cap.
OVERFLOW = "overflow"

#: Bytes kept at most from both streams together (a runaway program is cut off there).
MAX_OUTPUT = 1_000_000
READ_SIZE = 65536
#: Once both streams are closed, how long to wait for the exit status.
REAP = 0.5


@dataclass(frozen=True)
class Captured:
    """What a program wrote (decoded, UTF-8 with replacement) and how the run ended."""

    stdout: str
    stderr: str
    #: ``exited``, ``timeout``, ``idle`` or ``overflow``.
    ended: str
    #: The exit status when the program exited by itself, else None.
    returncode: Optional[int] = None
    #: Seconds from start to the end of the read (before the clean-up).
    elapsed: float = 0.0

    @property
    def timed_out(self) -> bool:
        return self.ended == TIMEOUT

    @property
    def silent(self) -> bool:
        """Nothing at all on either stream."""
        return not self.stdout and not self.stderr

    @property
    def text(self) -> str:
        """Both streams, stdout first."""
        if self.stdout and self.stderr:
            return f"{self.stdout}\n{self.stderr}"
        return self.stdout or self.stderr


def run_captured(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    total: float,
    cwd: Optional[str] = None,
    idle: Optional[float] = None,
    max_output: int = MAX_OUTPUT,
    grace: float = TERM_GRACE,
) -> Captured:
    """Run ``argv`` with stdin closed until it exits or a cap is reached; its group is killed.

    ``total`` seconds after the start the read ends whatever happens; ``idle`` (None: never)
    ends it after that long without new output, counted only once output has started.
    Raises OSError when the program cannot be started.
    """
    import queue
    import subprocess

    started = time.monotonic()
    deadline = started + max(0.0, total)
    process = spawn_group(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=dict(env),
    )
    chunks: queue.Queue[Tuple[int, Optional[bytes]]] = queue.Queue()
    readers: List[Tuple[IO[bytes], threading.Thread]] = []
    try:
        assert process.stdout is not None and process.stderr is not None
        for index, stream in enumerate((process.stdout, process.stderr)):
            reader = threading.Thread(target=_pump, args=(index, stream, chunks), daemon=True)
            reader.start()
            readers.append((stream, reader))
        parts: Tuple[List[bytes], List[bytes]] = ([], [])
        ended, size, open_streams = EXITED, 0, 2
        last_output: Optional[float] = None
        while open_streams:
            now = time.monotonic()
            wait = deadline - now
            if wait <= 0:
                ended = TIMEOUT
                break
            if idle is not None and last_output is not None:
                idle_left = last_output + idle - now
                if idle_left <= 0:
                    ended = IDLE
                    break
                wait = min(wait, idle_left)
            try:
                index, data = chunks.get(timeout=wait)
            except queue.Empty:
                continue
            if data is None:
                open_streams -= 1
                continue
            parts[index].append(data)
            size += len(data)
            last_output = time.monotonic()
            if size >= max_output:
                ended = OVERFLOW
                break
        returncode = _exit_status(process, deadline) if ended == EXITED else None
        if ended == EXITED and returncode is None:
            ended = TIMEOUT  # closed its output but would not exit before the deadline
        elapsed = time.monotonic() - started
    finally:
        terminate_group(process, grace=grace)
        _close(readers)
    return Captured(_decode(parts[0]), _decode(parts[1]), ended, returncode, elapsed)


def _pump(
    index: int, stream: IO[bytes], chunks: "queue.Queue[Tuple[int, Optional[bytes]]]"
) -> None:
    """Reader thread: every chunk of one stream into the queue, None at its end."""
    import os

    try:
        fd = stream.fileno()
        while True:
            data = os.read(fd, READ_SIZE)
            if not data:
                break
            chunks.put((index, data))
    except (OSError, ValueError):
        pass
    finally:
        chunks.put((index, None))


def _exit_status(process: Any, deadline: float) -> Optional[int]:
    import subprocess

    try:
        return int(process.wait(timeout=max(0.0, min(REAP, deadline - time.monotonic()))))
    except subprocess.TimeoutExpired:
        return None


def _close(readers: List[Tuple[IO[bytes], threading.Thread]]) -> None:
    # A pipe is closed only once its reader is done with it: a grandchild that left the group
    # may still hold it open, and its reader (a daemon) then keeps it until the process ends.
    for stream, reader in readers:
        reader.join(timeout=REAP)
        if not reader.is_alive():
            try:
                stream.close()
            except OSError:
                pass


def _decode(parts: List[bytes]) -> str:
    return b"".join(parts).decode("utf-8", "replace")


__all__ = ["EXITED", "IDLE", "MAX_OUTPUT", "OVERFLOW", "TIMEOUT", "Captured", "run_captured"]
