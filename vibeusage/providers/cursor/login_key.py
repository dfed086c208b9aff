"""Which Cursor login a snapshot belongs to: the users of every session the strategy may use.

A session value is ``<userId>%3A%3A<jwt>``; the user id survives the token's renewal, so
it is the identity, and a value of another shape stands for itself.
"""

from typing import List, Optional

from ...kit.login_key import login_key, secret_identity
from ..base import FetchContext
from .session import split_session_value


def cookie_identity(value: str) -> str:
    """The user a session value belongs to (``user:…``), else a fingerprint of the value."""
    user_id, _ = split_session_value(value)
    if user_id:
        return f"user:{user_id}"
    return secret_identity(value) or "secret:"


def cursor_login_key(ctx: FetchContext) -> Optional[str]:
    """The users of the stored session, the Cursor app's login and (when allowed) the
    browsers' cookies, in the order they are tried."""
    from .sources import iter_sessions

    users: List[Optional[str]] = []
    for cookie in iter_sessions(ctx, []):
        users.append(cookie_identity(cookie.value))
    return login_key(users)
