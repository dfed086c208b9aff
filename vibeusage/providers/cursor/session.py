"""A Cursor web session (cookie name and value) and what vibeusage knows about where it came from.

Every source (the store, the Cursor app, each browser) yields :class:`SessionCookie` values
in order and records a :class:`Note` when it found something Cursor-related it cannot use,
so that the final error says *why* ("Chrome's cookie needs the desktop keyring").
"""

import re
from dataclasses import dataclass, field
from typing import Any, Optional, Tuple

from ...kit.values import MaskedRepr, jwt_claims

#: The cookie cursor.com's dashboard authenticates with, and the older next-auth ones.
WORKOS_COOKIE = "WorkosCursorSessionToken"
COOKIE_NAMES = (WORKOS_COOKIE, "__Secure-next-auth.session-token", "next-auth.session-token")
#: Hosts the cookies live on (and their subdomains); the first is the site itself.
COOKIE_DOMAINS = ("cursor.com", "cursor.sh")
#: ``<userId>%3A%3A<jwt>``: the separator is ``::`` URL-encoded.
SEPARATOR = "%3A%3A"

_JWT = re.compile(r"[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]*")


@dataclass(frozen=True, repr=False)
class SessionCookie(MaskedRepr):
    """One candidate session: which cookie to send, and where it was found (never printed)."""

    SECRET_FIELDS = ("value",)

    #: ``stored``, ``cursor-app``, ``firefox``, ``chrome``, ``chromium``, ``brave``,
    #: ``edge`` or ``safari``.
    source: str
    name: str
    value: str = field(repr=False)
    #: Where exactly, for people ("Firefox profile abc.default"); no secret.
    where: str = ""

    def header(self) -> str:
        return f"{self.name}={self.value}"


@dataclass(frozen=True)
class Note:
    """Why a source gave nothing usable. ``found``: a Cursor session is there but unusable."""

    source: str
    text: str
    found: bool = True

    def __str__(self) -> str:
        return f"{self.source}: {self.text}"


# --- the WorkOS session value -------------------------------------------------------------


def session_value_problem(value: str) -> Optional[str]:
    """Why ``value`` does not look like a ``WorkosCursorSessionToken`` value, or None."""
    text = value.strip()
    if text.lower().startswith(WORKOS_COOKIE.lower() + "="):
        return f"paste only the cookie's value, without `{WORKOS_COOKIE}=`"
    if any(c.isspace() for c in text):
        return "the value contains spaces or line breaks"
    user_id, jwt = split_session_value(text)
    if user_id is None or jwt is None:
        return "the value has the form `<userId>%3A%3A<jwt>` (e.g. `user_01…%3A%3AeyJ…`)"
    if not _JWT.fullmatch(jwt) or jwt_claims(jwt) is None:
        return "the part after `%3A%3A` is not a complete token (truncated?)"
    return None


def split_session_value(value: str) -> Tuple[Optional[str], Optional[str]]:
    """``user_X%3A%3A<jwt>`` (or with a literal ``::``) -> (user id, jwt)."""
    for separator in (SEPARATOR, SEPARATOR.lower(), "::"):
        if separator in value:
            user_id, _, jwt = value.partition(separator)
            if user_id and jwt:
                return user_id, jwt
    return None, None


def normalise_session_value(value: str) -> str:
    """The value as the cookie carries it (a literal ``::`` URL-encoded)."""
    text = value.strip()
    user_id, jwt = split_session_value(text)
    if user_id is None or jwt is None:
        return text
    return f"{user_id}{SEPARATOR}{jwt}"


def session_cookie_value(jwt: str) -> Optional[str]:
    """``<userId>%3A%3A<jwt>`` for an access token whose ``sub`` names the user, else None."""
    claims = jwt_claims(jwt)
    user = user_id_from_sub(claims.get("sub") if claims else None)
    return None if user is None else f"{user}{SEPARATOR}{jwt}"


def user_id_from_sub(sub: Any) -> Optional[str]:
    """``auth0|user_XXX`` -> ``user_XXX`` (the part after the last ``|``)."""
    if not isinstance(sub, str):
        return None
    user = sub.rsplit("|", 1)[-1].strip()
    return user or None
