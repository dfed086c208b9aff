"""Getting a secret from the user without echoing it or showing up in shell history."""

from __future__ import annotations

from .app import App

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Optional


def read_secret_value(app: App, given: Optional[str], prompt: str) -> str:
    """The secret from the argument, else piped standard input, else a hidden prompt.

    Never prompts when standard input is not a terminal (cron, CI): then the value must
    come from the argument or the pipe.
    """
    from ..errors import ErrorCategory, VibeusageError

    if given is not None and given.strip():
        return given.strip()
    if not app.terminal.stdin_tty:
        value = str(app.terminal.stdin.read()).strip()
        if not value:
            raise VibeusageError(
                "No value given, and standard input is not a terminal to ask on",
                ErrorCategory.CONFIGURATION,
                remediation="Pipe the value in (`... | vibeusage key PROVIDER set`) "
                "or pass it as an argument.",
            )
        return value
    import getpass

    value = getpass.getpass(prompt, stream=app.terminal.stderr).strip()  # type: ignore[arg-type]
    if not value:
        raise VibeusageError("Nothing entered", ErrorCategory.CONFIGURATION)
    return value
