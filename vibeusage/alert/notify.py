"""``--notify``: the desktop notifier this machine has, else a terminal notification.

``notify-send`` when it is on ``PATH``, ``osascript`` on macOS, else BEL plus OSC 9 on
stderr when it is a terminal; otherwise there is no notifier and the run says so.
"""

import logging
from dataclasses import dataclass
from typing import IO, List, Mapping, Optional

from ..views.alert_text import printable

log = logging.getLogger(__name__)

TITLE = "vibeusage"
#: Seconds a notifier may take before it is killed.
NOTIFY_TIMEOUT = 10.0
NOTIFY_SEND = "notify-send"
OSASCRIPT = "osascript"
TERMINAL = "terminal"
#: AppleScript reading the text from argv, so no quoting of it is ever needed.
APPLESCRIPT = (
    "on run argv",
    f'display notification (item 1 of argv) with title "{TITLE}"',
    "end run",
)


@dataclass(frozen=True)
class Notifier:
    """How notifications are shown: ``notify-send``, ``osascript`` or ``terminal``."""

    kind: str
    #: The program's path (None for the terminal).
    program: Optional[str] = None


def find_notifier(
    environ: Mapping[str, str], platform: str, stderr_tty: bool
) -> Optional[Notifier]:
    """The notifier that exists here, or None."""
    import shutil

    path = environ.get("PATH")
    found = shutil.which(NOTIFY_SEND, path=path)
    if found:
        return Notifier(NOTIFY_SEND, found)
    if platform == "darwin":
        found = shutil.which(OSASCRIPT, path=path)
        if found:
            return Notifier(OSASCRIPT, found)
    if stderr_tty:
        return Notifier(TERMINAL)
    return None


def missing_notifier_message(platform: str) -> str:
    """What to say when ``--notify`` finds nothing to notify with."""
    if platform == "darwin":
        return (
            "--notify: osascript is not on PATH and stderr is not a terminal; no notification shown"
        )
    return (
        "--notify: notify-send is not on PATH (install libnotify) and stderr is not a "
        "terminal; no notification shown"
    )


def notifier_argv(notifier: Notifier, text: str) -> List[str]:
    """The command showing ``text`` (not for the terminal notifier)."""
    assert notifier.program is not None
    if notifier.kind == NOTIFY_SEND:
        return [notifier.program, f"--app-name={TITLE}", TITLE, text]
    script: List[str] = []
    for line in APPLESCRIPT:
        script += ["-e", line]
    return [notifier.program, *script, text]


def terminal_notification(text: str) -> str:
    """BEL, then OSC 9 with ``text`` (control characters removed: they could end it early)."""
    return "\a\x1b]9;" + printable(text) + "\a"


def notify(notifier: Notifier, text: str, environ: Mapping[str, str], stderr: IO[str]) -> bool:
    """Show ``text``; False (with a warning logged) when the notifier failed."""
    if notifier.kind == TERMINAL:
        stderr.write(terminal_notification(text))
        stderr.flush()
        return True
    from .bounded import run_bounded

    argv = notifier_argv(notifier, printable(text))
    try:
        finished = run_bounded(argv, environ, NOTIFY_TIMEOUT)
    except OSError as exc:
        log.warning("cannot run %s: %s", notifier.kind, exc.strerror or exc)
        return False
    if finished.timed_out:
        log.warning("%s did not finish within %g s", notifier.kind, NOTIFY_TIMEOUT)
        return False
    if finished.returncode != 0:
        lines = finished.output.strip().splitlines()
        detail = f": {lines[-1]}" if lines else ""
        log.warning("%s failed (exit %s)%s", notifier.kind, finished.returncode, detail)
        return False
    return True
