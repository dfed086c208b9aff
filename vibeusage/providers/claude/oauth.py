"""Claude's ``oauth`` strategy: Claude Code's own login against the usage endpoint.

Credentials come from ``.credentials.json`` (or, on macOS, the Keychain item Claude Code
uses) and are only ever read. Claude Code's refresh tokens rotate, so an expired or
rejected token is renewed by running ``claude`` itself (delegated refresh), never over HTTP.
"""

import json
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...kit.delegated import refresh_by_cli
from ...kit.files import read_tool_json
from ...kit.http import decoding
from ...kit.identity import usage_and_identity
from ...kit.values import MaskedRepr, fingerprint, opt_str
from ...models import ProviderIdentity
from ...timeparse import from_epoch
from ..base import FetchContext, FetchResult, Strategy
from .usage import NAME, parse_identity, parse_usage, plan_name

API_BASE = "https://api.anthropic.com"
USAGE_URL = f"{API_BASE}/api/oauth/usage"
ACCOUNT_URL = f"{API_BASE}/api/oauth/account"
OAUTH_BETA = "oauth-2025-04-20"
KEYCHAIN_SERVICE = "Claude Code-credentials"
KEYCHAIN_TIMEOUT = 2.0
REFRESH_TIMEOUT = 15.0
#: A one-word prompt on the cheapest model, no tools, no session file, a tiny budget cap:
#: enough for Claude Code to renew its login, as cheap as a request can be.
REFRESH_ARGS = (
    "-p", "ok",
    "--model", "haiku",
    "--output-format", "json",
    "--no-session-persistence",
    "--permission-mode", "plan",
    "--allowed-tools", "",
    "--max-budget-usd", "0.001",
)  # fmt: skip
LOGIN_HINT = "Run `claude` once so Claude Code renews its login (or `claude login`), then retry."
INFERENCE_ONLY_HINT = (
    "This token has only the `user:inference` scope (as made by `claude setup-token`), "
    "which cannot read usage. Log in with `claude` instead."
)


@dataclass(frozen=True, repr=False)
class ClaudeCredentials(MaskedRepr):
    """The parts of Claude Code's ``claudeAiOauth`` entry that vibeusage uses."""

    SECRET_FIELDS = ("access_token",)

    access_token: str
    expires_at: Optional[datetime]
    scopes: Tuple[str, ...]
    subscription_type: Optional[str]
    rate_limit_tier: Optional[str]
    source: str = "file"


# --- credential sources ----------------------------------------------------------------


def credentials_path(ctx: FetchContext) -> Path:
    """``$CLAUDE_CONFIG_DIR/.credentials.json``, else ``~/.claude/.credentials.json``."""
    return _config_dir(ctx) / ".credentials.json"


def _config_dir(ctx: FetchContext) -> Path:
    base = ctx.environ.get("CLAUDE_CONFIG_DIR")
    return Path(base).expanduser() if base else ctx.home / ".claude"


def read_credentials(path: Path) -> ClaudeCredentials:
    """Read (never write) Claude Code's credentials file."""
    return parse_credentials(read_tool_json(path, "Claude Code credentials", LOGIN_HINT), path)


def _json_document(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise VibeusageError(
            f"Claude Code credentials in {where} are not valid JSON",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        ) from exc


def parse_credentials(data: Any, path: Any, source: str = "file") -> ClaudeCredentials:
    entry = data.get("claudeAiOauth") if isinstance(data, dict) else None
    token = entry.get("accessToken") if isinstance(entry, dict) else None
    if not isinstance(entry, dict) or not isinstance(token, str) or not token.strip():
        raise VibeusageError(
            f"No Claude Code OAuth token in {path}",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    scopes = entry.get("scopes")
    return ClaudeCredentials(
        access_token=token.strip(),
        expires_at=from_epoch(entry.get("expiresAt"), "ms"),
        scopes=tuple(s for s in scopes if isinstance(s, str)) if isinstance(scopes, list) else (),
        subscription_type=opt_str(entry.get("subscriptionType")),
        rate_limit_tier=opt_str(entry.get("rateLimitTier")),
        source=source,
    )


def read_keychain(ctx: FetchContext) -> Optional[ClaudeCredentials]:
    """Claude Code's macOS Keychain item, read with the ``security`` tool (darwin only)."""
    if ctx.platform != "darwin":
        return None
    security = shutil.which("security", path=ctx.environ.get("PATH"))
    if security is None:
        return None
    import subprocess

    try:
        done = subprocess.run(
            [security, "find-generic-password", "-s", KEYCHAIN_SERVICE, "-w"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=KEYCHAIN_TIMEOUT,
            env=dict(ctx.environ),
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode != 0 or not done.stdout.strip():
        return None
    where = f"the Keychain item {KEYCHAIN_SERVICE!r}"
    return parse_credentials(_json_document(done.stdout.strip(), where), where, "keychain")


def load_credentials(ctx: FetchContext) -> ClaudeCredentials:
    """The credentials file first, then (macOS) the Keychain."""
    path = credentials_path(ctx)
    if path.is_file() or ctx.platform != "darwin":
        return read_credentials(path)
    creds = read_keychain(ctx)
    if creds is None:
        raise VibeusageError(
            "No Claude Code login found (neither the credentials file nor the Keychain)",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    return creds


# --- the strategy ----------------------------------------------------------------------


class ClaudeOAuth(Strategy):
    """Claude Code's OAuth token against the usage endpoint."""

    name = "oauth"
    label = "Claude Code login"

    def available(self, ctx: FetchContext) -> bool:
        # Any file at the path counts: a FIFO or a link to a device there is then an error
        # naming the file, not "no credentials found".
        path = credentials_path(ctx)
        if path.exists() and not path.is_dir():
            return True
        # macOS keeps the login in the Keychain; ~/.claude says Claude Code is installed.
        return ctx.platform == "darwin" and _config_dir(ctx).is_dir()

    def unusable(self, ctx: FetchContext) -> Optional[str]:
        # Only the file (no Keychain tool run for a cheap check), and only a token whose
        # scopes are listed and say inference only: `claude setup-token`'s kind.
        path = credentials_path(ctx)
        if not path.is_file():
            return None
        try:
            creds = read_credentials(path)
        except VibeusageError:
            return None  # the run says what is wrong with the file
        if creds.scopes and "user:profile" not in creds.scopes:
            return (
                f"the token in {path} has only the `user:inference` scope (as made by "
                "`claude setup-token`), which cannot read usage"
            )
        return None

    def explain(self, ctx: FetchContext) -> str:
        path = credentials_path(ctx)
        if path.is_file():
            return f"Claude Code login in {path}"
        if self.available(ctx):
            return f"Claude Code login in the macOS Keychain ({KEYCHAIN_SERVICE!r})"
        return f"no Claude Code login ({path} not found)"

    def run(self, ctx: FetchContext) -> FetchResult:
        creds = load_credentials(ctx)
        # Even with a token past its expiry the usage request goes first: offline it fails
        # at once with the network's own error (and the chain stops there), where starting
        # `claude` to renew the login would wait for the whole refresh timeout. Online the
        # expired token costs one 401 before the renewal.
        if _expired(creds, ctx):
            response = self._get(ctx, USAGE_URL, creds, accept=(401,))
            identity = ProviderIdentity(
                plan=plan_name(creds.subscription_type, creds.rate_limit_tier)
            )
        else:
            response, identity = self._usage_and_identity(ctx, creds, (401,))
        if response.status_code == 401:
            renewed = self._delegated_refresh(ctx, creds)
            if renewed is None:
                if _expired(creds, ctx):
                    raise VibeusageError(
                        "Claude Code's access token has expired",
                        ErrorCategory.AUTHENTICATION,
                        remediation=LOGIN_HINT,
                    )
                raise ctx.http.error(response, _remediation(creds))
            creds = renewed
            response, identity = self._usage_and_identity(ctx, creds)  # a second 401 is raised
        payload = ctx.http.json(response, "usage data")
        with decoding(NAME, "usage data"):
            snapshot = parse_usage(payload, ctx.now(), identity=identity, source=self.name)
        return FetchResult.ok(snapshot)

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _get(
        ctx: FetchContext, url: str, creds: ClaudeCredentials, accept: Tuple[int, ...] = ()
    ) -> Any:
        return ctx.http.get(
            url,
            what="usage data",
            headers={
                "Authorization": f"Bearer {creds.access_token}",
                "anthropic-beta": OAUTH_BETA,
                "Accept": "application/json",
            },
            accept=accept,
            remediation=_remediation(creds),
        )

    @staticmethod
    def _delegated_refresh(
        ctx: FetchContext, creds: ClaudeCredentials
    ) -> Optional[ClaudeCredentials]:
        """Run ``claude`` so it renews its own login; the new credentials, or None."""
        if ctx.config.options.get("cli_refresh", True) is False:
            return None
        claude = shutil.which("claude", path=ctx.environ.get("PATH"))
        if claude is None:
            return None
        reread = _rereader(ctx, creds.source)
        changed = refresh_by_cli(
            [claude, *REFRESH_ARGS],
            lambda: _token_or_none(reread),
            creds.access_token,
            min(REFRESH_TIMEOUT, max(1.0, ctx.timeout - 2.0)),
            ctx.environ,
            lock_path=ctx.state.cache_file(".refresh.lock"),
        )
        return reread() if changed else None

    @staticmethod
    def _usage_and_identity(
        ctx: FetchContext, creds: ClaudeCredentials, accept: Tuple[int, ...] = ()
    ) -> Tuple[Any, ProviderIdentity]:
        """The usage response and the account: the account from its 24 h cache, else asked
        for at the same time as the usage (one round trip)."""
        fallback = ProviderIdentity(plan=plan_name(creds.subscription_type, creds.rate_limit_tier))
        response, identity = usage_and_identity(
            ctx.state,
            # The run's login key survives token refreshes; the token stands in without one.
            ctx.login or fingerprint(creds.access_token),
            ctx.now(),
            ctx.timeout,
            lambda: ClaudeOAuth._get(ctx, USAGE_URL, creds, accept=accept),
            lambda: ClaudeOAuth._get(ctx, ACCOUNT_URL, creds),
            parse_identity,
            NAME,
        )
        # The identity is a bonus: without it the plan from the credentials still shows.
        return response, fallback if identity is None else _merge(identity, fallback)


def _expired(creds: ClaudeCredentials, ctx: FetchContext) -> bool:
    return creds.expires_at is not None and creds.expires_at <= ctx.now()


def _rereader(ctx: FetchContext, source: str) -> Callable[[], ClaudeCredentials]:
    if source == "keychain":

        def from_keychain() -> ClaudeCredentials:
            creds = read_keychain(ctx)
            if creds is None:
                raise VibeusageError("Keychain item unavailable", ErrorCategory.AUTHENTICATION)
            return creds

        return from_keychain
    path = credentials_path(ctx)
    return lambda: read_credentials(path)


def _token_or_none(read: Callable[[], ClaudeCredentials]) -> Optional[str]:
    try:
        return read().access_token
    except VibeusageError:
        return None


def _merge(primary: ProviderIdentity, fallback: ProviderIdentity) -> ProviderIdentity:
    return ProviderIdentity(
        email=primary.email or fallback.email,
        organization=primary.organization or fallback.organization,
        plan=primary.plan or fallback.plan,
    )


def _remediation(creds: ClaudeCredentials) -> Dict[int, str]:
    """What to do about a refused request, by HTTP status."""
    if "user:profile" not in creds.scopes:
        forbidden = INFERENCE_ONLY_HINT
    else:
        forbidden = "Check that this Claude account has a Pro, Max or Team plan."
    return {401: LOGIN_HINT, 403: forbidden}
