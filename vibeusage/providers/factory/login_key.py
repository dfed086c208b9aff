"""Which Factory login a snapshot belongs to: the API key found first, else Droid's login files.

Droid's store is encrypted; it is not opened for this, so its files stand for the login
(a renewal by Droid means another key, and one more request).
"""

from typing import List, Optional

from ...errors import VibeusageError
from ...kit.login_key import file_digest, login_key, secret_identity
from ..base import FetchContext
from .droid_store import existing_stores, factory_dir
from .keys import find_key


def factory_login_key(ctx: FetchContext) -> Optional[str]:
    """The API key (hashed) or the Droid store files, in the Factory folder."""
    try:
        found = find_key(ctx)
    except VibeusageError:
        found = None
    logins: List[Optional[str]] = [secret_identity(found.value) if found is not None else None]
    logins += [file_digest(path) for path, _ in existing_stores(ctx)]
    return login_key(logins, where=[str(factory_dir(ctx))])
