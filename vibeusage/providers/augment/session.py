"""auggie's login session: where it is (in auggie's order), what it must hold, where it may go.

First hit wins: ``AUGMENT_SESSION_AUTH`` (the session JSON, auggie's own variable), the
session stored with ``vibeusage key augment set``, then ``~/.augment/session.json`` (written
by ``auggie login``; only ever read). A session is ``{"accessToken", "tenantURL",
"scopes"}``; its access token is opaque (no pattern can mask it) and goes only to an
``https`` tenant on ``*.augmentcode.com``. There is no refresh token.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional, Tuple
from urllib.parse import urlsplit

from ...credentials import CredentialStore
from ...errors import ErrorCategory, VibeusageError
from ...kit.files import read_tool_bytes
from ...kit.values import MaskedRepr, opt_str
from ..base import FetchContext

ENV_VAR = "AUGMENT_SESSION_AUTH"
SECRET_NAME = "session"
TENANT_DOMAIN = ".augmentcode.com"
LOGIN_HINT = (
    "Run `auggie login` (or set AUGMENT_SESSION_AUTH, or `vibeusage key augment set` with the "
    "output of `auggie token print`)."
)
#: A session is a line of JSON; anything much larger is not one.
MAX_SESSION_BYTES = 64 * 1024


@dataclass(frozen=True, repr=False)
class AugmentSession(MaskedRepr):
    """A usable session: token, tenant, and the JSON handed to auggie (all secret)."""

    access_token: str
    tenant_url: str
    #: The session as one JSON text (what ``AUGMENT_SESSION_AUTH`` holds for auggie).
    text: str
    #: Where it was found, for messages.
    source: str

    SECRET_FIELDS = ("access_token", "text")


def session_file(ctx: FetchContext) -> Path:
    return ctx.home / ".augment" / "session.json"


def clean(value: str) -> str:
    """A session as pasted: ``SESSION=`` and one pair of quotes removed, whitespace stripped."""
    text = value.strip()
    if text.startswith("SESSION="):
        text = text[len("SESSION=") :].strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1].strip()
    return text


def find_session_text(ctx: FetchContext) -> Optional[Tuple[str, str]]:
    """``(where, text)`` of the first session found, or None (the file is only read)."""
    value = clean(ctx.environ.get(ENV_VAR, ""))
    if value:
        return ENV_VAR, value
    stored = CredentialStore(ctx.paths).read("augment", SECRET_NAME)
    if stored is not None and clean(stored.value):
        return "the stored session", clean(stored.value)
    path = session_file(ctx)
    if path.is_file():
        raw = read_tool_bytes(path, "auggie's session", LOGIN_HINT)
        return str(path), raw[:MAX_SESSION_BYTES].decode("utf-8", "replace").strip()
    return None


def has_session(ctx: FetchContext) -> bool:
    """Whether some session source has a value (local only)."""
    return bool(
        clean(ctx.environ.get(ENV_VAR, ""))
        or CredentialStore(ctx.paths).path("augment", SECRET_NAME).exists()
        or session_file(ctx).is_file()
    )


def tenant_problem(url: str) -> Optional[str]:
    """Why the token must not be sent to ``url``, or None for an Augment tenant."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return "it is not a URL"
    if parts.scheme.lower() != "https":
        return "it is not https"
    if parts.username or parts.password or not host.endswith(TENANT_DOMAIN):
        return f"its host is not on {TENANT_DOMAIN[1:]}"
    return None


def parse_session(text: str, source: str) -> AugmentSession:
    """A session from its JSON text; unreadable or foreign-tenant sessions raise (no content)."""
    try:
        data: Any = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    token = opt_str(data.get("accessToken")) if isinstance(data, dict) else None
    tenant = opt_str(data.get("tenantURL")) if isinstance(data, dict) else None
    if token is None or tenant is None:
        raise VibeusageError(
            f"The Augment session from {source} is unreadable (a JSON object with "
            "`accessToken` and `tenantURL` is expected)",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    problem = tenant_problem(tenant)
    if problem is not None:
        raise VibeusageError(
            f"The tenant URL of the Augment session from {source} is not an Augment host "
            f"({problem}); the token was not sent",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    if not tenant.endswith("/"):
        tenant += "/"
    return AugmentSession(token, tenant, text, source)


def load_session(ctx: FetchContext) -> AugmentSession:
    found = find_session_text(ctx)
    if found is None:
        raise VibeusageError(
            "No Augment login found", ErrorCategory.AUTHENTICATION, remediation=LOGIN_HINT
        )
    return parse_session(found[1], found[0])


def session_problem(value: str) -> Optional[str]:
    """Why ``value`` is not a session JSON as ``auggie token print`` shows it, or None."""
    try:
        parse_session(clean(value), "the value")
    except VibeusageError:
        return (
            "expected the JSON after `SESSION=` in `auggie token print` "
            '(`{"accessToken": …, "tenantURL": "https://….api.augmentcode.com/", …}`)'
        )
    return None


def validate_session(session: Any, value: str) -> Optional[str]:
    """One billing-summary call proving the session works: None when it does, else why not."""
    from ...kit.http import Http
    from .oauth import billing_summary_response

    try:
        parsed = parse_session(clean(value), "the value")
    except VibeusageError as exc:
        return exc.message
    try:
        response = billing_summary_response(Http(session, "Augment"), parsed)
    except VibeusageError as exc:
        if exc.category is ErrorCategory.NETWORK:
            raise  # unreachable is not the session's fault: a network error naming host and cause
        return f"could not check the session with Augment ({exc.message})"
    if response.status_code == 401:
        return "Augment rejected this session (HTTP 401)"
    if response.status_code != 200:
        return f"Augment answered HTTP {response.status_code}"
    return None
