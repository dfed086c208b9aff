"""Where a GitHub token for Copilot comes from, in order, and the GitHub host to use.

1. ``device_flow``: the token vibeusage stored itself (``vibeusage auth copilot`` or
   ``vibeusage key copilot set``), in ``<config>/credentials/copilot/token.json``;
2. the ``COPILOT_GITHUB_TOKEN``, ``GH_TOKEN`` and ``GITHUB_TOKEN`` variables (blank = unset);
3. ``gh``: the GitHub CLI's ``oauth_token`` for the host in its ``hosts.yml`` (read only).

Each source is a strategy of its own, so the snapshot's ``source`` says which one served.
"""

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from ...credentials import CredentialStore
from ...errors import ConfigError, ErrorCategory, VibeusageError
from ...kit.values import MaskedRepr
from ...store import read_json
from ..base import FetchContext

PROVIDER_ID = "copilot"
#: File name of the stored token under ``<config>/credentials/copilot/``.
TOKEN_NAME = "token"
DEFAULT_HOST = "github.com"
STORED = "device_flow"
ENV_VARS = ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN")
GH = "gh"
#: Every source, in the order they are tried.
SOURCES = (STORED, *ENV_VARS, GH)

_HOST_PATTERN = re.compile(r"^[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]+)?$")


@dataclass(frozen=True, repr=False)
class FoundToken(MaskedRepr):
    """A token and where it came from (``where`` is for people and never holds the token)."""

    SECRET_FIELDS = ("token",)

    source: str
    token: str
    where: str


# --- host --------------------------------------------------------------------------------


def configured_host(ctx: FetchContext) -> str:
    """``[providers.copilot] host`` (GitHub Enterprise), normalised; ``github.com`` by default."""
    value = ctx.config.options.get("host")
    if value is None:
        return DEFAULT_HOST
    text = str(value).strip().lower()
    for prefix in ("https://", "http://"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
    text = text.rstrip("/")
    if text.startswith("api."):
        text = text[len("api.") :]
    if not text:
        return DEFAULT_HOST
    if not _HOST_PATTERN.match(text):
        raise ConfigError(
            f"[providers.copilot] host = {value!r} is not a host name",
            remediation='Give the GitHub Enterprise host alone, e.g. host = "mycompany.ghe.com".',
        )
    return text


def api_base(host: str) -> str:
    """``https://api.github.com``, or ``https://api.<host>`` for GitHub Enterprise."""
    return f"https://api.{host}"


# --- the stored token --------------------------------------------------------------------


def stored_token_path(ctx: FetchContext) -> Path:
    return CredentialStore(ctx.paths).path(PROVIDER_ID, TOKEN_NAME)


def stored_token(ctx: FetchContext) -> Optional[FoundToken]:
    """vibeusage's own token; None when none is stored (an unreadable file is an error)."""
    stored = CredentialStore(ctx.paths).read(PROVIDER_ID, TOKEN_NAME)
    if stored is None:
        return None
    how = "from `vibeusage auth copilot`" if stored_host(ctx) else "stored with `vibeusage key`"
    return FoundToken(STORED, stored.value, f"GitHub token {how} ({stored.path})")


def stored_host(ctx: FetchContext) -> Optional[str]:
    """The host a device-flow token was made for (None for a token stored with ``key``)."""
    data = read_json(stored_token_path(ctx))
    host = data.get("host") if isinstance(data, dict) else None
    return host if isinstance(host, str) and host else None


# --- environment -------------------------------------------------------------------------


def env_token(ctx: FetchContext, name: str) -> Optional[FoundToken]:
    value = (ctx.environ.get(name) or "").strip()
    return FoundToken(name, value, f"the {name} environment variable") if value else None


# --- the GitHub CLI ----------------------------------------------------------------------


def gh_hosts_path(ctx: FetchContext) -> Path:
    """Where ``gh`` keeps ``hosts.yml``, found the way ``gh`` finds its config directory."""
    environ = ctx.environ
    if environ.get("GH_CONFIG_DIR"):
        base = Path(environ["GH_CONFIG_DIR"]).expanduser()
    elif environ.get("XDG_CONFIG_HOME"):
        base = Path(environ["XDG_CONFIG_HOME"]) / "gh"
    elif ctx.platform.startswith("win") and environ.get("APPDATA"):
        base = Path(environ["APPDATA"]) / "GitHub CLI"
    else:
        base = ctx.home / ".config" / "gh"
    return base / "hosts.yml"


#: ``hosts.yml`` holds a few logins; a bigger file is not one.
MAX_HOSTS_BYTES = 1024 * 1024


def gh_token(ctx: FetchContext, host: str) -> Optional[FoundToken]:
    path = gh_hosts_path(ctx)
    from ...store import read_bounded

    try:
        text = read_bounded(path, MAX_HOSTS_BYTES).decode("utf-8", errors="replace")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:  # there, but unreadable: say so rather than "not logged in"
        raise VibeusageError(
            f"Cannot read the GitHub CLI login {path}: {exc.strerror or type(exc).__name__}",
            ErrorCategory.AUTHENTICATION,
            remediation="Check the file's permissions, or set GH_TOKEN.",
        ) from exc
    token = token_for_host(parse_gh_hosts(text), host)
    return FoundToken(GH, token, f"the GitHub CLI login for {host} ({path})") if token else None


@dataclass
class GhHost:
    """One host of ``hosts.yml``: the active token, the active user and per-user tokens."""

    oauth_token: Optional[str] = None
    user: Optional[str] = None
    users: Optional[Dict[str, str]] = None


def parse_gh_hosts(text: str) -> Dict[str, GhHost]:
    """Read ``gh``'s ``hosts.yml`` line by line (the simple block YAML ``gh`` writes).

    Only mapping lines (``key: value`` or ``key:``) matter; nesting follows indentation.
    Host names are lower-cased. Anything else (lists, flow style, junk) is ignored.
    """
    hosts: Dict[str, GhHost] = {}
    stack: List[Tuple[int, str]] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        stripped = line.lstrip(" ")
        if not stripped or stripped.startswith(("#", "-", "...")):
            continue
        entry = _mapping_line(stripped)
        if entry is None:
            continue
        key, value = entry
        indent = len(line) - len(stripped)
        while stack and stack[-1][0] >= indent:
            stack.pop()
        path = [k for _, k in stack] + [key]
        if value is None:
            stack.append((indent, key))
        if len(path) == 1:
            hosts.setdefault(key.lower(), GhHost())
            continue
        host = hosts.setdefault(path[0].lower(), GhHost())
        if value is None:
            continue
        if path[1:] == ["oauth_token"]:
            host.oauth_token = value
        elif path[1:] == ["user"]:
            host.user = value
        elif len(path) == 4 and path[1] == "users" and path[3] == "oauth_token":
            host.users = dict(host.users or {})
            host.users[path[2]] = value
    return hosts


def token_for_host(hosts: Dict[str, GhHost], host: str) -> Optional[str]:
    """The active token of ``host``: its ``oauth_token``, else the active user's, else the
    only user's."""
    entry = hosts.get(host.lower())
    if entry is None:
        return None
    if entry.oauth_token:
        return entry.oauth_token
    users = entry.users or {}
    if entry.user and users.get(entry.user):
        return users[entry.user]
    tokens = [token for token in users.values() if token]
    return tokens[0] if len(tokens) == 1 else None


def _mapping_line(text: str) -> Optional[Tuple[str, Optional[str]]]:
    """``key: value`` -> (key, value); ``key:`` -> (key, None); anything else -> None."""
    if text[0] in "\"'":
        end = text.find(text[0], 1)
        if end < 0 or not text[end + 1 :].startswith(":"):
            return None
        key, rest = text[1:end], text[end + 2 :]
    else:
        colon = text.find(": ")
        if colon < 0:
            if not text.endswith(":"):
                return None
            colon = len(text) - 1
        key, rest = text[:colon].strip(), text[colon + 1 :]
    if not key:
        return None
    value = _scalar(rest)
    return key, value


def _scalar(text: str) -> Optional[str]:
    """A plain or quoted scalar without its trailing comment; None when empty."""
    text = text.strip()
    if not text:
        return None
    if text[0] in "\"'":
        end = text.find(text[0], 1)
        return text[1:end] if end > 0 else None
    comment = text.find(" #")
    if comment >= 0:
        text = text[:comment].rstrip()
    if text in ("~", "null", "{}", "[]", "''", '""'):
        return None
    return text or None


# --- all sources -------------------------------------------------------------------------


def find_token(ctx: FetchContext, source: str) -> Optional[FoundToken]:
    """The token of one source, or None when that source has none."""
    if source == STORED:
        return stored_token(ctx)
    if source == GH:
        return gh_token(ctx, configured_host(ctx))
    return env_token(ctx, source)


def earlier_duplicate(ctx: FetchContext, found: FoundToken) -> Optional[str]:
    """The earlier source that holds the same token (it was tried already), if any."""
    for source in SOURCES[: SOURCES.index(found.source)]:
        try:
            other = find_token(ctx, source)
        except VibeusageError:
            continue
        if other is not None and other.token == found.token:
            return source
    return None
