"""Antigravity's ``cli`` strategy: ``agy -p /quota --output-format json``.

agy answers slash commands without a model turn (1.1–1.3). It runs with stdin closed, in its
own process group, in a throw-away directory, with ``AGY_CLI_DISABLE_AUTO_UPDATE=true`` (an
update mid-run would be killed half-way), for 20 s at most and never past the strategy's
budget minus the clean-up reserve; its group is killed on every path. agy owns its login
(the OS keyring or its token file) and renews it itself.
"""

from ...errors import ErrorCategory, VibeusageError
from ..base import FetchContext, FetchResult, Strategy
from .envelope import parse_agy_output
from .local import PROGRAM, agy_data_dir, find_agy

ARGS = ("-p", "/quota", "--output-format", "json")
CAP = 20.0
KILL_GRACE = 1.0
#: Kept back from the strategy's budget for the kill sequence.
CLEANUP_RESERVE = 2.0
INSTALL_HINT = "Install agy (Antigravity's CLI) and run it once to sign in."


class AntigravityCli(Strategy):
    """``agy -p /quota``: agy's own view of the quota, through its login."""

    name = "cli"
    label = "agy CLI (/quota)"
    program = "agy"

    def __init__(self, cap: float = CAP, grace: float = KILL_GRACE) -> None:
        self.cap = cap
        self.grace = grace

    def available(self, ctx: FetchContext) -> bool:
        # agy installed is not agy signed in: its data folder exists once it has run here.
        return find_agy(ctx) is not None and agy_data_dir(ctx).is_dir()

    def explain(self, ctx: FetchContext) -> str:
        program = find_agy(ctx)
        if program is None:
            return f"{self.label}: `{PROGRAM}` not found (ANTIGRAVITY_CLI_PATH, PATH)"
        folder = agy_data_dir(ctx)
        if folder.is_dir():
            return f"{self.label}: {program}, data {folder}"
        return f"{self.label}: {program} found, but agy has not run here (no {folder})"

    def run(self, ctx: FetchContext) -> FetchResult:
        import tempfile

        from ...kit.capture import run_captured

        cap = min(self.cap, ctx.timeout - CLEANUP_RESERVE)
        program = find_agy(ctx)
        if program is None:
            raise VibeusageError(
                "agy was not found", ErrorCategory.NOT_FOUND, remediation=INSTALL_HINT
            )
        if cap <= 0:
            raise _timeout_error(0.0)
        env = dict(ctx.environ)
        env["AGY_CLI_DISABLE_AUTO_UPDATE"] = "true"
        with tempfile.TemporaryDirectory(prefix="vibeusage-agy-") as workdir:
            try:
                captured = run_captured(
                    [program, *ARGS], env=env, cwd=workdir, total=cap, grace=self.grace
                )
            except OSError as exc:
                raise VibeusageError(
                    f"Cannot start agy: {exc.strerror or exc}",
                    ErrorCategory.NOT_FOUND,
                    remediation=INSTALL_HINT,
                ) from exc
        try:
            snapshot = parse_agy_output(captured.stdout, captured.stderr, ctx.now())
        except VibeusageError as exc:
            if exc.category is ErrorCategory.PARSE and captured.timed_out:
                raise _timeout_error(cap) from exc
            raise
        return FetchResult.ok(snapshot)


def _timeout_error(waited: float) -> VibeusageError:
    within = f" within {waited:.3g} s" if waited > 0 else " in the time left"
    return VibeusageError(
        f"agy did not answer /quota{within}",
        ErrorCategory.NETWORK,
        remediation="Check the network, run `agy -p /quota` to see what it shows, and retry.",
    )
