"""Cursor's ``web`` strategy: cursor.com's usage-summary and auth/me with a session cookie.

The session is the first that cursor.com accepts among: vibeusage's stored session, the
Cursor app's login, and the browsers' cookies (see ``sources``). A rejected (401/403)
candidate makes way for the next; the snapshot's source says which one worked
(``web:cursor-app``), and the secret itself never leaves the request.
"""

from typing import Any, Dict, List, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...kit.http import Http, decoding, json_or_none
from ...kit.identity import usage_and_identity
from ...models import ProviderIdentity
from ..base import FetchContext, FetchResult, Strategy
from .login_key import cookie_identity
from .session import WORKOS_COOKIE, Note, SessionCookie, normalise_session_value
from .sources import any_session, browser_cookies_allowed, iter_sessions
from .usage import NAME, parse_identity, parse_usage_summary

BASE_URL = "https://cursor.com"
USAGE_URL = f"{BASE_URL}/api/usage-summary"
ME_URL = f"{BASE_URL}/api/auth/me"
DASHBOARD_URL = f"{BASE_URL}/dashboard"
#: How long the account's email is remembered per user (auth/me is a second round trip).
#: cursor.com answers browsers; a plain client User-Agent may be turned away.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
RENEW_HINT = (
    f"Renew it: store a fresh `{WORKOS_COOKIE}` cookie value with `vibeusage key cursor set`, "
    "open the Cursor app so that it renews its login, or sign in at cursor.com in your browser."
)
SETUP_HINT = (
    "Sign in to the Cursor app (or at cursor.com in Firefox, Chrome, Chromium, Brave, Edge or "
    f"Safari), or store the `{WORKOS_COOKIE}` cookie value with `vibeusage key cursor set`."
)


def request_headers(cookie: SessionCookie) -> Dict[str, str]:
    """What cursor.com expects from its dashboard: the cookie, its origin, a browser."""
    return {
        "Cookie": cookie.header(),
        "Origin": BASE_URL,
        "Referer": DASHBOARD_URL,
        "User-Agent": BROWSER_USER_AGENT,
        "Accept": "application/json",
    }


class CursorWeb(Strategy):
    """cursor.com's dashboard endpoints with a session cookie from the first source that has one."""

    name = "web"
    label = "Cursor session (stored, Cursor app or browser cookies)"

    def available(self, ctx: FetchContext) -> bool:
        return any_session(ctx)

    def explain(self, ctx: FetchContext) -> str:
        notes: List[Note] = []
        sessions = list(iter_sessions(ctx, notes))
        if sessions:
            first = sessions[0]
            text = f"session from {first.source} ({first.where})"
            others = [s.source for s in sessions[1:]]
            if others:
                text += f"; also found: {', '.join(dict.fromkeys(others))}"
        else:
            places = ["none stored (`vibeusage key cursor set`)", "no Cursor app login"]
            if browser_cookies_allowed(ctx):
                places.append("no browser cookie for cursor.com")
            else:
                places.append(
                    "browser cookies not read (`browser_cookies = true` in [providers.cursor] "
                    "turns them on)"
                )
            text = "no Cursor session found: " + ", ".join(places)
        if notes:
            text += "; " + "; ".join(str(note) for note in notes)
        return text

    def run(self, ctx: FetchContext) -> FetchResult:
        notes: List[Note] = []
        rejected: List[str] = []
        for cookie in iter_sessions(ctx, notes):
            response, identity = self._usage_and_identity(ctx, cookie)
            if response.status_code in (401, 403):
                rejected.append(cookie.source)
                continue  # a stale cookie must not hide a good one further down
            payload = ctx.http.json(response, "the usage summary")
            with decoding(NAME, "the usage summary"):
                snapshot = parse_usage_summary(
                    payload, ctx.now(), identity=identity, source=f"{self.name}:{cookie.source}"
                )
            return FetchResult.ok(snapshot)
        return FetchResult.fail(_no_session_error(rejected, notes))

    # -- helpers ---------------------------------------------------------------------------

    @staticmethod
    def _get(
        ctx: FetchContext, url: str, cookie: SessionCookie, accept: Tuple[int, ...] = ()
    ) -> Any:
        return ctx.http.get(url, what="usage data", headers=request_headers(cookie), accept=accept)

    def _usage_and_identity(
        self, ctx: FetchContext, cookie: SessionCookie
    ) -> Tuple[Any, Optional[ProviderIdentity]]:
        """The usage response and the account's email: the email from its 24 h cache (per
        user), else asked of auth/me at the same time as the usage (one round trip)."""
        return usage_and_identity(
            ctx.state,
            cookie_identity(cookie.value),
            ctx.now(),
            ctx.timeout,
            lambda: self._get(ctx, USAGE_URL, cookie, accept=(401, 403)),
            lambda: self._get(ctx, ME_URL, cookie),
            parse_identity,
            NAME,
        )


def _no_session_error(rejected: List[str], notes: List[Note]) -> VibeusageError:
    details = "; ".join(str(note) for note in notes if note.found)
    if rejected:
        message = f"{NAME} session expired (rejected: {', '.join(dict.fromkeys(rejected))})"
        if details:
            message += f"; also: {details}"
        return VibeusageError(message, ErrorCategory.AUTHENTICATION, remediation=RENEW_HINT)
    message = f"No usable {NAME} session found"
    if details:
        message += f" ({details})"
    return VibeusageError(message, ErrorCategory.AUTHENTICATION, remediation=SETUP_HINT)


def validate_session(session: Any, value: str) -> Optional[str]:
    """One request to auth/me proving a stored session works: None when it does, else why."""
    cookie = SessionCookie("stored", WORKOS_COOKIE, normalise_session_value(value))
    try:
        response = Http(session, NAME).get(
            ME_URL, what="the account", headers=request_headers(cookie), ok=range(100, 600)
        )
    except VibeusageError as exc:
        if exc.category is ErrorCategory.NETWORK:
            raise  # unreachable is not the session's fault: a network error naming host and cause
        return f"could not check the session with cursor.com ({exc.message})"
    if response.status_code in (401, 403):
        return "cursor.com rejected this session (signed out or expired)"
    if response.status_code != 200:
        return f"cursor.com answered HTTP {response.status_code}"
    payload = json_or_none(response)
    if payload is None:
        return "cursor.com answered with something other than an account"
    if not isinstance(payload, dict) or not (payload.get("email") or payload.get("sub")):
        return "cursor.com did not recognise this session"
    return None
