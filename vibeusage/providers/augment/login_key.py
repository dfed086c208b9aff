"""Which Augment login a snapshot belongs to: the session's token and its tenant."""

import json
from typing import Any, Optional

from ...errors import VibeusageError
from ...kit.login_key import dig, login_key, secret_identity
from ..base import FetchContext
from .session import find_session_text


def augment_login_key(ctx: FetchContext) -> Optional[str]:
    """The first session found (its access token, hashed) on its tenant URL."""
    try:
        found = find_session_text(ctx)
    except VibeusageError:
        return None
    if found is None:
        return None
    try:
        document: Any = json.loads(found[1])
    except (ValueError, RecursionError):
        document = None
    token = dig(document, "accessToken")
    return login_key([secret_identity(token or found[1])], where=[dig(document, "tenantURL")])
