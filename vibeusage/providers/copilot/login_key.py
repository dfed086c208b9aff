"""Which GitHub login a Copilot snapshot belongs to: every token the chain may use, and the host.

GitHub tokens are opaque and do not rotate on their own, so each one found stands for
itself (hashed); a changed ``host`` is another login even with the same token.
"""

from typing import List, Optional

from ...errors import VibeusageError
from ...kit.login_key import login_key, secret_identity
from ..base import FetchContext
from .tokens import SOURCES, configured_host, find_token, stored_host


def copilot_login_key(ctx: FetchContext) -> Optional[str]:
    """The tokens of the stored login, the variables and ``gh``, for the configured host."""
    tokens: List[Optional[str]] = []
    for source in SOURCES:
        try:
            found = find_token(ctx, source)
        except VibeusageError:
            found = None
        tokens.append(secret_identity(found.token) if found is not None else None)
    try:
        host: Optional[str] = configured_host(ctx)
    except VibeusageError:  # a host the config cannot name: the run reports it
        host = None
    return login_key(tokens, where=[host, stored_host(ctx)])
