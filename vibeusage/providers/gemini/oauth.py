"""Gemini's ``oauth`` strategy: the Gemini CLI's Google login against Code Assist's quota API.

``loadCodeAssist`` gives the Code Assist project and the tier (plan); ``retrieveUserQuota``
with that project gives the per-model buckets. An expired token (``expiry_date`` past, or
a 401) is refreshed in memory once per run and the result cached by vibeusage only.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Dict, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.http import decoding, json_or_none
from ...kit.http_errors import classify_http_status
from ...models import ProviderIdentity
from ..base import FetchContext, FetchResult, Strategy
from .login import (
    UNSUPPORTED_LOGINS,
    GeminiLogin,
    credentials_path,
    read_auth_type,
    read_login,
    settings_path,
)
from .refresh import REVOKED_HINT, AccessToken, TokenCache, refresh_access_token
from .usage import NAME, CodeAssist, is_consumer_email, parse_code_assist, parse_quota

API_BASE = "https://cloudcode-pa.googleapis.com/v1internal"
LOAD_CODE_ASSIST_URL = f"{API_BASE}:loadCodeAssist"
RETRIEVE_QUOTA_URL = f"{API_BASE}:retrieveUserQuota"
CLIENT_METADATA = {
    "ideType": "IDE_UNSPECIFIED",
    "platform": "PLATFORM_UNSPECIFIED",
    "pluginType": "GEMINI",
}
#: Set by Workspace users whose Code Assist project is their own (the Gemini CLI reads them).
PROJECT_ENV = ("GOOGLE_CLOUD_PROJECT", "GOOGLE_CLOUD_PROJECT_ID")
#: Markers in an error body that say "this account may not use Code Assist via the CLI".
NO_ACCESS_MARKERS = ("UNSUPPORTED_CLIENT", "IneligibleTier", "ineligibleTiers")
NO_ACCESS_HINT = (
    "Personal Google accounts lost Gemini CLI OAuth access on 2026-06-18. Log in to the "
    "Gemini CLI (`gemini`, then /auth) with a Google Workspace account or a Gemini Code "
    "Assist Standard/Enterprise subscription; API-key logins have no quota endpoint."
)
FORBIDDEN_HINT = (
    "Check that this Google account has Gemini Code Assist, and that GOOGLE_CLOUD_PROJECT "
    "(if set) names a project it may use."
)
UNSUPPORTED_HINT = (
    "vibeusage reads Gemini quotas only for the Gemini CLI's Google login "
    '(`oauth-personal`): choose "Login with Google" in `gemini` (/auth), or turn the '
    "provider off with `[providers.gemini] enabled = false`."
)
MAX_DETAIL = 200


class GeminiOAuth(Strategy):
    """The Gemini CLI's Google login against the Code Assist quota API."""

    name = "oauth"
    label = "Gemini CLI Google login"

    def available(self, ctx: FetchContext) -> bool:
        # An API-key or Vertex setup is "available" so that it gets its clear message.
        if credentials_path(ctx).is_file():
            return True
        return read_auth_type(settings_path(ctx)) in UNSUPPORTED_LOGINS

    def explain(self, ctx: FetchContext) -> str:
        auth_type = read_auth_type(settings_path(ctx))
        if auth_type in UNSUPPORTED_LOGINS:
            return (
                f"Gemini CLI logs in with {UNSUPPORTED_LOGINS[auth_type]} ({auth_type}): "
                "no quota endpoint for this login type"
            )
        path = credentials_path(ctx)
        if path.is_file():
            return f"Gemini CLI Google login in {path}"
        return f"no Gemini CLI login ({path} not found)"

    def unusable(self, ctx: FetchContext) -> Optional[str]:
        auth_type = read_auth_type(settings_path(ctx))
        if auth_type in UNSUPPORTED_LOGINS:
            return unsupported_login_error(auth_type).message
        return None

    def run(self, ctx: FetchContext) -> FetchResult:
        auth_type = read_auth_type(settings_path(ctx))
        if auth_type in UNSUPPORTED_LOGINS:
            return FetchResult.fatal(unsupported_login_error(auth_type))
        login = read_login(credentials_path(ctx))
        calls = _Calls(ctx, login)
        response = calls.post(LOAD_CODE_ASSIST_URL, load_code_assist_body(ctx))
        if response.status_code != 200:
            return FetchResult.fail(api_error(response, login, None, ctx.now()))
        payload = ctx.http.json(response, "the Code Assist account")
        with decoding(NAME, "the Code Assist account"):
            code_assist = parse_code_assist(payload)
        if not code_assist.has_tier and code_assist.ineligible_reasons:
            return FetchResult.fail(no_access_error(code_assist.ineligible_reasons[0]))
        project = code_assist.project or _env_project(ctx)
        response = calls.post(RETRIEVE_QUOTA_URL, {"project": project} if project else {})
        if response.status_code != 200:
            return FetchResult.fail(api_error(response, login, code_assist, ctx.now()))
        payload = ctx.http.json(response, "quota data")
        identity = ProviderIdentity(email=login.email, plan=code_assist.plan)
        with decoding(NAME, "quota data"):
            snapshot = parse_quota(payload, ctx.now(), identity=identity, source=self.name)
        return FetchResult.ok(snapshot)


@dataclass
class _Calls:
    """Authorised POSTs that refresh the token at most once per run (expiry or 401)."""

    ctx: FetchContext
    login: GeminiLogin
    token: Optional[AccessToken] = None
    refreshed: bool = False

    def post(self, url: str, body: Dict[str, Any]) -> Any:
        if self.token is None:
            self.token = self._initial_token()
        response = self._send(url, body)
        if response.status_code == 401 and not self.refreshed:
            self._refresh()
            response = self._send(url, body)
        return response

    def _initial_token(self) -> AccessToken:
        """The login's own token while valid, else the cached refresh, else a refresh."""
        now = self.ctx.now()
        if self.login.access_token is not None:
            own = AccessToken(self.login.access_token, self.login.expires_at)
            if own.usable(now):
                return own
        cached = TokenCache.for_context(self.ctx).load(self.login, now)
        if cached is not None:
            return cached
        return self._refresh()

    def _refresh(self) -> AccessToken:
        self.refreshed = True
        cache = TokenCache.for_context(self.ctx)
        try:
            token = refresh_access_token(self.ctx, self.login)
        except VibeusageError:
            cache.forget()  # a cached token of a revoked login is worth nothing either
            raise
        try:
            cache.save(self.login, token, self.ctx.now())
        except OSError:
            pass  # a read-only cache costs a refresh next run, nothing more
        self.token = token
        return token

    def _send(self, url: str, body: Dict[str, Any]) -> Any:
        assert self.token is not None
        # Every status is returned: ``api_error`` reads Google's explanation from the body.
        return self.ctx.http.post(
            url,
            what="quota data",
            json=body,
            headers={
                "Authorization": f"Bearer {self.token.value}",
                "Content-Type": "application/json",
                "Accept": "application/json",
            },
            ok=range(100, 600),
        )


def load_code_assist_body(ctx: FetchContext) -> Dict[str, Any]:
    """The Gemini CLI's own request; its project setting goes along when there is one."""
    metadata: Dict[str, Any] = dict(CLIENT_METADATA)
    body: Dict[str, Any] = {"metadata": metadata}
    project = _env_project(ctx)
    if project:
        body["cloudaicompanionProject"] = project
        metadata["duetProject"] = project
    return body


def _env_project(ctx: FetchContext) -> Optional[str]:
    for key in PROJECT_ENV:
        value = (ctx.environ.get(key) or "").strip()
        if value:
            return value
    return None


# --- errors -----------------------------------------------------------------------------


def unsupported_login_error(auth_type: str) -> VibeusageError:
    return VibeusageError(
        f"The Gemini CLI logs in with {UNSUPPORTED_LOGINS.get(auth_type, auth_type)} "
        f"({auth_type}): there is no quota endpoint for this login type",
        ErrorCategory.AUTHENTICATION,
        remediation=UNSUPPORTED_HINT,
    )


def no_access_error(detail: Optional[str] = None) -> VibeusageError:
    """One message for "this account may not use Code Assist through the Gemini CLI login"."""
    message = "This Google account cannot use Gemini Code Assist through the Gemini CLI login"
    if detail:
        message += f" ({_short(detail)})"
    return VibeusageError(message, ErrorCategory.AUTHORIZATION, remediation=NO_ACCESS_HINT)


def api_error(
    response: Any, login: GeminiLogin, code_assist: Optional[CodeAssist], now: datetime
) -> VibeusageError:
    """An unsuccessful Code Assist answer explained (consumer accounts get one message)."""
    status = response.status_code
    text = _body_text(response)
    marker = next((m for m in NO_ACCESS_MARKERS if m in text), None)
    consumer = is_consumer_email(login.email) or (
        code_assist is not None and code_assist.is_free_tier
    )
    if marker is not None and 400 <= status < 500 and status != 429:
        return no_access_error(_google_message(response) or marker)
    if status == 403 and consumer:
        return no_access_error(_google_message(response))
    remediation = {401: REVOKED_HINT, 403: FORBIDDEN_HINT}.get(status)
    return classify_http_status(
        status,
        NAME,
        retry_after=response.headers.get("Retry-After"),
        remediation=remediation,
        now=now,
    )


def _body_text(response: Any) -> str:
    try:
        return str(response.text or "")[:20000]
    except Exception:  # an undecodable body has no markers
        return ""


def _google_message(response: Any) -> Optional[str]:
    """``error.message`` of a Google API error body, if any."""
    body = json_or_none(response)
    error = body.get("error") if isinstance(body, dict) else None
    message = error.get("message") if isinstance(error, dict) else None
    return message.strip() if isinstance(message, str) and message.strip() else None


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_DETAIL else line[: MAX_DETAIL - 1] + "…"
