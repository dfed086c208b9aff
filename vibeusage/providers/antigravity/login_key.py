"""Which Google login an Antigravity snapshot belongs to: the accounts agy and the IDE stored.

Only files are read (agy's token file, the IDE's ``state.vscdb``), never the keyring, which
needs a program: the account's email where the token names it, else the token (hashed).
"""

from typing import List, Optional

from ...kit.login_key import login_key, secret_identity
from ..base import FetchContext
from .local import agy_data_dir, ide_state_dbs
from .tokens import TOKEN_FILE, StoredToken, ide_tokens, token_file


def antigravity_login_key(ctx: FetchContext) -> Optional[str]:
    """The accounts of agy's token file and the IDE's login, in agy's folder."""
    found: List[StoredToken] = []
    path = agy_data_dir(ctx) / TOKEN_FILE
    if path.exists():
        token = token_file(path, [])
        if token is not None:
            found.append(token)
    for database in ide_state_dbs(ctx):
        found.extend(ide_tokens(database))
    return login_key(
        [f"email:{t.email}" if t.email else secret_identity(t.access_token) for t in found],
        where=[str(agy_data_dir(ctx))],
    )
