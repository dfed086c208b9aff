"""Which Google login a Gemini snapshot belongs to: the id token's account in ``oauth_creds.json``.

The id token names the Google account (``sub``) across refreshes; the refresh token (which
Google does not rotate here), then the access token, stand in without one. The Gemini
folder and a project set in the environment say where the login is used.
"""

from pathlib import Path
from typing import Optional

from ...kit.login_key import dig, json_file, login_key, secret_identity, token_identity
from ..base import FetchContext


def gemini_login_key(ctx: FetchContext) -> Optional[str]:
    """The Google account of the Gemini CLI's login, in its folder, for the project set."""
    base = ctx.environ.get("GEMINI_CLI_HOME")
    folder = (Path(base).expanduser() if base else ctx.home) / ".gemini"
    document = json_file(folder / "oauth_creds.json")
    id_token = dig(document, "id_token")
    account = token_identity(id_token, ("sub", "email")) if id_token else None
    if account is not None and account.startswith("token:"):
        account = None  # an id token that is no JWT says nothing about the account
    identity = (
        account
        or secret_identity(dig(document, "refresh_token"))
        or secret_identity(dig(document, "access_token"))
    )
    project = ctx.environ.get("GOOGLE_CLOUD_PROJECT") or ctx.environ.get("GOOGLE_CLOUD_PROJECT_ID")
    return login_key([identity], where=[str(folder), project])
