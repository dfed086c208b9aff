"""Where the MiniMax key comes from, in order; nothing of another tool is read.

``MINIMAX_CODING_API_KEY`` comes first so that a pay-as-you-go ``MINIMAX_API_KEY`` set for
other tools does not hide the plan key; ``MINIMAX_CN_API_KEY`` starts at the China host.
"""

from pathlib import Path
from typing import Optional

from ...credentials import CredentialStore
from ...kit.api_keys import FoundKey, key_from_environ
from ..base import FetchContext

PROVIDER_ID = "minimax"
SECRET_NAME = "api_key"
GLOBAL_VARIABLES = ("MINIMAX_CODING_API_KEY", "MINIMAX_API_KEY")
CHINA_VARIABLES = ("MINIMAX_CN_API_KEY",)
STORED = "stored"


def find_key(ctx: FetchContext) -> Optional[FoundKey]:
    """The first key of the documented order, or None (an unreadable stored key raises)."""
    found = key_from_environ(ctx.environ, GLOBAL_VARIABLES)
    if found is not None:
        return FoundKey(found[1], found[0], f"the key from {found[0]}")
    found = key_from_environ(ctx.environ, CHINA_VARIABLES)
    if found is not None:
        return FoundKey(found[1], found[0], f"the key from {found[0]}", "cn")
    stored = CredentialStore(ctx.paths).read(PROVIDER_ID, SECRET_NAME)
    if stored is not None:
        return FoundKey(stored.value, STORED, "the stored key")
    return None


def stored_key_path(ctx: FetchContext) -> Path:
    return CredentialStore(ctx.paths).path(PROVIDER_ID, SECRET_NAME)
