"""Which Codex login a snapshot belongs to: the ChatGPT account and user in ``auth.json``.

The workspace (``account_id``) and the user (the id token's subject or email) survive
token refreshes; the access token, or an API key, stands in when they are missing. The
Codex home and the backend it points at say where the login is used.
"""

from typing import Any, Optional

from ...kit.files import tool_home
from ...kit.login_key import dig, json_file, login_key, secret_identity, token_identity
from ...kit.values import jwt_claims
from ..base import FetchContext

#: The id token's claim namespace naming the ChatGPT account and user.
_AUTH_CLAIM = "https://api.openai.com/auth"


def chatgpt_identity(document: Any) -> Optional[str]:
    """``account:<workspace>/user:<user>`` from ``auth.json``; the token when they are absent."""
    id_token = dig(document, "tokens", "id_token")
    claims = (jwt_claims(id_token) if id_token else None) or {}
    auth = claims.get(_AUTH_CLAIM) if isinstance(claims.get(_AUTH_CLAIM), dict) else {}
    account = dig(document, "tokens", "account_id") or dig(auth, "chatgpt_account_id")
    user = dig(auth, "chatgpt_user_id") or dig(claims, "sub") or dig(claims, "email")
    if account or user:
        return f"account:{account}/user:{user}"
    return token_identity(dig(document, "tokens", "access_token"))


def codex_login_key(ctx: FetchContext) -> Optional[str]:
    """The ChatGPT login (or API key) of ``auth.json``, in its Codex home."""
    home = tool_home(ctx.environ, ctx.home, "CODEX_HOME", ".codex")
    document = json_file(home / "auth.json")
    return login_key(
        [chatgpt_identity(document), secret_identity(dig(document, "OPENAI_API_KEY"))],
        where=[str(home), _backend(home / "config.toml")],
    )


def _backend(path: Any) -> Optional[str]:
    """``chatgpt_base_url`` when ``config.toml`` sets one (a cheap look at the line)."""
    from ...store import read_bounded

    try:
        text = read_bounded(path, 1024 * 1024).decode("utf-8", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition("=")
        if name.strip() == "chatgpt_base_url":
            return value.strip().strip("\"'") or None
    return None
