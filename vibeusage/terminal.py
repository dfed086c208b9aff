"""The streams a run talks to (injectable for in-process tests), kept free of heavy imports."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import IO, Any, Optional

PROG = "vibeusage"


class UsageError(Exception):
    """A bad command line (argparse errors land here): exit code 4 unless the command says."""

    def __init__(self, message: str, exit_code: int = 4) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class Terminated(BaseException):
    """SIGTERM arrived: end the run now (exit code 143), like Ctrl-C does (130)."""


class Terminal:
    """The streams the CLI talks to, injectable for in-process tests."""

    def __init__(self, stdout: IO[str], stderr: IO[str], stdin: Optional[IO[str]] = None) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.stdin: Any = stdin if stdin is not None else _NoInput()

    @classmethod
    def from_sys(cls) -> Terminal:
        return cls(sys.stdout, sys.stderr, sys.stdin)

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


class _NoInput:
    """Standard input when there is none (closed, or not given to an in-process run)."""

    def read(self, *args: Any) -> str:
        return ""

    def readline(self, *args: Any) -> str:
        return ""

    def isatty(self) -> bool:
        return False
