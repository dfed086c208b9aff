"""Which Z.ai key a snapshot belongs to: the key found first, its region and the one set."""

from typing import Optional

from ...errors import VibeusageError
from ...kit.login_key import login_key, secret_identity
from ..base import FetchContext
from .keys import find_key


def zai_login_key(ctx: FetchContext) -> Optional[str]:
    """The API key the strategy would use (hashed), with the region it is for."""
    try:
        found = find_key(ctx)
    except VibeusageError:
        return None
    if found is None:
        return None
    region = ctx.config.options.get("region")
    return login_key(
        [secret_identity(found.api_key)],
        where=[found.region, str(region) if region is not None else None],
    )
