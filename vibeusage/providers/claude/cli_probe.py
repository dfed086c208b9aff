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
  on the kit's terminal emulator (``kit.terminal.screen``) before anything is read from it.
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
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import TYPE_CHECKING, Dict, List, Mapping, Optional, Sequence, Tuple

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.http_errors import DEFAULT_RETRY_AFTER
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
    from ...kit.terminal.pty import TerminalSession

log = logging.getLogger(__name__)

#: Size of the pseudo-terminal (and of the emulated screen the output is replayed on).
COLUMNS = 120
ROWS = 40
#: Time kept back from the strategy's budget to stop the child before the pipeline gives up.
CLEANUP_RESERVE = 1.5
MAX_TRUST_ANSWERS = 3
#: Output beyond this many characters is not read (a runaway program).
MAX_OUTPUT = 4_000_000

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
    program = "claude"

    def __init__(self, timings: Optional["ProbeTimings"] = None) -> None:
        #: The probe's waits (None: the real ones); tests pass short ones.
        self.timings = timings

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
            outcome = probe_usage(
                [claude], budget, ctx.environ, workdir=_probe_dir(ctx), timings=self.timings
            )
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
    trusted once. It lives in the provider's cache folder, so `cache clear claude` removes
    it (the trust answer is Claude Code's and stays for the same path). None (a throw-away
    directory) when it cannot be made.
    """
    path = ctx.state.cache_file("probe")
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


# --- the conversation ------------------------------------------------------------------------


@dataclass(frozen=True)
class ProbeTimings:
    """How long the probe waits for what, in seconds (tests pass short ones)."""

    #: The longest one read waits before the screen is looked at again.
    tick: float = 0.05
    #: No output for this long: the screen is drawn.
    quiet: float = 0.3
    #: Between typing ``/usage`` and Enter (a single chunk would be taken for a paste).
    type_delay: float = 0.25
    #: A prompt (or usage screen) visible this long counts as ready even while something
    #: keeps redrawing.
    settle: float = 1.5
    #: No prompt recognised, but the output has been quiet this long: type ``/usage`` anyway.
    stall_quiet: float = 2.5
    #: Between two answers to a trust dialog that is still on screen.
    trust_retry: float = 2.0
    #: The seeded numbers are taken when "Refreshing…" stays up this long.
    refresh_grace: float = 3.0
    #: The Usage tab without limits (no subscription login) is final after this much quiet.
    no_limits_quiet: float = 1.0
    #: After ``/usage``: nothing usage-like on screen and quiet this long, give up early.
    give_up_quiet: float = 6.0


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


def run_usage_probe(
    command: Sequence[str],
    timeout: float,
    environ: Mapping[str, str],
    *,
    timings: Optional[ProbeTimings] = None,
) -> str:
    """Run ``command`` (the ``claude`` TUI) in a pseudo-terminal, show ``/usage``, return output.

    Returns everything read (decoded) once the usage screen is complete, an error shows, the
    program exits or ``timeout`` seconds pass. Raises an authentication VibeusageError when
    Claude Code turns out not to be logged in (its login or onboarding screens), and a
    VibeusageError when it cannot be started. The process group is killed on every path.
    """
    return probe_usage(command, timeout, environ, timings=timings).text


def probe_usage(
    command: Sequence[str],
    timeout: float,
    environ: Mapping[str, str],
    *,
    workdir: Optional[str] = None,
    timings: Optional[ProbeTimings] = None,
) -> ProbeOutcome:
    """:func:`run_usage_probe` with how it ended; ``workdir`` None = a throw-away directory."""
    if sys.platform.startswith("win"):
        raise _no_pty_error()
    timings = timings or ProbeTimings()
    if workdir is not None:
        return _probe_in(command, timeout, environ, workdir, timings)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="vibeusage-claude-") as tmp:
        return _probe_in(command, timeout, environ, tmp, timings)


def _probe_in(
    command: Sequence[str],
    timeout: float,
    environ: Mapping[str, str],
    workdir: str,
    timings: ProbeTimings,
) -> ProbeOutcome:
    from ...kit.terminal.pty import STOPPED, StartError, Timings, open_terminal

    try:
        session = open_terminal(
            command,
            env=child_environment(environ),
            cwd=workdir,
            rows=ROWS,
            columns=COLUMNS,
            total=timeout,
            max_output=MAX_OUTPUT,
            timings=Timings(tick=timings.tick, quiet=timings.quiet, type_delay=timings.type_delay),
        )
    except StartError as exc:
        if exc.what == "terminal":
            raise VibeusageError(
                f"Cannot open a pseudo-terminal for Claude Code: {exc.reason}",
                ErrorCategory.PROVIDER,
            ) from exc.cause
        raise VibeusageError(
            f"Cannot start Claude Code ({command[0] if command else '?'}): {exc.reason}",
            ErrorCategory.NOT_FOUND,
            remediation="Check that `claude` runs from a terminal.",
        ) from exc.cause
    conversation = _Conversation(timings)
    with session:
        result = session.run(conversation.step)
    stage = "done" if result.ended == STOPPED else conversation.stage
    return ProbeOutcome(result.output, stage, result.timed_out, result.returncode)


def child_environment(environ: Mapping[str, str]) -> Dict[str, str]:
    """The environment ``claude`` runs with: the caller's, fit for a 120x40 xterm."""
    from ...kit.terminal.pty import terminal_environment

    kept = {key: value for key, value in environ.items() if key not in DROPPED_ENV}
    env = terminal_environment(kept, ROWS, COLUMNS)
    # A probe must not update the user's installation (and get killed half-way through).
    env.setdefault("DISABLE_AUTOUPDATER", "1")
    return env


class _Conversation:
    """Claude Code's side of the probe: what to answer or type for what its screen shows."""

    def __init__(self, timings: ProbeTimings) -> None:
        self.timings = timings
        self.stage = "start"
        self.trust_answers = 0
        self.trust_answered_at = 0.0
        self.prompt_since: Optional[float] = None
        self.complete_since: Optional[float] = None

    def step(self, session: "TerminalSession") -> bool:
        """Act on what the screen shows now; True when the probe is over."""
        now = time.monotonic()
        view = session.view()
        quiet = session.quiet_for(now)
        blocker = _login_error(view)
        if blocker is not None:
            raise blocker
        if self.stage == "start":
            self._start_step(session, view, now, quiet)
            return False
        return self._usage_step(view, now, quiet)

    def _start_step(self, session: "TerminalSession", view: str, now: float, quiet: float) -> None:
        timings = self.timings
        if _prompt_visible(view):
            if self.prompt_since is None:
                self.prompt_since = now
            if quiet >= timings.quiet or now - self.prompt_since >= timings.settle:
                self._type_usage(session)
            return
        self.prompt_since = None
        if _trust_visible(view):
            if (
                quiet >= timings.quiet
                and self.trust_answers < MAX_TRUST_ANSWERS
                and (self.trust_answers == 0 or now - self.trust_answered_at >= timings.trust_retry)
            ):
                log.debug("claude asks whether to trust its working directory: yes")
                session.send(b"\r")
                self.trust_answers += 1
                self.trust_answered_at = now
            return
        if session.seen_output and quiet >= timings.stall_quiet:
            log.debug("no prompt recognised on claude's screen: typing /usage anyway")
            self._type_usage(session)

    def _type_usage(self, session: "TerminalSession") -> None:
        self.stage = "typed"
        session.type(b"/usage", b"\r", delay=self.timings.type_delay)
        if session.ended is None:
            self.stage = "sent"  # typing is activity: quiet is counted from the command on

    def _usage_step(self, view: str, now: float, quiet: float) -> bool:
        timings = self.timings
        if screen_error(view) is not None:
            return quiet >= (timings.no_limits_quiet if _no_limits(view) else timings.quiet)
        if _usage_visible(view):
            if self.complete_since is None:
                self.complete_since = now
            if "Refreshing…" in view and now - self.complete_since < timings.refresh_grace:
                return False
            return quiet >= timings.quiet or now - self.complete_since >= timings.settle
        self.complete_since = None
        if _LOADING in view:
            self.stage = "loading"
            return False
        return quiet >= timings.give_up_quiet


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

    The output is replayed on a ``columns`` x ``rows`` screen (``kit.terminal.screen``); when a
    section shows more than once (a redraw), the last complete one counts. Raises the error
    the screen shows (login, rate limit, ...) or the project's parse error when there is no
    usage on it; never anything but a VibeusageError.
    """
    from ...kit.terminal.screen import render_screen, strip_ansi

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
    "ProbeTimings",
    "child_environment",
    "parse_reset",
    "parse_usage_screen",
    "probe_usage",
    "run_usage_probe",
    "screen_error",
]
