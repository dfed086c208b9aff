"""Kiro's ``cli`` strategy: ask ``kiro-cli`` who is logged in and for its ``/usage`` screen.

``kiro-cli whoami --format json`` (5 s) gives the email and, above all, whether anyone is
logged in: ``{"account": null}`` (exit 0) ends the strategy before ``/usage``. Then
``kiro-cli chat --no-interactive /usage`` runs over pipes: 20 s at most, never past the
strategy's budget minus the clean-up reserve, and 4 s without new output once it has started
ends the read (recent releases keep running after printing). Only when that run exited
without writing anything is it tried once more in a pseudo-terminal (POSIX), within the same
deadline. Each child runs in its own process group, with stdin closed, in a throw-away
directory; the group gets SIGTERM, SIGKILL one second later, and is reaped on every path.
This strategy makes no HTTP request: its numbers are kiro-cli's.
"""

import logging
import sys
import time
from dataclasses import dataclass
from datetime import tzinfo
from typing import Dict, List, Mapping, Optional

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...models import UsageSnapshot
from ..base import FetchContext, FetchResult, Strategy
from .local import INSTALL_HINT, NAME, PROGRAM, find_program, state_db_path
from .screen import (
    PARSE_HINT,
    Whoami,
    login_error,
    parse_usage_screen,
    parse_whoami,
)

log = logging.getLogger(__name__)

WHOAMI_ARGS = ("whoami", "--format", "json")
USAGE_ARGS = ("chat", "--no-interactive", "/usage")
WHOAMI_CAP = 5.0
USAGE_CAP = 20.0
#: Once output has started, this long without more ends the read.
IDLE_AFTER_OUTPUT = 4.0
#: SIGTERM to SIGKILL.
KILL_GRACE = 1.0
#: Kept back from the strategy's budget for the kill sequence (SIGTERM, grace, SIGKILL, reap):
#: the pipeline abandons a strategy at its budget, and no child may outlive the run.
CLEANUP_RESERVE = 2.0
TIMEOUT_HINT = "kiro-cli did not answer /usage in time; check the network and retry."


@dataclass(frozen=True)
class UsageRun:
    """What ``/usage`` wrote (ANSI stripped) and how its run ended."""

    text: str
    timed_out: bool
    returncode: Optional[int]
    #: The seconds it was given.
    cap: float


class KiroCli(Strategy):
    """``kiro-cli whoami`` and ``kiro-cli chat --no-interactive /usage``, read as text."""

    name = "cli"
    label = "kiro-cli (/usage)"
    program = "kiro-cli"

    def __init__(
        self,
        whoami_cap: float = WHOAMI_CAP,
        usage_cap: float = USAGE_CAP,
        idle: float = IDLE_AFTER_OUTPUT,
        grace: float = KILL_GRACE,
        zone: Optional[tzinfo] = None,
    ) -> None:
        self.whoami_cap = whoami_cap
        self.usage_cap = usage_cap
        self.idle = idle
        self.grace = grace
        #: The zone "resets on" dates are local to (None: the machine's).
        self.zone = zone

    def available(self, ctx: FetchContext) -> bool:
        # Installed is not logged in: kiro-cli must have been used here (its state) or be
        # given a headless key.
        if find_program(ctx).path is None:
            return False
        return state_db_path(ctx).is_file() or bool(ctx.environ.get("KIRO_API_KEY"))

    def explain(self, ctx: FetchContext) -> str:
        program = find_program(ctx)
        if program.path is None:
            return f"{self.label}: {program.detail}"
        state = state_db_path(ctx)
        if state.is_file():
            return f"{self.label}: {program.detail}, state {state}"
        if ctx.environ.get("KIRO_API_KEY"):
            return f"{self.label}: {program.detail}, KIRO_API_KEY set"
        return f"{self.label}: {program.detail} found, but no state at {state} (never logged in)"

    def run(self, ctx: FetchContext) -> FetchResult:
        import tempfile

        budget_end = time.monotonic() + ctx.timeout - CLEANUP_RESERVE
        program = find_program(ctx).path
        if program is None:
            raise VibeusageError(
                f"kiro-cli was not found ({find_program(ctx).detail})",
                ErrorCategory.NOT_FOUND,
                remediation=INSTALL_HINT,
            )
        env = child_environment(ctx.environ)
        with tempfile.TemporaryDirectory(prefix="vibeusage-kiro-") as workdir:
            whoami = self._whoami(program, env, workdir, budget_end)
            if whoami is not None and not whoami.logged_in:
                raise login_error("`kiro-cli whoami` shows no account")
            usage = self._usage(program, env, workdir, budget_end)
        return FetchResult.ok(self._snapshot(ctx, usage, whoami))

    def _whoami(
        self, program: str, env: Mapping[str, str], workdir: str, budget_end: float
    ) -> Optional[Whoami]:
        """Who is logged in; None when whoami fails or times out (that costs the identity only)."""
        from ...kit.capture import run_captured
        from ...kit.terminal.screen import strip_ansi

        cap = min(self.whoami_cap, budget_end - time.monotonic())
        if cap <= 0:
            return None
        try:
            captured = run_captured(
                [program, *WHOAMI_ARGS], env=env, cwd=workdir, total=cap, grace=self.grace
            )
        except OSError as exc:
            raise _start_error(exc) from exc
        if captured.timed_out:
            log.debug("kiro-cli whoami did not answer within %.3g s", cap)
        return parse_whoami(strip_ansi(captured.text))

    def _usage(
        self, program: str, env: Mapping[str, str], workdir: str, budget_end: float
    ) -> UsageRun:
        """The ``/usage`` output and how its run ended."""
        from ...kit.capture import run_captured
        from ...kit.terminal.screen import strip_ansi

        deadline = min(time.monotonic() + self.usage_cap, budget_end)
        cap = deadline - time.monotonic()
        if cap <= 0:
            raise _timeout_error(0.0)
        argv = [program, *USAGE_ARGS]
        try:
            captured = run_captured(
                argv, env=env, cwd=workdir, total=cap, idle=self.idle, grace=self.grace
            )
        except OSError as exc:
            raise _start_error(exc) from exc
        if captured.silent and not captured.timed_out and _has_pty():
            left = deadline - time.monotonic()
            if left > 0:
                log.debug("kiro-cli /usage wrote nothing over pipes: retrying in a terminal")
                return self._usage_in_terminal(argv, env, workdir, left, cap)
        return UsageRun(strip_ansi(captured.text), captured.timed_out, captured.returncode, cap)

    def _usage_in_terminal(
        self, argv: List[str], env: Mapping[str, str], workdir: str, total: float, cap: float
    ) -> UsageRun:
        from ...kit.processes import terminate_group
        from ...kit.terminal.pty import (
            StartError,
            TerminalSession,
            open_terminal,
            terminal_environment,
        )
        from ...kit.terminal.screen import strip_ansi

        def done(session: TerminalSession) -> bool:
            return session.seen_output and session.quiet_for() >= self.idle

        try:
            session = open_terminal(argv, env=terminal_environment(env), cwd=workdir, total=total)
        except StartError as exc:
            if exc.what == "terminal":
                return UsageRun("", False, None, cap)
            raise _start_error(exc.cause) from exc.cause
        with session:
            try:
                result = session.run(done)
            finally:
                terminate_group(session.process, grace=self.grace)
        return UsageRun(strip_ansi(result.output), result.timed_out, result.returncode, cap)

    def _snapshot(
        self, ctx: FetchContext, usage: UsageRun, whoami: Optional[Whoami]
    ) -> UsageSnapshot:
        try:
            return parse_usage_screen(usage.text, ctx.now(), self.zone or _local_zone(), whoami)
        except VibeusageError as exc:
            if exc.category is not ErrorCategory.PARSE:
                raise
            if usage.timed_out:
                raise _timeout_error(usage.cap) from exc
            if not usage.text.strip():
                code = usage.returncode
                error = parse_error(
                    NAME,
                    "kiro-cli /usage wrote nothing"
                    + (f" (exit status {code})" if code is not None else ""),
                )
                error.remediation = PARSE_HINT
                raise error from exc
            raise


def child_environment(environ: Mapping[str, str]) -> Dict[str, str]:
    """The caller's environment (``KIRO_API_KEY`` included), with a ``TERM`` when it has none."""
    env = dict(environ)
    env.setdefault("TERM", "xterm-256color")
    return env


def _has_pty() -> bool:
    return not sys.platform.startswith("win")


def _local_zone() -> tzinfo:
    from datetime import datetime

    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def _start_error(exc: OSError) -> VibeusageError:
    return VibeusageError(
        f"Cannot start {PROGRAM}: {exc.strerror or exc}",
        ErrorCategory.NOT_FOUND,
        remediation=INSTALL_HINT,
    )


def _timeout_error(cap: float) -> VibeusageError:
    within = f" within {cap:.3g} s" if cap > 0 else " in the time left"
    return VibeusageError(
        f"kiro-cli did not answer /usage{within}",
        ErrorCategory.NETWORK,
        remediation=TIMEOUT_HINT,
    )
