"""Augment's ``cli`` strategy: ``auggie account status --json``, run so it cannot touch the login.

The real auggie deletes ``<cache dir>/session.json`` whenever the tenant answers 401 — even
when the session it used came from ``AUGMENT_SESSION_AUTH`` — and writes ``.auggie.json``
there on every run; its cache dir defaults to ``~/.augment``. So auggie is only ever run:

- with ``--augment-cache-dir T``, ``T`` a fresh private folder vibeusage made (0700, inside
  vibeusage's own cache, never inside ``~/.augment``) and removes afterwards;
- with ``HOME`` (and ``USERPROFILE``, the XDG folders) pointing at ``T`` too, and ``T`` as its
  working folder, so nothing it writes can land in the real home;
- with the session in ``AUGMENT_SESSION_AUTH`` of its environment, never on its command line;
- never for a session Augment has rejected (``rejections.py``), in its own process group,
  stdin closed, for at most 15 s, killed with its group on every path.
"""

import json
import shutil
import time
from pathlib import Path
from typing import Dict, Optional

from ...errors import ErrorCategory, VibeusageError, redact
from ...kit.run import ToolRun, run_captured
from ..base import FetchContext, FetchResult, Strategy
from .rejections import mark_rejected, was_rejected
from .session import ENV_VAR, AugmentSession, has_session, load_session
from .usage import NAME, parse_account_status

BINARY_VARIABLE = "AUGGIE_CLI_PATH"
ARGS = ("account", "status", "--json")
TIME_CAP = 15.0
#: Kept from the strategy's budget to stop the child before the pipeline gives up on us.
CLEANUP_RESERVE = 1.0
#: Variables auggie would take as another credential than the session it is given.
DROPPED = ("AUGMENT_API_TOKEN", "AUGMENT_API_URL")
HOME_VARIABLES = ("HOME", "USERPROFILE", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME")
MAX_STDERR_SHOWN = 300
RELOGIN = "Run `auggie login` to log in again."


def auggie_path(ctx: FetchContext) -> Optional[str]:
    """``$AUGGIE_CLI_PATH`` when set, else ``auggie`` on the context's PATH."""
    override = ctx.environ.get(BINARY_VARIABLE, "").strip()
    if override:
        if Path(override).is_file():
            return override
        return shutil.which(override, path=ctx.environ.get("PATH"))
    return shutil.which("auggie", path=ctx.environ.get("PATH"))


def child_environment(ctx: FetchContext, session: AugmentSession, private: Path) -> Dict[str, str]:
    """The user's environment, with the session and every home pointed at the private dir."""
    env = {k: v for k, v in ctx.environ.items() if k not in DROPPED}
    for name in HOME_VARIABLES:
        env[name] = str(private)
    env[ENV_VAR] = session.text
    return env


def is_inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder.resolve())
    except ValueError:
        return False
    return True


def make_private_dir(ctx: FetchContext) -> Path:
    """A new 0700 folder for one auggie run, which must not lie in the real ``~/.augment``."""
    import tempfile

    private = Path(tempfile.mkdtemp(prefix="auggie-", dir=ctx.state.private_cache_dir()))
    if is_inside(private, ctx.home / ".augment"):
        shutil.rmtree(private, ignore_errors=True)
        raise VibeusageError(
            "vibeusage's cache folder is inside ~/.augment; auggie is not run there",
            ErrorCategory.CONFIGURATION,
            remediation="Point VIBEUSAGE_CACHE_DIR somewhere else.",
        )
    return private


def stderr_text(run: ToolRun, session: AugmentSession) -> str:
    text = run.stderr.decode("utf-8", "replace").strip()
    text = redact(text, secrets=[session.access_token, session.text])
    return " ".join(text.split())[:MAX_STDERR_SHOWN]


def failure(ctx: FetchContext, run: ToolRun, session: AugmentSession) -> VibeusageError:
    """What a failed ``auggie account status`` said, as the project's error."""
    text = stderr_text(run, session)
    lowered = text.lower()
    detail = f": {text}" if text else f" (exit code {run.returncode})"
    if "not currently logged in" in lowered:
        return VibeusageError(
            "auggie says it is not logged in to Augment",
            ErrorCategory.AUTHENTICATION,
            remediation=RELOGIN,
        )
    if "not available for your current plan" in lowered:
        return VibeusageError(
            "This Augment account has no subscription with a credit balance (auggie: "
            "`account status` is not available for the plan)",
            ErrorCategory.AUTHORIZATION,
            remediation="See https://app.augmentcode.com/account/subscription.",
        )
    if "401" in lowered or "unauthorized" in lowered or "configure augment api url" in lowered:
        mark_rejected(ctx, session.access_token)
        return VibeusageError(
            f"Augment rejected the auggie login from {session.source} (auggie{detail})",
            ErrorCategory.AUTHENTICATION,
            remediation=RELOGIN,
        )
    if "429" in lowered or "too many requests" in lowered:
        from ...kit.http_errors import DEFAULT_RETRY_AFTER

        return VibeusageError(
            "Augment is rate limiting usage requests (auggie: HTTP 429)",
            ErrorCategory.RATE_LIMITED,
            remediation="Wait a few minutes before retrying.",
            retry_after=DEFAULT_RETRY_AFTER,
        )
    return VibeusageError(f"`auggie account status` failed{detail}", ErrorCategory.PROVIDER)


class AugmentCli(Strategy):
    """``auggie account status --json`` in a private cache dir and home."""

    name = "cli"
    label = "auggie CLI (account status)"
    program = "auggie"

    def __init__(self, time_cap: float = TIME_CAP) -> None:
        self.time_cap = time_cap

    def available(self, ctx: FetchContext) -> bool:
        return auggie_path(ctx) is not None and has_session(ctx)

    def explain(self, ctx: FetchContext) -> str:
        program = auggie_path(ctx)
        if program is None:
            return f"{self.label}: auggie not found ({BINARY_VARIABLE} or PATH)"
        if not has_session(ctx):
            return f"{self.label}: {program}, but no session to give it"
        return f"{self.label}: {program}"

    def run(self, ctx: FetchContext) -> FetchResult:
        program = auggie_path(ctx)
        if program is None:
            raise VibeusageError(
                "auggie is not installed", ErrorCategory.NOT_FOUND, remediation=RELOGIN
            )
        session = load_session(ctx)
        if was_rejected(ctx, session.access_token):
            raise VibeusageError(
                "Augment rejected this auggie login before; auggie is not run with it (it "
                "would delete the login)",
                ErrorCategory.AUTHENTICATION,
                remediation=RELOGIN,
            )
        timeout = min(self.time_cap, max(0.5, ctx.timeout - CLEANUP_RESERVE))
        private = make_private_dir(ctx)
        started = time.monotonic()
        try:
            argv = [program, "--augment-cache-dir", str(private), *ARGS]
            env = child_environment(ctx, session, private)
            try:
                done = run_captured(argv, env=env, timeout=timeout, cwd=str(private))
            except OSError as exc:
                raise VibeusageError(
                    f"Cannot start auggie: {exc.strerror or type(exc).__name__}",
                    ErrorCategory.PROVIDER,
                    remediation="Check the auggie installation (`auggie --version`).",
                ) from exc
        finally:
            shutil.rmtree(private, ignore_errors=True)
        if done.timed_out:
            raise VibeusageError(
                f"auggie did not answer within {time.monotonic() - started:.0f} s",
                ErrorCategory.PROVIDER,
                remediation="Retry later; run `auggie account status` by hand to see why.",
            )
        if done.returncode != 0:
            raise failure(ctx, done, session)
        try:
            payload = json.loads(done.stdout.decode("utf-8"))
        except (ValueError, RecursionError) as exc:
            raise VibeusageError(
                "auggie printed something other than the JSON account status",
                ErrorCategory.PROVIDER,
                remediation="Update auggie (`auggie upgrade`); `--json` needs a recent version.",
            ) from exc
        from ...kit.http import decoding

        with decoding(NAME, "auggie's account status"):
            return FetchResult.ok(parse_account_status(payload, ctx.now(), source=self.name))
