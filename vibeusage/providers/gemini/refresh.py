"""Refreshing the Gemini CLI's Google login in memory, and vibeusage's cache of the result.

Google refresh tokens do not rotate, so vibeusage may refresh without logging the Gemini
CLI out; the new access token lives only in ``<cache>/gemini/token.json`` (0600) until it
expires, tagged with a fingerprint of the refresh token it came from. ``oauth_creds.json``
is never written.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.http import json_or_none
from ...kit.http_errors import classify_http_status
from ...kit.state import JsonCache
from ...kit.values import MaskedRepr, fingerprint
from ...timeparse import parse_iso
from ..base import FetchContext
from .client import ENV_CLIENT_ID, ENV_CLIENT_SECRET, find_oauth_client
from .login import GeminiLogin
from .usage import NAME

TOKEN_URL = "https://oauth2.googleapis.com/token"
#: A token this close to its expiry is treated as expired (requests take time).
EXPIRY_MARGIN = timedelta(seconds=60)
#: Google's access tokens last an hour; used when the answer does not say.
DEFAULT_LIFETIME = 3600
NO_CLIENT_HINT = (
    "Run `gemini` once so the Gemini CLI refreshes its own login, or set "
    f"{ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} (the Gemini CLI's OAuth client) so vibeusage "
    "can refresh it."
)
REVOKED_HINT = "Run `gemini` once to log in with Google again, then retry."


@dataclass(frozen=True, repr=False)
class AccessToken(MaskedRepr):
    SECRET_FIELDS = ("value",)
    value: str
    expires_at: Optional[datetime]

    def usable(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at - EXPIRY_MARGIN > now


def refresh_access_token(ctx: FetchContext, login: GeminiLogin) -> AccessToken:
    """A new access token from Google's token endpoint (the login itself is not changed)."""
    if login.refresh_token is None:
        raise VibeusageError(
            "The Gemini CLI login has expired and has no refresh token",
            ErrorCategory.AUTHENTICATION,
            remediation=REVOKED_HINT,
        )
    client = find_oauth_client(ctx)
    if client is None:
        raise VibeusageError(
            "The Gemini CLI login has expired and vibeusage cannot refresh it "
            "(the Gemini CLI's OAuth client was not found)",
            ErrorCategory.AUTHENTICATION,
            remediation=NO_CLIENT_HINT,
        )
    response = ctx.http.post(
        TOKEN_URL,
        what="a new access token",
        ok=range(100, 600),  # Google's OAuth error codes are read from the body below
        data={
            "client_id": client.client_id,
            "client_secret": client.client_secret,
            "refresh_token": login.refresh_token,
            "grant_type": "refresh_token",
        },
        headers={"Accept": "application/json"},
    )
    if response.status_code != 200:
        raise _refresh_error(response, client.source, ctx.now())
    payload = json_or_none(response)
    token = payload.get("access_token") if isinstance(payload, dict) else None
    if not isinstance(token, str) or not token.strip():
        raise VibeusageError(
            "Google's token endpoint answered without an access token",
            ErrorCategory.PARSE,
        )
    lifetime = _seconds(payload.get("expires_in")) if isinstance(payload, dict) else None
    expires_at = ctx.now() + timedelta(seconds=lifetime or DEFAULT_LIFETIME)
    return AccessToken(token.strip(), expires_at)


def _refresh_error(response: Any, client_source: str, now: datetime) -> VibeusageError:
    """Google's OAuth errors (``{"error": "invalid_grant", ...}``) explained."""
    body = json_or_none(response)
    code = body["error"] if isinstance(body, dict) and isinstance(body.get("error"), str) else ""
    if code == "invalid_grant":
        return VibeusageError(
            "The Gemini CLI's Google login has expired or was revoked (invalid_grant)",
            ErrorCategory.AUTHENTICATION,
            remediation=REVOKED_HINT,
            status_code=response.status_code,
        )
    if code in ("invalid_client", "unauthorized_client"):
        where = (
            f"{ENV_CLIENT_ID}/{ENV_CLIENT_SECRET}"
            if client_source == "environment"
            else "the OAuth client found in the installed Gemini CLI"
        )
        return VibeusageError(
            f"Google rejected {where} while refreshing the Gemini login ({code})",
            ErrorCategory.AUTHENTICATION,
            remediation=(
                "Run `gemini` once so it refreshes its own login; check or unset "
                f"{ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}."
            ),
            status_code=response.status_code,
        )
    return classify_http_status(
        response.status_code,
        f"{NAME} (token refresh)",
        retry_after=response.headers.get("Retry-After"),
        remediation=REVOKED_HINT if response.status_code in (400, 401, 403) else None,
        now=now,
    )


def _seconds(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    try:
        seconds = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if 0 < seconds <= 24 * 3600 else None


class TokenCache:
    """``<cache>/providers/gemini/token.json`` (0600): the last refreshed access token."""

    def __init__(self, cache: JsonCache) -> None:
        self.cache = cache

    @classmethod
    def for_context(cls, ctx: FetchContext) -> "TokenCache":
        return cls(ctx.state.json_cache("token"))

    @property
    def path(self) -> Path:
        return self.cache.path

    def load(self, login: GeminiLogin, now: datetime) -> Optional[AccessToken]:
        """The cached token when it belongs to this login and has not expired."""
        if login.refresh_token is None:
            return None
        data = self.cache.load(fingerprint(login.refresh_token), now)
        if data is None:
            return None
        value = data.get("access_token")
        expires_at = parse_iso(data.get("expires_at"))
        if not isinstance(value, str) or not value or expires_at is None:
            return None
        token = AccessToken(value, expires_at)
        return token if token.usable(now) else None

    def save(self, login: GeminiLogin, token: AccessToken, now: datetime) -> None:
        if login.refresh_token is None or token.expires_at is None:
            return
        data = {"access_token": token.value, "expires_at": token.expires_at.isoformat()}
        self.cache.save(fingerprint(login.refresh_token), data, now)

    def forget(self) -> None:
        self.cache.forget()
