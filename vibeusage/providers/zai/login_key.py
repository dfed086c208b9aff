"""Which Z.ai key a snapshot belongs to: the key found first, its region and the one set."""

from typing import Optional

from ...errors import VibeusageError
from ...kit.login_key import regional_key_login
from ..base import FetchContext
from .keys import find_key


def zai_login_key(ctx: FetchContext) -> Optional[str]:
    """The API key the strategy would use (hashed), with the region it is for."""
    try:
        found = find_key(ctx)
    except VibeusageError:
        return None
    return regional_key_login(found, ctx.config.options)
