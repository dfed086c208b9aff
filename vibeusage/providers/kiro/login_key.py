"""Which Kiro login a snapshot belongs to: kiro-cli's stored login, or ``KIRO_API_KEY``.

The refresh token of the stored login outlives the hourly access tokens, so it (hashed)
stands for the login, with the login kind and the profile; the state folder and the
``region`` option say where it is used.
"""

from typing import Any, Optional

from ...kit.login_key import dig, login_key, secret_identity
from ..base import FetchContext
from .local import state_db_path
from .state import TOKEN_KEYS, _json


def stored_login_identity(ctx: FetchContext) -> Optional[str]:
    """``<kind>/<profile>/<refresh token hash>`` of kiro-cli's login, or None."""
    import sqlite3

    from ...kit.sqlite_untouched import open_untouched

    path = state_db_path(ctx)
    if not path.is_file():
        return None
    try:
        with open_untouched(path) as connection:
            for key in TOKEN_KEYS:
                row = connection.execute(
                    "SELECT value FROM auth_kv WHERE key = ?", (key,)
                ).fetchone()
                if row is not None and row[0]:
                    return _identity(key, _json(row[0]))
    except (sqlite3.Error, OSError):
        return None
    return None


def _identity(key: str, token: Any) -> Optional[str]:
    secret = secret_identity(dig(token, "refresh_token") or dig(token, "access_token"))
    if secret is None:
        return None
    return f"{key}/{dig(token, 'profile_arn')}/{secret}"


def kiro_login_key(ctx: FetchContext) -> Optional[str]:
    """kiro-cli's stored login and the headless key, in the state folder, for the region."""
    region = ctx.config.options.get("region")
    return login_key(
        [stored_login_identity(ctx), secret_identity(ctx.environ.get("KIRO_API_KEY"))],
        where=[str(state_db_path(ctx)), str(region) if region is not None else None],
    )
