"""Google OAuth access tokens made in memory: refresh-token and JWT-bearer grants, and a cache.

Google's refresh tokens do not rotate, so refreshing one leaves the owning tool's login
intact; a service-account key signs its own assertion (``jwt_rs256``). The short-lived
access token is kept only in vibeusage's cache, tagged with a fingerprint of the login it
came from, and nothing is written back to the other tool's files.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Mapping, Optional, Tuple

from ..errors import ErrorCategory, VibeusageError, parse_error
from .http import Http, json_or_none
from .jwt_rs256 import encode_rs256
from .rsa_pkcs8 import RsaPrivateKey
from .state import JsonCache
from .values import MaskedRepr, jwt_claims, opt_str

TOKEN_URL = "https://oauth2.googleapis.com/token"
JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
#: A token this close to its expiry is treated as expired (requests take time).
EXPIRY_MARGIN = timedelta(seconds=60)
#: Google's access tokens last an hour; used when the answer does not say.
DEFAULT_LIFETIME = 3600
#: Google refuses assertions whose ``exp - iat`` is above an hour.
ASSERTION_LIFETIME = 3600
#: OAuth error codes (RFC 6749 §5.2) that mean the login itself is no good.
LOGIN_ERRORS = ("invalid_grant", "invalid_client", "unauthorized_client", "invalid_scope")
MAX_DESCRIPTION = 200


@dataclass(frozen=True, repr=False)
class GoogleToken(MaskedRepr):
    """An access token, when it expires, and the account's email when Google said it."""

    value: str
    expires_at: datetime
    email: Optional[str] = None

    SECRET_FIELDS = ("value",)

    def usable(self, now: datetime) -> bool:
        return self.expires_at - EXPIRY_MARGIN > now


def refresh_user_token(
    http: Http,
    *,
    client_id: str,
    client_secret: str,
    refresh_token: str,
    now: datetime,
    login: str,
    remediation: str,
    token_url: str = TOKEN_URL,
) -> GoogleToken:
    """A new access token for a user login (``refresh_token`` grant); the login is unchanged."""
    form = {
        "grant_type": "refresh_token",
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
    }
    return request_token(http, token_url, form, now, login=login, remediation=remediation)


def service_account_assertion(
    *,
    client_email: str,
    key: RsaPrivateKey,
    kid: Optional[str],
    token_uri: str,
    scope: str,
    now: datetime,
) -> str:
    """The signed JWT a service account trades for an access token (RFC 7523 §2.1)."""
    issued = int(now.timestamp())
    claims = {
        "iss": client_email,
        "scope": scope,
        "aud": token_uri,
        "iat": issued,
        "exp": issued + ASSERTION_LIFETIME,
    }
    return encode_rs256(claims, key, kid)


def exchange_assertion(
    http: Http, *, token_uri: str, assertion: str, now: datetime, login: str, remediation: str
) -> GoogleToken:
    """An access token for a signed assertion (``grant_type=…:jwt-bearer``)."""
    form = {"grant_type": JWT_BEARER_GRANT, "assertion": assertion}
    return request_token(http, token_uri, form, now, login=login, remediation=remediation)


def request_token(
    http: Http,
    url: str,
    form: Mapping[str, str],
    now: datetime,
    *,
    login: str,
    remediation: str,
) -> GoogleToken:
    """POST a grant to Google's token endpoint; its OAuth errors explained with ``remediation``."""
    response = http.post(
        url,
        what="an access token",
        data=dict(form),
        headers={"Accept": "application/json"},
        accept=(400, 401, 403),
        remediation={400: remediation, 401: remediation, 403: remediation},
    )
    if response.status_code != 200:
        raise oauth_error(http, response, login, remediation)
    return parse_token_response(http.json(response, "an access token"), now, http.provider_name)


def parse_token_response(payload: Any, now: datetime, provider_name: str) -> GoogleToken:
    """``{"access_token", "expires_in" (seconds from now), "id_token"?}`` as a GoogleToken."""
    token = opt_str(payload.get("access_token")) if isinstance(payload, dict) else None
    if token is None or not token.isprintable() or " " in token:
        raise parse_error(provider_name, "Google's token endpoint answered without an access token")
    assert isinstance(payload, dict)
    lifetime = _seconds(payload.get("expires_in")) or DEFAULT_LIFETIME
    id_token = payload.get("id_token")
    claims = (jwt_claims(id_token) if isinstance(id_token, str) else None) or {}
    email = opt_str(claims.get("email"))
    return GoogleToken(token, now + timedelta(seconds=lifetime), email)


def oauth_error(http: Http, response: Any, login: str, remediation: str) -> VibeusageError:
    """``{"error": "invalid_grant", "error_description": …}`` as an authentication error."""
    code, description = read_oauth_error(json_or_none(response))
    if code is None or code not in LOGIN_ERRORS:
        return http.error(response, {response.status_code: remediation})
    detail = code if description is None else f"{code}: {_short(description)}"
    return VibeusageError(
        f"Google refused {login} ({detail})",
        ErrorCategory.AUTHENTICATION,
        remediation=remediation,
        status_code=response.status_code,
    )


def read_oauth_error(body: Any) -> Tuple[Optional[str], Optional[str]]:
    """``error`` and ``error_description`` of an OAuth error body (RFC 6749 §5.2), if there."""
    if not isinstance(body, dict):
        return None, None
    return opt_str(body.get("error")), opt_str(body.get("error_description"))


def is_google_token_uri(uri: Any, universe_domain: Any = "googleapis.com") -> bool:
    """True for ``https://`` URLs on Google's token hosts (where an assertion may be sent)."""
    from urllib.parse import urlsplit

    if not isinstance(uri, str):
        return False
    try:
        parts = urlsplit(uri.strip())
        port = parts.port
    except ValueError:
        return False
    universe = universe_domain if isinstance(universe_domain, str) else "googleapis.com"
    hosts = {"oauth2.googleapis.com", "accounts.google.com", f"oauth2.{universe.strip().lower()}"}
    return (
        parts.scheme == "https"
        and parts.hostname in hosts
        and parts.username is None
        and port in (None, 443)
    )


class GoogleTokenCache:
    """One cached access token, tied to the fingerprint of the login that made it."""

    def __init__(self, cache: JsonCache) -> None:
        self.cache = cache

    def load(self, login: str, now: datetime) -> Optional[GoogleToken]:
        """The cached token when it belongs to ``login`` and has more than a minute left."""
        from ..timeparse import parse_iso

        data = self.cache.load(login, now)
        if data is None:
            return None
        value = opt_str(data.get("access_token"))
        expires_at = parse_iso(data.get("expires_at"))
        if value is None or expires_at is None:
            return None
        token = GoogleToken(value, expires_at, opt_str(data.get("email")))
        return token if token.usable(now) else None

    def save(self, login: str, token: GoogleToken, now: datetime) -> None:
        data = {
            "access_token": token.value,
            "expires_at": token.expires_at.isoformat(),
            "email": token.email,
        }
        self.cache.save(login, data, now)

    def forget(self) -> None:
        self.cache.forget()


def _seconds(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    try:
        seconds = int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None
    return seconds if 0 < seconds <= 24 * 3600 else None


def _short(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= MAX_DESCRIPTION else line[: MAX_DESCRIPTION - 1] + "…"
