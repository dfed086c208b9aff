"""Where the Z.ai key comes from, in order; every source is only read.

Environment variables first (the China-named ones start at the China host), then the key
stored by vibeusage, then Claude Code set up for GLM: ``ANTHROPIC_AUTH_TOKEN`` counts only
when ``ANTHROPIC_BASE_URL`` is HTTPS on exactly ``api.z.ai`` or ``open.bigmodel.cn`` — any
other base URL (a proxy, Anthropic itself, a look-alike) means the token is not Z.ai's and
it is never sent. Z.ai's own Claude Code set-up writes that pair into the ``env`` block of
Claude Code's ``settings.json``, which Claude Code applies to its environment; vibeusage
reads the same block when the variables are not in its own environment.
"""

from pathlib import Path
from typing import Any, Mapping, Optional, Tuple

from ...credentials import CredentialStore
from ...kit.api_keys import FoundKey, clean_key, key_from_environ
from ...kit.files import tool_home
from ..base import FetchContext

PROVIDER_ID = "zai"
SECRET_NAME = "api_key"
GLOBAL_VARIABLES = ("ZAI_API_KEY", "Z_AI_API_KEY", "GLM_API_KEY")
CHINA_VARIABLES = ("BIGMODEL_API_KEY", "ZHIPUAI_API_KEY", "ZHIPU_API_KEY")
TOKEN_VARIABLE = "ANTHROPIC_AUTH_TOKEN"
BASE_URL_VARIABLE = "ANTHROPIC_BASE_URL"
#: Claude Code's base-URL hosts that are Z.ai's, and the region each one is.
CLAUDE_HOSTS = {"api.z.ai": "global", "open.bigmodel.cn": "cn"}
STORED = "stored"
CLAUDE_ENV = TOKEN_VARIABLE
CLAUDE_SETTINGS = "claude_settings"


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
    pair = claude_pair(ctx.environ)
    if pair is not None:
        where = f"the Claude Code token from {TOKEN_VARIABLE}"
        return FoundKey(pair[0], CLAUDE_ENV, where, pair[1])
    path = claude_settings_path(ctx)
    pair = claude_pair(claude_settings_env(path))
    if pair is not None:
        return FoundKey(pair[0], CLAUDE_SETTINGS, f"the Claude Code token in {path}", pair[1])
    return None


def stored_key_path(ctx: FetchContext) -> Path:
    return CredentialStore(ctx.paths).path(PROVIDER_ID, SECRET_NAME)


def claude_settings_path(ctx: FetchContext) -> Path:
    """Claude Code's user settings: ``$CLAUDE_CONFIG_DIR/settings.json``, else ``~/.claude``."""
    return tool_home(ctx.environ, ctx.home, "CLAUDE_CONFIG_DIR", ".claude") / "settings.json"


def claude_settings_env(path: Path) -> Mapping[str, Any]:
    """The ``env`` block of Claude Code's settings; empty when missing or unreadable."""
    import json

    try:
        document = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return {}
    env = document.get("env") if isinstance(document, dict) else None
    return env if isinstance(env, dict) else {}


def claude_pair(env: Mapping[str, Any]) -> Optional[Tuple[str, str]]:
    """``(token, region)`` when ``env`` points Claude Code at a Z.ai host with a token."""
    region = region_of_base_url(env.get(BASE_URL_VARIABLE))
    token = clean_key(env.get(TOKEN_VARIABLE))
    if region is None or token is None:
        return None
    return token, region


def region_of_base_url(value: Any) -> Optional[str]:
    """The region of an ``https://`` base URL whose host is exactly one of Z.ai's, else None."""
    from urllib.parse import urlsplit

    text = clean_key(value)
    if text is None:
        return None
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme.lower() != "https" or parts.username or parts.password:
        return None
    if port not in (None, 443):
        return None
    return CLAUDE_HOSTS.get((parts.hostname or "").lower())
