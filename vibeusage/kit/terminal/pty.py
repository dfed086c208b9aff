"""Drive a program in a pseudo-terminal: start it, read its screen, type into it, stop it.

POSIX only. The program runs in its own process group (``kit.processes.spawn_group``: it is on
the list of children killed at exit) with a terminal of the given size. What it writes is
decoded (UTF-8, undecodable bytes replaced) and replayed on a :class:`Screen`. A session
ends when the program exits, the total time is up, the program stays idle too long or it
writes more than the output cap; closing the session kills the program and everything it
started. The waits are :class:`Timings`, so tests run with tiny ones.
"""

import codecs
import errno
import logging
import os
import select
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Union

from ..processes import spawn_group, terminate_group
from .screen import COLUMNS, ROWS, SCROLLBACK, Screen

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger(__name__)

#: How a session ended: the caller was done with it,
STOPPED = "stopped"
#: the program exited (or closed its terminal),
EXITED = "exited"
#: the total time was up,
TIMEOUT = "timeout"
#: nothing happened (no output, no typing) for the idle cut-off,
IDLE = "idle"
#: or the program wrote more than the output cap.
OVERFLOW = "overflow"

#: Characters of output read at most (a runaway program is cut off there).
MAX_OUTPUT = 4_000_000
READ_SIZE = 65536


@dataclass(frozen=True)
class Timings:
    """How long a session waits, in seconds (tests pass tiny values instead of sleeping)."""

    #: The longest one read waits before the caller gets to look at the screen again.
    tick: float = 0.05
    #: No output for this long: the screen is drawn (the default of ``wait_quiet``).
    quiet: float = 0.3
    #: Between two typed chunks (a single chunk would be taken for a paste).
    type_delay: float = 0.25
    #: Once the program closed its terminal, how long to wait for its exit status.
    reap: float = 0.5


@dataclass(frozen=True)
class TerminalResult:
    """What a session saw and how it ended."""

    #: Everything the program wrote, decoded.
    output: str
    #: The final screen, scrollback first (:meth:`Screen.text`).
    screen: str
    #: ``stopped``, ``exited``, ``timeout``, ``idle`` or ``overflow``.
    ended: str
    #: The exit status when the program exited by itself, else None.
    returncode: Optional[int] = None

    @property
    def timed_out(self) -> bool:
        """The total time was up before the program or the caller was done."""
        return self.ended == TIMEOUT

    @property
    def exited(self) -> bool:
        """The program exited (or closed its terminal) by itself."""
        return self.ended == EXITED

    @property
    def cut_off(self) -> bool:
        """Stopped by the idle cut-off or the output cap."""
        return self.ended in (IDLE, OVERFLOW)


class StartError(Exception):
    """The program could not be started: no pseudo-terminal, or the program itself."""

    def __init__(self, what: str, cause: OSError) -> None:
        #: ``terminal`` (no pseudo-terminal could be opened) or ``program`` (it did not start).
        self.what = what
        self.cause = cause
        super().__init__(f"cannot start the {what}: {self.reason}")

    @property
    def reason(self) -> str:
        """The system's words for what went wrong."""
        return self.cause.strerror or str(self.cause)


def terminal_environment(
    environ: Mapping[str, str],
    rows: int = ROWS,
    columns: int = COLUMNS,
    term: str = "xterm-256color",
) -> Dict[str, str]:
    """``environ`` plus the variables telling a program what terminal it has."""
    env = dict(environ)
    env["TERM"] = term
    env["COLUMNS"] = str(columns)
    env["LINES"] = str(rows)
    return env


def open_terminal(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Optional[str] = None,
    rows: int = ROWS,
    columns: int = COLUMNS,
    total: float = 30.0,
    idle: Optional[float] = None,
    max_output: int = MAX_OUTPUT,
    timings: Optional[Timings] = None,
    scrollback: int = SCROLLBACK,
) -> "TerminalSession":
    """Start ``argv`` in a ``columns`` x ``rows`` pseudo-terminal; use the result in ``with``.

    ``total`` seconds from now the session ends whatever happens; ``idle`` (None: never)
    ends it after that long without output or typing. Raises :class:`StartError` only.
    """
    deadline = time.monotonic() + max(0.0, total)
    if not argv:
        raise StartError("program", OSError(errno.ENOENT, "no program given"))
    if not hasattr(os, "openpty"):
        raise StartError("terminal", OSError(errno.ENOSYS, "no pseudo-terminals here"))
    try:
        master, slave = os.openpty()
    except OSError as exc:
        raise StartError("terminal", exc) from exc
    process: Optional[subprocess.Popen[Any]] = None
    try:
        _set_window_size(slave, rows, columns)
        try:
            process = spawn_group(
                list(argv), stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=dict(env)
            )
        except OSError as exc:
            raise StartError("program", exc) from exc
        _close(slave)
        slave = -1
        os.set_blocking(master, False)  # typing must never block on a program that reads nothing
        return TerminalSession(
            master,
            process,
            Screen(columns, rows, scrollback),
            deadline=deadline,
            idle=idle,
            max_output=max_output,
            timings=timings or Timings(),
        )
    except BaseException:
        if process is not None:
            _stop(process)
        _close(master)
        _close(slave)
        raise


class TerminalSession:
    """A program running in a pseudo-terminal (see :func:`open_terminal`)."""

    def __init__(
        self,
        master: int,
        process: "subprocess.Popen[Any]",
        screen: Screen,
        *,
        deadline: float,
        idle: Optional[float],
        max_output: int,
        timings: Timings,
    ) -> None:
        self.master = master
        self.process = process
        self.screen = screen
        self.deadline = deadline
        self.idle = idle
        self.max_output = max_output
        self.timings = timings
        #: How the session ended, None while it goes on.
        self.ended: Optional[str] = None
        self.returncode: Optional[int] = None
        #: Characters read so far.
        self.size = 0
        #: When the program last wrote or was typed into (``time.monotonic``).
        self.last_activity = time.monotonic()
        self._decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self._parts: List[str] = []
        self._closed = False

    def __enter__(self) -> "TerminalSession":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    @property
    def seen_output(self) -> bool:
        """Whether the program wrote anything yet."""
        return self.size > 0

    def view(self) -> str:
        """The screen as it shows now (no scrollback)."""
        return self.screen.visible_text()

    def quiet_for(self, now: Optional[float] = None) -> float:
        """Seconds since the program last wrote or was typed into."""
        return (time.monotonic() if now is None else now) - self.last_activity

    def poll(self, wait: float) -> bool:
        """Read one chunk of output, waiting up to ``wait`` seconds; False once it has ended."""
        if self.ended is not None:
            return False
        now = time.monotonic()
        if now >= self.deadline:
            return self._end(TIMEOUT)
        limit = min(wait, self.deadline - now)
        if self.idle is not None:
            idle_left = self.last_activity + self.idle - now
            if idle_left <= 0:
                log.debug("%s wrote nothing for %.3g s: cut off", self._name(), self.idle)
                return self._end(IDLE)
            limit = min(limit, idle_left)
        try:
            ready, _, _ = select.select([self.master], [], [], max(0.0, limit))
        except (OSError, ValueError):
            return self._end(EXITED, self.process.poll())
        if ready:
            try:
                data: Optional[bytes] = os.read(self.master, READ_SIZE)
            except BlockingIOError:  # nothing after all
                data = None
            except OSError:  # EIO: the program closed its terminal (it exited)
                data = b""
            if data == b"":
                return self._end(EXITED, self._reap())
            if data:
                self._take(data)
                if self.size >= self.max_output:
                    log.debug("%s wrote more than %d characters: cut off", self._name(), self.size)
                    return self._end(OVERFLOW)
        elif self.process.poll() is not None and not self._readable():
            return self._end(EXITED, self.process.returncode)
        return True

    def pause(self, seconds: float) -> bool:
        """Keep reading for ``seconds``; False when the session ended meanwhile."""
        until = time.monotonic() + seconds
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return self.ended is None
            if not self.poll(min(left, self.timings.tick)):
                return False

    def wait_quiet(self, quiet: Optional[float] = None, limit: Optional[float] = None) -> bool:
        """Read until nothing happened for ``quiet`` seconds (default ``timings.quiet``).

        False when the session ended, or ``limit`` seconds passed, first.
        """
        quiet = self.timings.quiet if quiet is None else quiet
        until = None if limit is None else time.monotonic() + limit
        while self.ended is None:
            now = time.monotonic()
            left = quiet - self.quiet_for(now)
            if left <= 0:
                return True
            wait = min(left, self.timings.tick)
            if until is not None:
                if now >= until:
                    return False
                wait = min(wait, until - now)
            self.poll(wait)
        return False

    def wait_for(self, predicate: Callable[[str], bool], limit: Optional[float] = None) -> bool:
        """Read until ``predicate(screen as it shows now)`` holds.

        False when the session ended, or ``limit`` seconds passed, without it holding.
        """
        until = None if limit is None else time.monotonic() + limit
        while True:
            if predicate(self.view()):
                return True
            if self.ended is not None:
                return False
            wait = self.timings.tick
            if until is not None:
                wait = min(wait, until - time.monotonic())
                if wait <= 0:
                    return False
            self.poll(wait)

    def run(self, step: Callable[["TerminalSession"], bool]) -> TerminalResult:
        """Call ``step(self)`` after every read until it returns True or the session ends."""
        while self.poll(self.timings.tick):
            if step(self):
                self._end(STOPPED)
                break
        return self.result()

    def result(self) -> TerminalResult:
        """What was seen so far and how the session ended (``stopped`` while it goes on)."""
        pending = self._decoder.getstate()[0]  # a character cut off at the very end
        output = "".join(self._parts) + pending.decode("utf-8", "replace")
        return TerminalResult(output, self.screen.text(), self.ended or STOPPED, self.returncode)

    # -- typing --------------------------------------------------------------------------------

    def send(self, data: Union[str, bytes]) -> bool:
        """Write ``data`` to the program at once; False when it could not be written."""
        payload = data.encode("utf-8") if isinstance(data, str) else data
        while payload:
            if self.ended is not None:
                return False
            try:
                written = os.write(self.master, payload)
            except BlockingIOError:  # its input is full: read its output while it catches up
                self.poll(self.timings.tick)
                continue
            except OSError as exc:
                log.debug("cannot type into %s: %s", self._name(), exc)
                return False
            payload = payload[written:]
        self.last_activity = time.monotonic()
        return True

    def type(self, *chunks: Union[str, bytes], delay: Optional[float] = None) -> bool:
        """Send ``chunks`` one by one, reading for ``delay`` (``timings.type_delay``) between.

        False when the session ended or a chunk could not be written.
        """
        delay = self.timings.type_delay if delay is None else delay
        for index, chunk in enumerate(chunks):
            if index and not self.pause(delay):
                return False
            if not self.send(chunk):
                return False
        return True

    # -- ending --------------------------------------------------------------------------------

    def close(self) -> None:
        """Kill the program with its process group and free the terminal (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.ended is None:
            self.ended = STOPPED
        try:
            _stop(self.process)
        finally:
            _close(self.master)

    def _take(self, data: bytes) -> None:
        text = self._decoder.decode(data)
        self._parts.append(text)
        self.size += len(text)
        self.screen.feed(text)
        self.last_activity = time.monotonic()

    def _end(self, how: str, returncode: Optional[int] = None) -> bool:
        self.ended = how
        self.returncode = returncode
        return False

    def _readable(self) -> bool:
        try:
            return bool(select.select([self.master], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    def _reap(self) -> Optional[int]:
        import subprocess

        try:
            return self.process.wait(timeout=self.timings.reap)
        except subprocess.TimeoutExpired:  # closed its terminal but lives on: killed at close
            return None

    def _name(self) -> str:
        args = self.process.args
        if isinstance(args, (list, tuple)) and args:
            return os.path.basename(str(args[0]))
        return "the program"


def _stop(process: "subprocess.Popen[Any]") -> None:
    # SIGTERM, SIGKILL after a grace, and the group's leftovers killed once the leader is gone.
    terminate_group(process)


def _set_window_size(fd: int, rows: int, columns: int) -> None:
    import fcntl
    import struct
    import termios

    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    except OSError:  # the program then sees 0x0 and picks its own default
        log.debug("cannot set the pseudo-terminal's size")


def _close(fd: int) -> None:
    if fd >= 0:
        try:
            os.close(fd)
        except OSError:
            pass


__all__ = [
    "EXITED",
    "IDLE",
    "MAX_OUTPUT",
    "OVERFLOW",
    "STOPPED",
    "TIMEOUT",
    "StartError",
    "TerminalResult",
    "TerminalSession",
    "Timings",
    "open_terminal",
    "terminal_environment",
]
