"""Claude's ``cli`` strategy: ask the interactive ``claude`` for ``/usage`` in a pseudo-terminal.

The last resort of the chain. ``claude`` only shows ``/usage`` in its TUI (as a plain
subprocess it answers "Unknown skill: usage"), so it runs in a pseudo-terminal (POSIX only)
of 120x40 cells, in its own process group, in an empty working directory. The driver answers
the folder-trust dialog, waits for the input prompt, types ``/usage`` and Enter, and reads
until the usage screen is drawn, an error shows, or the time is up; the process group is
killed on every path.

Facts from the real Claude Code 2.1.197 (the strings of its binary, and its output in a
pseudo-terminal):

- It draws with a diffing renderer: spaces become cursor moves (``Welcome\\x1b[9Gto``) and
  redraws move the cursor up and rewrite only what changed. The output is therefore replayed
  on a small terminal emulator (:class:`Screen`) before anything is read from it.
- Trust dialog: "Accessing workspace:" / "Quick safety check: Is this a project you created
  or one you trust? ..." / "❯ 1. Yes, I trust this folder" / "2. No, exit" / "Enter to
  confirm · Esc to cancel" (older versions: "Do you trust the files in this folder?" /
  "Yes, proceed"). Enter accepts it.
- Input prompt: a line ``❯`` + NBSP between two rules, "? for shortcuts" under it. Typing
  ``/usage`` opens the command list; Enter (sent a moment later: one chunk would be a paste)
  runs it.
- ``/usage`` opens "Settings  Status  Config  Usage  Stats" on the Usage tab: a "Session"
  block ("Total cost: ..."), "Loading usage data…", then per section a bold title, a bar and
  ``NN% used`` (``Math.floor``), and a dim ``Resets <when>``; under 62 columns the title line
  is ``<title> · Resets <when>``, then the bar, then ``NN% used``. Titles: "Current session",
  "Current week (all models)", "Current week (Sonnet only)" (Max/Team), ``Current week
  (<Model>)``, "Claude Code and Cowork credit" ("One-time credit · Expires <Month> <day>"),
  and "Usage credits" (``$5.50 / $50.00 spent · Resets Aug 1 (<zone>)``).
- ``<when>``: ``toLocaleString("en-US")`` in the local zone plus `` (<IANA zone>)``; the time
  only when under 24 hours away (``3pm``, ``12:30am``), else ``Jul 8, 9am``, with the year
  when it is not the current one (``Jan 17, 2027, 2pm``).
- Errors on that tab: "Error: Failed to load usage data[: <body>]", "Usage endpoint is rate
  limited. Please try again in a moment."; without a subscription login the tab shows only
  the "Session" block. A fresh install starts with onboarding ("Choose the text style that
  looks best with your terminal") and then "Select login method:"; without network it may
  say "Unable to connect to Anthropic services" or hang with no output at all.
"""

import logging
import re
import shutil
import sys
import time
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.http_errors import DEFAULT_RETRY_AFTER
from ...kit.processes import spawn_group, terminate_group
from ...models import (
    OverageUsage,
    PeriodType,
    UsagePeriod,
    UsageSnapshot,
    percent_used,
    periods_tuple,
    to_decimal,
)
from ..base import FetchContext, FetchResult, Strategy
from .oauth import ClaudeOAuth
from .usage import NAME

if TYPE_CHECKING:
    import subprocess

log = logging.getLogger(__name__)

#: Size of the pseudo-terminal (and of the emulated screen the output is replayed on).
COLUMNS = 120
ROWS = 40
#: Time kept back from the strategy's budget to stop the child before the pipeline gives up.
CLEANUP_RESERVE = 1.5
#: No output for this long: the screen is drawn.
QUIET = 0.3
#: Between typing ``/usage`` and Enter (a single chunk would be taken for a paste).
TYPE_DELAY = 0.25
#: A prompt visible this long counts as ready even while something keeps redrawing.
PROMPT_SETTLE = 1.5
#: No prompt recognised, but the output has been quiet this long: type ``/usage`` anyway.
STALL_QUIET = 2.5
#: Between two answers to a trust dialog that is still on screen.
TRUST_RETRY = 2.0
MAX_TRUST_ANSWERS = 3
#: The seeded numbers are taken when "Refreshing…" stays up this long.
REFRESH_GRACE = 3.0
#: The Usage tab without limits (no subscription login) is final after this much quiet.
NO_LIMITS_QUIET = 1.0
#: After ``/usage``: nothing usage-like on screen and quiet this long, give up early.
GIVE_UP_QUIET = 6.0
#: Output beyond this many characters is not read (a runaway program).
MAX_OUTPUT = 4_000_000
SCROLLBACK = 5000

#: Variables not passed to ``claude``: an API key makes it bill the API (no plan limits and
#: a key-approval dialog), and ``CI`` makes Ink skip intermediate frames.
DROPPED_ENV = ("ANTHROPIC_API_KEY", "CI")

LOGIN_HINT = "Run `claude` and log in with your Claude subscription account (/login), then retry."
TIMEOUT_HINT = (
    "Check the network, run `claude` and type /usage to see what it shows, "
    "or raise the limit with `--timeout`."
)


class ClaudeCli(Strategy):
    """The interactive ``claude`` asked for ``/usage`` in a pseudo-terminal (POSIX only)."""

    name = "cli"
    label = "Claude Code CLI (/usage)"

    def available(self, ctx: FetchContext) -> bool:
        if ctx.platform.startswith("win"):
            return False
        # Claude Code installed is not enough: without a login the probe can only fail, and
        # a machine that merely has `claude` should still see the first-run guide.
        return _claude(ctx) is not None and ClaudeOAuth().available(ctx)

    def run(self, ctx: FetchContext) -> FetchResult:
        if ctx.platform.startswith("win"):
            return FetchResult.fail(_no_pty_error())
        claude = _claude(ctx)
        if claude is None:
            return FetchResult.fail(
                VibeusageError(
                    "Claude Code (`claude`) is not on PATH",
                    ErrorCategory.NOT_FOUND,
                    remediation="Install Claude Code and log in by running `claude`.",
                )
            )
        budget = probe_budget(ctx.timeout)
        try:
            outcome = probe_usage([claude], budget, ctx.environ, workdir=_probe_dir(ctx))
        except VibeusageError as exc:
            return FetchResult.fail(exc)
        try:
            snapshot = parse_usage_screen(outcome.text, ctx.now())
        except VibeusageError as exc:
            if exc.category is not ErrorCategory.PARSE:
                return FetchResult.fail(exc)
            if outcome.timed_out:
                return FetchResult.fail(timeout_error(outcome, budget))
            if outcome.returncode is not None:
                return FetchResult.fail(
                    parse_error(
                        NAME,
                        f"Claude Code exited (status {outcome.returncode}) without "
                        "showing its usage",
                    )
                )
            return FetchResult.fail(exc)
        return FetchResult.ok(snapshot)


def probe_budget(timeout: float) -> float:
    """Seconds the probe may take: a little under the strategy's limit."""
    return max(0.5, min(timeout * 0.9, timeout - CLEANUP_RESERVE))


def timeout_error(outcome: "ProbeOutcome", budget: float) -> VibeusageError:
    """The error for a probe that ran out of time, saying where Claude Code got stuck."""
    where = {
        "start": "it never showed its input prompt",
        "typed": "it did not take the /usage command",
        "sent": "the usage screen never finished",
        "loading": "it was still loading usage data",
    }.get(outcome.stage, "")
    return VibeusageError(
        f"Claude Code did not show usage within {budget:.3g} s" + (f" ({where})" if where else ""),
        ErrorCategory.NETWORK,
        remediation=TIMEOUT_HINT,
    )


def _claude(ctx: FetchContext) -> Optional[str]:
    return shutil.which("claude", path=ctx.environ.get("PATH"))


def _probe_dir(ctx: FetchContext) -> Optional[str]:
    """A stable empty directory of ours for ``claude`` to start in.

    Claude Code records the trust answer (and a project entry) per working directory, so a
    fresh directory per run would add an entry to ``~/.claude.json`` every time; this one is
    trusted once. None (a throw-away directory) when it cannot be made.
    """
    path = ctx.paths.cache_dir / "claude-probe"
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError:
        return None
    return str(path) if path.is_dir() else None


def _no_pty_error() -> VibeusageError:
    return VibeusageError(
        "Reading usage from the Claude Code CLI needs a pseudo-terminal, which Windows lacks",
        ErrorCategory.NOT_FOUND,
        remediation="Use Claude Code's login (oauth) or a claude.ai session key (web).",
    )


# --- the PTY driver --------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeOutcome:
    """What the probe read and how it ended."""

    #: Everything the program wrote, decoded (UTF-8, undecodable bytes replaced).
    text: str
    #: How far it got: ``start`` (waiting for the prompt), ``typed``, ``sent`` (``/usage``
    #: submitted), ``loading`` (the usage tab is loading), ``done`` (a final screen).
    stage: str
    timed_out: bool = False
    #: The exit status when the program exited by itself, else None.
    returncode: Optional[int] = None


def run_usage_probe(command: Sequence[str], timeout: float, environ: Mapping[str, str]) -> str:
    """Run ``command`` (the ``claude`` TUI) in a pseudo-terminal, show ``/usage``, return output.

    Returns everything read (decoded) once the usage screen is complete, an error shows, the
    program exits or ``timeout`` seconds pass. Raises an authentication VibeusageError when
    Claude Code turns out not to be logged in (its login or onboarding screens), and a
    VibeusageError when it cannot be started. The process group is killed on every path.
    """
    return probe_usage(command, timeout, environ).text


def probe_usage(
    command: Sequence[str],
    timeout: float,
    environ: Mapping[str, str],
    *,
    workdir: Optional[str] = None,
) -> ProbeOutcome:
    """:func:`run_usage_probe` with how it ended; ``workdir`` None = a throw-away directory."""
    if sys.platform.startswith("win"):
        raise _no_pty_error()
    if workdir is not None:
        return _probe_in(command, timeout, environ, workdir)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="vibeusage-claude-") as tmp:
        return _probe_in(command, timeout, environ, tmp)


def _probe_in(
    command: Sequence[str], timeout: float, environ: Mapping[str, str], workdir: str
) -> ProbeOutcome:
    import os

    deadline = time.monotonic() + max(0.0, timeout)
    try:
        master, slave = os.openpty()
    except OSError as exc:
        raise VibeusageError(
            f"Cannot open a pseudo-terminal for Claude Code: {exc.strerror or exc}",
            ErrorCategory.PROVIDER,
        ) from exc
    process: Optional[subprocess.Popen[bytes]] = None
    try:
        _set_window_size(slave, ROWS, COLUMNS)
        try:
            process = spawn_group(
                list(command),
                stdin=slave,
                stdout=slave,
                stderr=slave,
                cwd=workdir,
                env=child_environment(environ),
            )
        except OSError as exc:
            raise VibeusageError(
                f"Cannot start Claude Code ({command[0] if command else '?'}): "
                f"{exc.strerror or exc}",
                ErrorCategory.NOT_FOUND,
                remediation="Check that `claude` runs from a terminal.",
            ) from exc
        os.close(slave)
        slave = -1
        return _Conversation(master, process, deadline).run()
    finally:
        if process is not None:
            terminate_group(process)
        for fd in (master, slave):
            if fd >= 0:
                try:
                    os.close(fd)
                except OSError:
                    pass


def child_environment(environ: Mapping[str, str]) -> Dict[str, str]:
    """The environment ``claude`` runs with: the caller's, fit for a 120x40 xterm."""
    env = {key: value for key, value in environ.items() if key not in DROPPED_ENV}
    env["TERM"] = "xterm-256color"
    env["COLUMNS"] = str(COLUMNS)
    env["LINES"] = str(ROWS)
    # A probe must not update the user's installation (and get killed half-way through).
    env.setdefault("DISABLE_AUTOUPDATER", "1")
    return env


def _set_window_size(fd: int, rows: int, columns: int) -> None:
    import fcntl
    import struct
    import termios

    try:
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    except OSError:  # the program then sees 0x0 and picks its own default
        log.debug("cannot set the pseudo-terminal's size")


class _Conversation:
    """Reads the program's output and types into it, one decision per short tick."""

    def __init__(self, master: int, process: "subprocess.Popen[bytes]", deadline: float):
        import codecs

        self.master = master
        self.process = process
        self.deadline = deadline
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.parts: List[str] = []
        self.size = 0
        self.screen = Screen(COLUMNS, ROWS)
        self.stage = "start"
        self.last_output = time.monotonic()
        self.seen_output = False
        self.trust_answers = 0
        self.trust_answered_at = 0.0
        self.prompt_since: Optional[float] = None
        self.typed_at = 0.0
        self.complete_since: Optional[float] = None

    def run(self) -> ProbeOutcome:
        import os
        import select

        while True:
            now = time.monotonic()
            if now >= self.deadline:
                return self._outcome(timed_out=True)
            try:
                ready, _, _ = select.select([self.master], [], [], min(0.05, self.deadline - now))
            except (OSError, ValueError):
                return self._outcome(returncode=self.process.poll())
            if ready:
                try:
                    data = os.read(self.master, 65536)
                except OSError:  # EIO: the program closed the terminal (it exited)
                    data = b""
                if not data:
                    return self._outcome(returncode=self._reap())
                self._take(data)
                if self.size >= MAX_OUTPUT:
                    log.debug("claude wrote more than %d characters: stopped reading", self.size)
                    return self._outcome()
            elif self.process.poll() is not None and not self._readable():
                return self._outcome(returncode=self.process.returncode)
            if self._step(time.monotonic()):
                self.stage = "done"
                return self._outcome()

    def _take(self, data: bytes) -> None:
        text = self.decoder.decode(data)
        self.parts.append(text)
        self.size += len(text)
        self.screen.feed(text)
        self.seen_output = True
        self.last_output = time.monotonic()

    def _readable(self) -> bool:
        import select

        try:
            return bool(select.select([self.master], [], [], 0)[0])
        except (OSError, ValueError):
            return False

    def _reap(self) -> Optional[int]:
        import subprocess

        try:
            return self.process.wait(timeout=0.5)
        except subprocess.TimeoutExpired:  # closed its terminal but lives on: killed later
            return None

    def _step(self, now: float) -> bool:
        """Act on what the screen shows now; True when the probe is over."""
        view = self.screen.visible_text()
        quiet = now - self.last_output
        blocker = _login_error(view)
        if blocker is not None:
            raise blocker
        if self.stage == "start":
            self._start_step(view, now, quiet)
            return False
        if self.stage == "typed":
            if now - self.typed_at >= TYPE_DELAY:
                self._send(b"\r")
                self.stage = "sent"
                self.last_output = now  # quiet is counted from the command on
            return False
        return self._usage_step(view, now, quiet)

    def _start_step(self, view: str, now: float, quiet: float) -> None:
        if _prompt_visible(view):
            if self.prompt_since is None:
                self.prompt_since = now
            if quiet >= QUIET or now - self.prompt_since >= PROMPT_SETTLE:
                self._type_usage(now)
            return
        self.prompt_since = None
        if _trust_visible(view):
            if (
                quiet >= QUIET
                and self.trust_answers < MAX_TRUST_ANSWERS
                and (self.trust_answers == 0 or now - self.trust_answered_at >= TRUST_RETRY)
            ):
                log.debug("claude asks whether to trust its working directory: yes")
                self._send(b"\r")
                self.trust_answers += 1
                self.trust_answered_at = now
            return
        if self.seen_output and quiet >= STALL_QUIET:
            log.debug("no prompt recognised on claude's screen: typing /usage anyway")
            self._type_usage(now)

    def _type_usage(self, now: float) -> None:
        self._send(b"/usage")
        self.stage = "typed"
        self.typed_at = now

    def _usage_step(self, view: str, now: float, quiet: float) -> bool:
        if screen_error(view) is not None:
            return quiet >= (NO_LIMITS_QUIET if _no_limits(view) else QUIET)
        if _usage_visible(view):
            if self.complete_since is None:
                self.complete_since = now
            if "Refreshing…" in view and now - self.complete_since < REFRESH_GRACE:
                return False
            return quiet >= QUIET or now - self.complete_since >= PROMPT_SETTLE
        self.complete_since = None
        if _LOADING in view:
            self.stage = "loading"
            return False
        return quiet >= GIVE_UP_QUIET

    def _send(self, data: bytes) -> None:
        import os

        try:
            os.write(self.master, data)
        except OSError as exc:
            log.debug("cannot type into claude: %s", exc)

    def _outcome(
        self, *, timed_out: bool = False, returncode: Optional[int] = None
    ) -> ProbeOutcome:
        text = "".join(self.parts) + self.decoder.decode(b"", final=True)
        return ProbeOutcome(text, self.stage, timed_out, returncode)


_TRUST_SIGNS = (
    "Yes, I trust this folder",
    "Quick safety check",
    "Do you trust the files in this folder",
    "Yes, proceed",
)
_LOGIN_SIGNS = ("Select login method", "Claude account with subscription")
_ONBOARDING_SIGNS = ("Choose the text style that looks best", "Let's get started.")
_LOADING = "Loading usage data"
#: The Usage tab's "Session" block (shown with or without plan limits).
_USAGE_TAB_SIGN = "Total cost:"
#: The input line: ``❯`` (or an older ``>``) alone or with typed text, not a numbered choice.
_PROMPT_LINE = re.compile(r"^[\s│|]*[❯>][\s\u00a0]*(?!\d+\.)(?:[^\s\u00a0].*)?$", re.MULTILINE)


def _prompt_visible(view: str) -> bool:
    return "? for shortcuts" in view or _PROMPT_LINE.search(view) is not None


def _trust_visible(view: str) -> bool:
    return any(sign in view for sign in _TRUST_SIGNS)


def _usage_visible(view: str) -> bool:
    if "% used" not in view:
        return False
    return any(_section_title(_clean(line)) is not None for line in view.splitlines())


def _no_limits(view: str) -> bool:
    """The Usage tab with only its "Session" block (no limits, no loading, no error).

    What Claude Code shows when it is not logged in with a Claude subscription.
    """
    if _USAGE_TAB_SIGN not in view:
        return False
    return not any(sign in view for sign in (_LOADING, "% used", "Error:"))


def _login_error(view: str) -> Optional[VibeusageError]:
    """The error for a login or first-run onboarding screen: nothing to wait for."""
    if any(sign in view for sign in _LOGIN_SIGNS):
        return VibeusageError(
            "Claude Code is not logged in (it shows its login screen)",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    if any(sign in view for sign in _ONBOARDING_SIGNS):
        return VibeusageError(
            "Claude Code has not been set up yet (it shows its first-run onboarding)",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    return None


def screen_error(text: str) -> Optional[VibeusageError]:
    """The error a Claude Code screen (rendered text) shows instead of usage, if any."""
    login = _login_error(text)
    if login is not None:
        return login
    if "Usage endpoint is rate limited" in text:
        return VibeusageError(
            "Claude Code's usage endpoint is rate limiting requests",
            ErrorCategory.RATE_LIMITED,
            remediation="Wait a few minutes before retrying.",
            retry_after=DEFAULT_RETRY_AFTER,
        )
    failed = re.search(r"Failed to load usage data(?::\s*(.{0,160}))?", text)
    if failed is not None:
        detail = (failed.group(1) or "").strip()
        return VibeusageError(
            "Claude Code could not load usage data" + (f" ({detail})" if detail else ""),
            ErrorCategory.PROVIDER,
            remediation="Run `claude` and type /usage; if it fails there too, retry later.",
        )
    if "Unable to connect to Anthropic services" in text:
        return VibeusageError(
            "Claude Code could not connect to Anthropic's services", ErrorCategory.NETWORK
        )
    if re.search(r"Unknown (?:skill|command|slash command):? /?usage\b", text):
        return VibeusageError(
            "This Claude Code has no /usage command",
            ErrorCategory.PROVIDER,
            remediation="Update Claude Code (`claude update`).",
        )
    if _no_limits(text):
        return VibeusageError(
            "Claude Code shows no plan limits: it is not logged in with a Claude subscription",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    return None


# --- screen text -----------------------------------------------------------------------------

#: One escape sequence, control character or run of printable text.
_TOKEN = re.compile(
    r"(?P<csi>(?:\x1b\[|\x9b)(?P<params>[0-?]*)(?P<inter>[ -/]*)(?P<final>[@-~]))"
    r"|(?P<string>(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]{0,4096}"
    r"(?:\x07|\x1b\\|\x9c))"
    r"|(?P<esc>\x1b[ -/]*[0-OQ-WYZ\\`-~])"
    r"|(?P<ctrl>[\x00-\x1a\x1c-\x1f\x7f-\x9f])"
    r"|(?P<text>[^\x00-\x1f\x7f-\x9f]+)",
)
#: The start of a sequence whose end has not come (yet).
_UNFINISHED = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*"
    r"|\x1b[ -/]*"
)
#: An unfinished sequence shorter than this at the end of a chunk waits for the next one.
_MAX_PENDING = 4200


def _tokens(data: str, final: bool) -> "Tuple[List[re.Match[str]], str]":
    """The tokens of ``data`` and the unfinished tail to keep for the next chunk."""
    tokens: List[re.Match[str]] = []
    pos, end = 0, len(data)
    while pos < end:
        match = _TOKEN.match(data, pos)
        if match is None:  # an ESC that does not start a complete sequence
            if end - pos < _MAX_PENDING and _UNFINISHED.fullmatch(data, pos):
                # Cut off at the end: wait for the rest, or (at the very end) drop it.
                return tokens, "" if final else data[pos:]
            pos += 1
            continue
        tokens.append(match)
        pos = match.end()
    return tokens, ""


def _params(text: str, default: int) -> List[int]:
    values = []
    for part in text.split(";"):
        head = part.split(":")[0]
        values.append(int(head) if head.isdigit() and len(head) < 6 else default)
    return values


def _cell_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def strip_ansi(text: str) -> str:
    """Plain text of terminal output, read line by line.

    Escape sequences (CSI, OSC, DCS, charset and mode switches) go; cursor moves along a
    line become spaces (``Welcome\\x1b[9Gto`` reads "Welcome to"); a carriage return goes
    back to the line's start so what follows overwrites (``50%\\r60%`` reads "60%") and
    ``\\r\\n`` is a plain line break; a move to another line starts a new line. For output
    that redraws (moves up and rewrites), see :func:`render_screen`.
    """
    lines: List[str] = []
    row: List[str] = []
    x = 0

    def put(chars: str) -> None:
        nonlocal x
        if x > len(row):
            row.extend(" " * (x - len(row)))
        row[x : x + len(chars)] = list(chars)
        x += len(chars)

    def newline() -> None:
        nonlocal row, x
        lines.append("".join(row))
        row, x = [], 0

    for token in _tokens(text, final=True)[0]:
        kind = token.lastgroup
        if kind == "text":
            put(token.group("text"))
        elif kind == "ctrl":
            char = token.group("ctrl")
            if char in "\n\x0b\x0c":
                newline()
            elif char == "\r":
                x = 0
            elif char == "\b":
                x = max(0, x - 1)
            elif char == "\t":
                put(" " * (8 - x % 8))
        elif kind == "csi" and not token.group("inter") and token.group("params")[:1] not in "<=>?":
            final, params = token.group("final"), token.group("params")
            count = _params(params, 1)[0] or 1
            if final in "G`":
                x = max(0, count - 1)
            elif final in "Ca":
                x += count
            elif final == "D":
                x = max(0, x - count)
            elif final == "K":
                mode = _params(params, 0)[0]
                if mode == 0:
                    del row[x:]
                elif mode == 1:
                    row[: x + 1] = [" "] * min(len(row), x + 1)
                else:
                    row = []
            elif final in "ABEFHfdJ":
                if "".join(row).strip():
                    newline()
                else:
                    row = []
                if final in "Hf":
                    x = max(0, (_params(params, 1) + [1])[1] - 1)
                elif final in "EF":
                    x = 0
    lines.append("".join(row))
    return "\n".join(line.rstrip() for line in lines)


def render_screen(text: str, columns: int = COLUMNS, rows: int = ROWS) -> str:
    """What a ``columns`` x ``rows`` terminal shows after ``text``, scrollback first."""
    screen = Screen(columns, rows)
    screen.feed(text, final=True)
    return screen.text()


class Screen:
    """A small terminal emulator: enough of xterm to replay a diffing TUI renderer.

    Printing with wrap, CR/LF/BS/TAB, cursor moves (CUU/CUD/CUF/CUB/CNL/CPL/CHA/CUP/VPA),
    erase (ED/EL/ECH), insert/delete (ICH/DCH/IL/DL), scroll (SU/SD, margins, IND/RI/NEL),
    save/restore cursor and the alternate screen. Colours and modes are ignored. Lines that
    scroll off the top are kept (``text()``), so earlier frames can still be read.
    """

    def __init__(self, columns: int = COLUMNS, rows: int = ROWS, scrollback: int = SCROLLBACK):
        self.columns = max(2, columns)
        self.rows = max(2, rows)
        self.scrollback = scrollback
        self.history: List[str] = []
        self._pending = ""
        self._reset()

    def _reset(self) -> None:
        self.grid = [self._blank() for _ in range(self.rows)]
        self.x = self.y = 0
        self.wrap_pending = False
        self.top, self.bottom = 0, self.rows - 1
        self.saved = (0, 0)
        self.main: Optional[Tuple[List[List[str]], int, int]] = None

    def _blank(self) -> List[str]:
        return [" "] * self.columns

    # -- reading -------------------------------------------------------------------------------

    def visible_text(self) -> str:
        return "\n".join("".join(row).rstrip() for row in self.grid)

    def text(self) -> str:
        lines = self.history + ["".join(row).rstrip() for row in self.grid]
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)

    # -- writing -------------------------------------------------------------------------------

    def feed(self, text: str, final: bool = False) -> None:
        tokens, self._pending = _tokens(self._pending + text, final)
        for token in tokens:
            kind = token.lastgroup
            if kind == "text":
                self._print(token.group("text"))
            elif kind == "ctrl":
                self._control(token.group("ctrl"))
            elif kind == "csi":
                self._csi(token.group("params"), token.group("inter"), token.group("final"))
            elif kind == "esc":
                self._escape(token.group("esc")[1:])

    def _print(self, text: str) -> None:
        if text.isascii():
            while text:
                if self.wrap_pending:
                    self._wrap()
                room = self.columns - self.x
                part, text = text[:room], text[room:]
                self.grid[self.y][self.x : self.x + len(part)] = list(part)
                if self.x + len(part) >= self.columns:
                    self.x, self.wrap_pending = self.columns - 1, True
                else:
                    self.x += len(part)
            return
        for char in text:
            width = _cell_width(char)
            if width == 0:
                if self.x > 0 or self.wrap_pending:
                    column = self.x if self.wrap_pending else self.x - 1
                    self.grid[self.y][column] += char
                continue
            if self.wrap_pending or self.x + width > self.columns:
                self._wrap()
            row = self.grid[self.y]
            row[self.x] = char
            if width == 2:
                row[self.x + 1] = ""
            if self.x + width >= self.columns:
                self.x, self.wrap_pending = self.columns - 1, True
            else:
                self.x += width

    def _wrap(self) -> None:
        self.x, self.wrap_pending = 0, False
        self._linefeed()

    def _control(self, char: str) -> None:
        if char in "\n\x0b\x0c":
            # A line feed also returns the carriage, as a terminal's ONLCR does (Node keeps it
            # on in raw mode): text written without a pseudo-terminal reads the same way.
            self.x = 0
            self._linefeed()
        elif char == "\r":
            self.x, self.wrap_pending = 0, False
        elif char == "\b":
            self.x, self.wrap_pending = max(0, self.x - 1), False
        elif char == "\t":
            self.x = min(self.columns - 1, (self.x // 8 + 1) * 8)

    def _linefeed(self) -> None:
        self.wrap_pending = False
        if self.y == self.bottom:
            self._scroll_up(1)
        elif self.y < self.rows - 1:
            self.y += 1

    def _scroll_up(self, count: int) -> None:
        for _ in range(min(count, self.rows)):
            line = self.grid.pop(self.top)
            if self.top == 0 and self.main is None:
                self.history.append("".join(line).rstrip())
            self.grid.insert(self.bottom, self._blank())
        if len(self.history) > self.scrollback:
            del self.history[: len(self.history) - self.scrollback]

    def _scroll_down(self, count: int) -> None:
        for _ in range(min(count, self.rows)):
            self.grid.pop(self.bottom)
            self.grid.insert(self.top, self._blank())

    def _escape(self, rest: str) -> None:
        if rest == "7":
            self.saved = (self.x, self.y)
        elif rest == "8":
            self.x, self.y = self.saved
            self.wrap_pending = False
        elif rest == "D":
            self._linefeed()
        elif rest == "E":
            self.x = 0
            self._linefeed()
        elif rest == "M":
            self.wrap_pending = False
            if self.y == self.top:
                self._scroll_down(1)
            else:
                self.y = max(0, self.y - 1)
        elif rest == "c":
            self._reset()

    def _csi(self, params: str, inter: str, final: str) -> None:
        if inter:
            return
        if params[:1] in ("<", "=", ">", "?"):
            if params[:1] == "?" and final in "hl":
                self._private_mode(_params(params[1:], 0), final == "h")
            return
        counts = _params(params, 1)
        count = max(1, counts[0])
        self.wrap_pending = False
        if final == "A":
            self.y = max(0, self.y - count)
        elif final in "Be":
            self.y = min(self.rows - 1, self.y + count)
        elif final in "Ca":
            self.x = min(self.columns - 1, self.x + count)
        elif final == "D":
            self.x = max(0, min(self.x, self.columns - 1) - count)
        elif final == "E":
            self.x, self.y = 0, min(self.rows - 1, self.y + count)
        elif final == "F":
            self.x, self.y = 0, max(0, self.y - count)
        elif final in "G`":
            self.x = min(self.columns - 1, count - 1)
        elif final in "Hf":
            column = counts[1] if len(counts) > 1 else 1
            self.y = min(self.rows - 1, max(1, count) - 1)
            self.x = min(self.columns - 1, max(1, column) - 1)
        elif final == "d":
            self.y = min(self.rows - 1, count - 1)
        elif final in "JK":
            mode = _params(params, 0)[0]
            if final == "J":
                self._erase_display(mode)
            else:
                self._erase_line(mode)
        elif final == "X":
            row = self.grid[self.y]
            end = min(self.columns, self.x + count)
            row[self.x : end] = [" "] * (end - self.x)
        elif final == "P":
            row = self.grid[self.y]
            del row[self.x : self.x + count]
            row.extend(" " * (self.columns - len(row)))
        elif final == "@":
            row = self.grid[self.y]
            row[self.x : self.x] = [" "] * count
            del row[self.columns :]
        elif final in "LM" and self.top <= self.y <= self.bottom:
            for _ in range(min(count, self.bottom - self.y + 1)):
                if final == "L":
                    self.grid.pop(self.bottom)
                    self.grid.insert(self.y, self._blank())
                else:
                    self.grid.pop(self.y)
                    self.grid.insert(self.bottom, self._blank())
        elif final == "S":
            self._scroll_up(count)
        elif final == "T":
            self._scroll_down(count)
        elif final == "r":
            top = counts[0] if params else 1
            bottom = counts[1] if len(counts) > 1 else self.rows
            if 1 <= top < bottom <= self.rows:
                self.top, self.bottom = top - 1, bottom - 1
            else:
                self.top, self.bottom = 0, self.rows - 1
            self.x = self.y = 0
        elif final == "s" and not params:
            self.saved = (self.x, self.y)
        elif final == "u" and not params:
            self.x, self.y = self.saved

    def _erase_display(self, mode: int) -> None:
        if mode == 0:
            self._erase_line(0)
            for y in range(self.y + 1, self.rows):
                self.grid[y] = self._blank()
        elif mode == 1:
            self._erase_line(1)
            for y in range(self.y):
                self.grid[y] = self._blank()
        elif mode == 2:
            self.grid = [self._blank() for _ in range(self.rows)]

    def _erase_line(self, mode: int) -> None:
        row = self.grid[self.y]
        x = min(self.x, self.columns - 1)
        if mode == 0:
            row[x:] = [" "] * (self.columns - x)
        elif mode == 1:
            row[: x + 1] = [" "] * (x + 1)
        elif mode == 2:
            self.grid[self.y] = self._blank()

    def _private_mode(self, modes: List[int], enable: bool) -> None:
        if not any(mode in (47, 1047, 1049) for mode in modes):
            return
        if enable and self.main is None:
            self.main = (self.grid, self.x, self.y)
            self.grid = [self._blank() for _ in range(self.rows)]
            self.x = self.y = 0
        elif not enable and self.main is not None:
            self.grid, self.x, self.y = self.main
            self.main = None


# --- the /usage screen -----------------------------------------------------------------------

_PERCENT = re.compile(r"(?<![\d.])(\d{1,3}(?:\.\d+)?)\s*%\s*used", re.IGNORECASE)
_RESETS = re.compile(r"\bResets\s+(.+)$", re.IGNORECASE)
_SPENT = re.compile(
    r"(?:\b(?P<code>[A-Z]{3}) )?(?P<used>[^\s/]+)\s*/\s*(?:[A-Z]{3} )?(?P<limit>\S+)\s+spent"
)
_WEEK_TITLE = re.compile(r"^Current week \((.+)\)$")
_INLINE = re.compile(r"^(.+?):\s*(\d{1,3}(?:\.\d+)?\s*%\s*used)$")
_SESSION_TITLE = "Current session"
_CREDIT_TITLE = "Claude Code and Cowork credit"
_EXTRA_TITLE = "Usage credits"
_FIXED_TITLES = (_SESSION_TITLE, _CREDIT_TITLE, _EXTRA_TITLE)
#: Box drawing, bar and padding characters around a screen line.
_FRAME = " \t\u00a0│┃|║"
#: Currency prefixes Claude Code writes (``Yy``), longest first.
_CURRENCIES = (
    ("CA$", "CAD"),
    ("A$", "AUD"),
    ("NZ$", "NZD"),
    ("S$", "SGD"),
    ("R$", "BRL"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
)


@dataclass
class _Section:
    title: str
    percent: Optional[str] = None
    resets: Optional[str] = None
    #: ``(currency code or None, used, limit)`` of the "Usage credits" section.
    spent: Optional[Tuple[Optional[str], str, str]] = None


def parse_usage_screen(
    text: str, now: datetime, *, columns: int = COLUMNS, rows: int = ROWS
) -> UsageSnapshot:
    """A snapshot from the output of Claude Code's ``/usage`` screen (raw, with escapes).

    The output is replayed on a ``columns`` x ``rows`` screen (see :class:`Screen`); when a
    section shows more than once (a redraw), the last complete one counts. Raises the error
    the screen shows (login, rate limit, ...) or the project's parse error when there is no
    usage on it; never anything but a VibeusageError.
    """
    try:
        rendered = render_screen(text, columns, rows)
        sections = _sections(rendered)
        if not sections:
            sections = _sections(strip_ansi(text))
        snapshot = _snapshot(sections, now)
    except VibeusageError:
        raise
    except Exception as exc:  # a parser must not crash on strange output
        log.debug("cannot read the /usage screen: %r", exc)
        raise parse_error(NAME, "the /usage screen could not be read") from exc
    if snapshot is None:
        error = screen_error(rendered)
        if error is not None:
            raise error
        raise parse_error(NAME, "no usage on Claude Code's /usage screen")
    return snapshot


def _clean(line: str) -> str:
    return line.strip(_FRAME)


def _section_title(line: str) -> Optional[Tuple[str, str]]:
    """``(title, rest of the line)`` when a line starts a usage section."""
    head, _, rest = line.partition("·")  # narrow layout: "<title> · Resets <when>"
    head = head.strip()
    inline = _INLINE.match(head)  # one line a section: "<title>: 12% used · resets <when>"
    if inline is not None:
        head, rest = inline.group(1).strip(), f"{inline.group(2)} · {rest}"
    if head in _FIXED_TITLES or _WEEK_TITLE.match(head):
        return head, rest.strip()
    return None


def _sections(text: str) -> List[_Section]:
    """The usage sections on a screen, each title once (its last complete showing)."""
    lines = [_clean(line) for line in text.splitlines()]
    found: Dict[str, _Section] = {}
    for index, line in enumerate(lines):
        title = _section_title(line)
        if title is None:
            continue
        section = _Section(title[0])
        body = [title[1]]
        for following in lines[index + 1 : index + 4]:
            if _section_title(following) is not None:
                break
            body.append(following)
        for part in body:
            percent = _PERCENT.search(part)
            if percent is not None and section.percent is None:
                section.percent = percent.group(1)
            resets = _RESETS.search(part)
            if resets is not None and section.resets is None:
                section.resets = resets.group(1).strip()
            spent = _SPENT.search(part)
            if spent is not None and section.spent is None:
                section.spent = (spent.group("code"), spent.group("used"), spent.group("limit"))
        if section.percent is not None:
            found[section.title] = section
    return list(found.values())


def _snapshot(sections: List[_Section], now: datetime) -> Optional[UsageSnapshot]:
    periods: List[UsagePeriod] = []
    seen = set()
    overage: Optional[OverageUsage] = None
    for section in sections:
        if section.title == _EXTRA_TITLE:
            overage = _overage(section) or overage
            continue
        period = _period(section, now)
        if period is None:
            continue
        slot = (period.period_type, period.model)
        if slot not in seen:
            seen.add(slot)
            periods.append(period)
    if not periods and overage is None:
        return None
    return UsageSnapshot(
        provider="claude",
        fetched_at=now,
        periods=periods_tuple(periods),
        overage=overage,
        source="cli",
    )


def _period(section: _Section, now: datetime) -> Optional[UsagePeriod]:
    utilization = percent_used(section.percent)
    if utilization is None:
        return None
    resets_at = parse_reset(section.resets, now) if section.resets else None
    title = section.title
    if title == _SESSION_TITLE:
        return UsagePeriod("Session (5h)", utilization, PeriodType.SESSION, resets_at)
    if title == _CREDIT_TITLE:  # a one-time credit: it expires, it does not reset
        return UsagePeriod(title, utilization, PeriodType.MONTHLY, None)
    week = _WEEK_TITLE.match(title)
    if week is None:
        return None
    scope = week.group(1).strip()
    if scope.lower() == "all models":
        return UsagePeriod("Weekly", utilization, PeriodType.WEEKLY, resets_at)
    if scope.lower() == "sonnet only":
        return UsagePeriod("Weekly (Sonnet)", utilization, PeriodType.WEEKLY, resets_at, "sonnet")
    return UsagePeriod(
        f"Weekly ({scope})", utilization, PeriodType.WEEKLY, resets_at, scope.lower()
    )


def _overage(section: _Section) -> Optional[OverageUsage]:
    """Money spent beyond the plan, from ``$5.50 / $50.00 spent`` (or ``CHF 5.50 / ...``)."""
    if section.spent is None:
        return None
    code, used_text, limit_text = section.spent
    used, symbol_code = _money(used_text)
    limit, _ = _money(limit_text)
    if used is None or limit is None:
        return None
    return OverageUsage(used=used, limit=limit, currency=code or symbol_code or "USD")


def _money(text: str) -> Tuple[Optional[Decimal], Optional[str]]:
    """An amount in major units as Claude Code writes it: ``$5.50`` -> (5.50, "USD")."""
    for prefix, code in _CURRENCIES:
        if text.startswith(prefix):
            return to_decimal(text[len(prefix) :].replace(",", "")), code
    return to_decimal(text.replace(",", "")), None


# --- reset times -----------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, name in enumerate(
        ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1
    )
}
#: ``toLocaleString("en-US")`` output (with ``AM`` already turned into ``am``), optionally
#: followed by the IANA zone: ``3pm``, ``12:30am``, ``Jul 8, 9am``, ``Jan 17, 2027, 2pm``,
#: ``Aug 1`` (date only), each with `` (Europe/Paris)``.
_WHEN = re.compile(
    r"^(?:(?P<month>[A-Za-z]{3,9})\.?\s+(?P<day>\d{1,2})(?:,\s*(?P<year>\d{4}))?"
    r",?\s*(?:at\s+)?)?"
    r"(?:(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?\s*(?P<ampm>[ap])\.?\s*m\.?)?"
    r"\s*(?:\((?P<zone>[^()]+)\))?\s*$",
    re.IGNORECASE,
)


def parse_reset(text: str, now: datetime) -> Optional[datetime]:
    """A ``Resets <when>`` text as an aware UTC datetime, or None when it cannot be read.

    A time alone is its next occurrence after ``now`` (within the minute it shows); a date
    without a year is in ``now``'s year. The zone in parentheses is read with ``zoneinfo``;
    an unknown zone (or no tz database) counts as UTC.
    """
    normalized = re.sub(r"[\s\u00a0\u202f]+", " ", text).strip()
    match = _WHEN.match(normalized)
    if match is None or not (match.group("month") or match.group("hour")):
        return None
    zone = _zone(match.group("zone"))
    local_now = _aware(now).astimezone(zone)
    hour, minute = 0, 0
    if match.group("hour"):
        hour = int(match.group("hour"))
        minute = int(match.group("minute") or 0)
        if not 1 <= hour <= 12 or minute > 59:
            return None
        hour = hour % 12 + (12 if match.group("ampm").lower() == "p" else 0)
    if match.group("month"):
        month = _MONTHS.get(match.group("month")[:3].lower())
        if month is None:
            return None
        year = int(match.group("year") or local_now.year)
        try:
            day = date(year, month, int(match.group("day")))
        except ValueError:
            return None
        return _at(day, hour, minute, zone)
    candidate = _at(local_now.date(), hour, minute, zone)
    if candidate + timedelta(minutes=1) <= _aware(now):
        candidate = _at(local_now.date() + timedelta(days=1), hour, minute, zone)
    return candidate


def _at(day: date, hour: int, minute: int, zone: tzinfo) -> datetime:
    local = datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)
    return local.astimezone(timezone.utc)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)


def _zone(name: Optional[str]) -> tzinfo:
    if not name:
        return timezone.utc
    name = name.strip()
    if name.upper() in ("UTC", "GMT", "ETC/UTC", "Z"):
        return timezone.utc
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # unknown zone, no tz database, a strange key: UTC, never a crash
        log.debug("unknown time zone %r on the /usage screen: using UTC", name)
        return timezone.utc


__all__ = [
    "COLUMNS",
    "ROWS",
    "ClaudeCli",
    "ProbeOutcome",
    "Screen",
    "child_environment",
    "parse_reset",
    "parse_usage_screen",
    "probe_usage",
    "render_screen",
    "run_usage_probe",
    "screen_error",
    "strip_ansi",
]
