"""Codex's ``oauth`` strategy: the Codex CLI's ChatGPT login against the usage endpoint.

``auth.json`` (under ``$CODEX_HOME``, else ``~/.codex``) is only ever read. It has no expiry
field, so the token is tried and a 401 is the signal. Codex's refresh tokens rotate: a
rejected token is renewed by running ``codex`` itself (delegated refresh), never over HTTP.
"""

import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...kit.delegated import refresh_by_cli
from ...kit.files import read_tool_json
from ...kit.http import decoding
from ...kit.values import MaskedRepr, opt_str
from ...kit.values import jwt_claims as read_jwt_claims
from ..base import FetchContext, FetchResult, Strategy
from .usage import NAME, parse_usage

DEFAULT_BASE_URL = "https://chatgpt.com/backend-api"
REFRESH_TIMEOUT = 15.0
#: The smallest request that makes the Codex CLI renew its login, in a read-only sandbox.
REFRESH_ARGS = ("exec", "say ok", "--skip-git-repo-check", "--sandbox", "read-only")
LOGIN_HINT = "Run `codex login` to log the Codex CLI in again, then retry."
API_KEY_HINT = (
    "Codex is logged in with an API key, which has no plan limits to show. "
    "Run `codex login` and sign in with ChatGPT."
)
#: JWT claim namespaces of OpenAI's id token.
_AUTH_CLAIM = "https://api.openai.com/auth"
_PROFILE_CLAIM = "https://api.openai.com/profile"
_CHATGPT_HOSTS = ("https://chatgpt.com", "https://chat.openai.com")


@dataclass(frozen=True, repr=False)
class CodexCredentials(MaskedRepr):
    """The parts of ``auth.json`` that vibeusage uses (never the refresh token)."""

    SECRET_FIELDS = ("access_token",)

    access_token: str
    account_id: Optional[str]
    email: Optional[str] = None


# --- where things are ----------------------------------------------------------------------


def codex_home(ctx: FetchContext) -> Path:
    """``$CODEX_HOME`` (``~`` against the context's home), else ``~/.codex``."""
    value = ctx.environ.get("CODEX_HOME", "").strip()
    if not value:
        return ctx.home / ".codex"
    if value == "~" or value.startswith(("~/", "~\\")):
        return ctx.home / value[2:]
    return Path(value)


def auth_path(ctx: FetchContext) -> Path:
    return codex_home(ctx) / "auth.json"


def _load_toml(path: Path) -> Dict[str, Any]:
    """Another tool's config: anything unreadable simply means "no setting"."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised by the py39/py310 tox envs
        import tomli as tomllib
    try:
        return dict(tomllib.loads(path.read_bytes().decode("utf-8-sig")))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


def base_url(ctx: FetchContext) -> str:
    """``chatgpt_base_url`` from ``$CODEX_HOME/config.toml``, else ChatGPT's backend API."""
    value = _load_toml(codex_home(ctx) / "config.toml").get("chatgpt_base_url")
    if isinstance(value, str) and value.strip().lower().startswith(("https://", "http://")):
        return value.strip()
    return DEFAULT_BASE_URL


def usage_url(base: str) -> str:
    """``{base}/wham/usage`` on the backend API, ``{base}/api/codex/usage`` elsewhere.

    A bare ChatGPT host gets ``/backend-api`` added, as the Codex CLI itself does.
    """
    base = base.strip().rstrip("/")
    if base.lower().startswith(_CHATGPT_HOSTS) and "/backend-api" not in base:
        base += "/backend-api"
    if "/backend-api" in base:
        return f"{base}/wham/usage"
    return f"{base}/api/codex/usage"


# --- credentials ---------------------------------------------------------------------------


def read_credentials(path: Path) -> CodexCredentials:
    """Read (never write) the Codex CLI's ``auth.json``."""

    data = read_tool_json(path, "Codex login", LOGIN_HINT)
    return parse_credentials(data, path)


def parse_credentials(data: Any, path: Any) -> CodexCredentials:
    tokens = data.get("tokens") if isinstance(data, dict) else None
    token = tokens.get("access_token") if isinstance(tokens, dict) else None
    if not isinstance(tokens, dict) or not isinstance(token, str) or not token.strip():
        if is_api_key_login(data):
            raise api_key_login_error(path)
        raise VibeusageError(
            f"No Codex ChatGPT token in {path}",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    claims = jwt_claims(tokens.get("id_token"))
    auth_claims = claims.get(_AUTH_CLAIM)
    auth_claims = auth_claims if isinstance(auth_claims, dict) else {}
    profile = claims.get(_PROFILE_CLAIM)
    profile = profile if isinstance(profile, dict) else {}
    return CodexCredentials(
        access_token=token.strip(),
        account_id=opt_str(tokens.get("account_id"))
        or opt_str(auth_claims.get("chatgpt_account_id")),
        email=opt_str(claims.get("email")) or opt_str(profile.get("email")),
    )


def is_api_key_login(data: Any) -> bool:
    """``auth.json`` holds an OpenAI API key and no ChatGPT token (no usage endpoint for it)."""
    if not isinstance(data, dict):
        return False
    tokens = data.get("tokens")
    token = tokens.get("access_token") if isinstance(tokens, dict) else None
    api_key = data.get("OPENAI_API_KEY")
    has_token = isinstance(token, str) and bool(token.strip())
    return not has_token and isinstance(api_key, str) and bool(api_key.strip())


def api_key_login_error(path: Any) -> VibeusageError:
    return VibeusageError(
        f"The Codex login in {path} is an API key, not a ChatGPT login",
        ErrorCategory.AUTHENTICATION,
        remediation=API_KEY_HINT,
    )


def jwt_claims(token: Any) -> Mapping[str, Any]:
    """The (unverified) payload of a JWT, or an empty mapping when it is not one."""
    return (read_jwt_claims(token) if isinstance(token, str) else None) or {}


# --- the strategy --------------------------------------------------------------------------


#: What to do about a refused usage request, by HTTP status.
REMEDIATION = {
    401: LOGIN_HINT,
    403: "Check that this ChatGPT account has a plan that includes Codex.",
}


class CodexOAuth(Strategy):
    """The Codex CLI's ChatGPT token against ``wham/usage``."""

    name = "oauth"
    label = "Codex CLI login"

    def available(self, ctx: FetchContext) -> bool:
        return auth_path(ctx).is_file()

    def unusable(self, ctx: FetchContext) -> Optional[str]:
        # A broken file is not "unusable": the run says what is wrong with it.
        path = auth_path(ctx)
        try:
            data = read_tool_json(path, "Codex login", LOGIN_HINT)
        except VibeusageError:
            return None
        return api_key_login_error(path).message if is_api_key_login(data) else None

    def run(self, ctx: FetchContext) -> FetchResult:
        path = auth_path(ctx)
        try:
            creds = read_credentials(path)
        except VibeusageError as exc:
            return FetchResult.fail(exc)
        url = usage_url(base_url(ctx))
        response = self._get(ctx, url, creds, accept=(401,))
        if response.status_code == 401:
            renewed = self._delegated_refresh(ctx, path, creds)
            if renewed is None:
                raise ctx.http.error(response, REMEDIATION)
            creds = renewed
            response = self._get(ctx, url, creds)  # a second 401 is raised
        payload = ctx.http.json(response, "usage data")
        with decoding(NAME, "usage data"):
            snapshot = parse_usage(payload, ctx.now(), email=creds.email, source=self.name)
        return FetchResult.ok(snapshot)

    @staticmethod
    def _get(
        ctx: FetchContext, url: str, creds: CodexCredentials, accept: Tuple[int, ...] = ()
    ) -> Any:
        headers = {"Authorization": f"Bearer {creds.access_token}", "Accept": "application/json"}
        if creds.account_id:
            headers["ChatGPT-Account-Id"] = creds.account_id
        return ctx.http.get(
            url, what="usage data", headers=headers, accept=accept, remediation=REMEDIATION
        )

    @staticmethod
    def _delegated_refresh(
        ctx: FetchContext, path: Path, creds: CodexCredentials
    ) -> Optional[CodexCredentials]:
        """Run ``codex`` so it renews its own login; the new credentials, or None."""
        if ctx.config.options.get("cli_refresh", True) is False:
            return None
        codex = shutil.which("codex", path=ctx.environ.get("PATH"))
        if codex is None:
            return None

        def current_token() -> Optional[str]:
            try:
                return read_credentials(path).access_token
            except VibeusageError:
                return None

        changed = refresh_by_cli(
            [codex, *REFRESH_ARGS],
            current_token,
            creds.access_token,
            min(REFRESH_TIMEOUT, max(1.0, ctx.timeout - 2.0)),
            ctx.environ,
            lock_path=ctx.state.cache_file(".refresh.lock"),
        )
        if not changed:
            return None
        try:
            return read_credentials(path)
        except VibeusageError:
            return None
