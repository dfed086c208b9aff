"""Which Claude login a snapshot belongs to: the config folder and its account, the session key.

Claude Code keeps the signed-in account (``oauthAccount.accountUuid``) in ``.claude.json``
next to its config folder; that survives token refreshes, so the access token only
stands in when the account is not recorded.
"""

from pathlib import Path
from typing import Optional

from ...kit.login_key import (
    dig,
    json_file,
    login_key,
    secret_identity,
    stored_secret,
    token_identity,
)
from ...statusline.location import claude_config_dir
from ..base import FetchContext


def config_dir(ctx: FetchContext) -> Path:
    """``$CLAUDE_CONFIG_DIR``, else ``~/.claude``, as a real path (one folder, one key)."""
    return Path(claude_config_dir(ctx.environ, str(ctx.home)))


def state_path(ctx: FetchContext) -> Path:
    """Claude Code's state file: inside ``$CLAUDE_CONFIG_DIR``, else ``~/.claude.json``."""
    if ctx.environ.get("CLAUDE_CONFIG_DIR"):
        return config_dir(ctx) / ".claude.json"
    return ctx.home / ".claude.json"


def oauth_identity(ctx: FetchContext) -> Optional[str]:
    """The Claude Code account (its uuid), else its access token; None when logged out."""
    account = dig(json_file(state_path(ctx)), "oauthAccount", "accountUuid")
    if account:
        return f"account:{account}"
    token = dig(json_file(config_dir(ctx) / ".credentials.json"), "claudeAiOauth", "accessToken")
    return token_identity(token)


def claude_login_key(ctx: FetchContext) -> Optional[str]:
    """Claude Code's account in its config folder, and the claude.ai session key if stored."""
    return login_key(
        [oauth_identity(ctx), secret_identity(stored_secret(ctx.paths, "claude", "session_key"))],
        where=[str(config_dir(ctx))],
    )
