"""The streams a run talks to (injectable for in-process tests), kept free of heavy imports."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import IO, Any, Optional

PROG = "vibeusage"
#: The width of help text when there is no terminal to measure (``COLUMNS`` unset, a pipe).
DEFAULT_WIDTH = 80


class UsageError(Exception):
    """A bad command line (argparse errors land here): exit code 4 unless the command says."""

    def __init__(self, message: str, exit_code: int = 4) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Terminated(BaseException):
    """SIGTERM arrived: end the run now (exit code 143), like Ctrl-C does (130)."""


class OutputFailed(Exception):
    """Standard output could not take the output (closed, a broken pipe, a full disk)."""

    def __init__(self, reason: str, quiet: bool) -> None:
        super().__init__(reason)
        #: A reader that went away (``| head``, ``| true``) wants no message about it.
        self.quiet = quiet


class Terminal:
    """The streams the CLI talks to, injectable for in-process tests."""

    def __init__(self, stdout: IO[str], stderr: IO[str], stdin: Optional[IO[str]] = None) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.stdin: Any = stdin if stdin is not None else _NoInput()

    @classmethod
    def from_sys(cls) -> Terminal:
        # A closed descriptor (``>&-``) leaves ``sys.stdout`` None.
        closed: Any = _Closed()
        return cls(sys.stdout or closed, sys.stderr or closed, sys.stdin)

    def write_out(self, text: str) -> None:
        """Write ``text`` on stdout and flush it; OutputFailed when stdout cannot take it."""
        try:
            self.stdout.write(text)
            self.stdout.flush()
        except BrokenPipeError as exc:
            raise OutputFailed("the reader of the output went away", quiet=True) from exc
        except (OSError, ValueError) as exc:  # ValueError: a closed file object
            reason = getattr(exc, "strerror", None) or "standard output is closed"
            raise OutputFailed(f"cannot write the output: {reason}", quiet=False) from exc

    @staticmethod
    def _isatty(stream: Any) -> bool:
        try:
            return bool(stream.isatty())
        except (AttributeError, ValueError):
            return False

    @property
    def stdout_tty(self) -> bool:
        return self._isatty(self.stdout)

    @property
    def stderr_tty(self) -> bool:
        return self._isatty(self.stderr)

    @property
    def stdin_tty(self) -> bool:
        return self._isatty(self.stdin)

    def error(self, message: str) -> None:
        self.stderr.write(f"{PROG}: {message}\n")
        self.stderr.flush()

    def say(self, message: str) -> None:
        """A line for the person at the terminal (stderr: stdout stays for data)."""
        self.stderr.write(message + "\n")
        self.stderr.flush()


class _Closed:
    """A standard stream whose descriptor was closed before the run started."""

    def write(self, text: str) -> int:
        import errno

        raise OSError(errno.EBADF, "standard output is closed")

    def flush(self) -> None:
        return None

    def isatty(self) -> bool:
        return False


class _NoInput:
    """Standard input when there is none (closed, or not given to an in-process run)."""

    def read(self, *args: Any) -> str:
        return ""

    def readline(self, *args: Any) -> str:
        return ""

    def isatty(self) -> bool:
        return False
