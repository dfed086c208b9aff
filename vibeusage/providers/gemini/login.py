"""The Gemini CLI's own files, read and never written: its Google login and its auth type.

``~/.gemini/oauth_creds.json`` holds ``{access_token, refresh_token, id_token, expiry_date
(ms)}``; ``~/.gemini/settings.json`` names the login type, as ``security.auth.selectedType``
(current releases) or ``selectedAuthType`` (older ones). ``GEMINI_CLI_HOME`` moves both,
as it does for the Gemini CLI.
"""

import json
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Optional

from ...errors import ErrorCategory, VibeusageError
from ...kit.files import read_tool_json
from ...kit.values import MaskedRepr, opt_str
from ...timeparse import from_epoch
from ..base import FetchContext
from .usage import email_from_id_token

LOGIN_HINT = "Run `gemini` once and log in with Google, then retry."
GOOGLE_LOGIN = "oauth-personal"

#: Login types without a Code Assist quota vibeusage can read: type -> what it is.
UNSUPPORTED_LOGINS = {
    "gemini-api-key": "a Gemini API key",
    "vertex-ai": "Vertex AI",
    "compute-default-credentials": "the machine's default Google Cloud credentials",
    "cloud-shell": "Cloud Shell credentials",
}


@dataclass(frozen=True, repr=False)
class GeminiLogin(MaskedRepr):
    """The parts of ``oauth_creds.json`` that vibeusage uses (never shown to anyone)."""

    SECRET_FIELDS = ("access_token", "refresh_token")

    access_token: Optional[str]
    refresh_token: Optional[str]
    expires_at: Optional[datetime]
    email: Optional[str]


def gemini_dir(ctx: FetchContext) -> Path:
    """``$GEMINI_CLI_HOME/.gemini``, else ``~/.gemini``."""
    base = ctx.environ.get("GEMINI_CLI_HOME")
    return (Path(base).expanduser() if base else ctx.home) / ".gemini"


def credentials_path(ctx: FetchContext) -> Path:
    return gemini_dir(ctx) / "oauth_creds.json"


def settings_path(ctx: FetchContext) -> Path:
    return gemini_dir(ctx) / "settings.json"


def read_login(path: Path) -> GeminiLogin:
    """Read (never write) the Gemini CLI's Google login."""
    data = read_tool_json(path, "Gemini CLI login", LOGIN_HINT)
    return parse_login(data, path)


def parse_login(data: Any, path: Any) -> GeminiLogin:
    """The login from the parsed ``oauth_creds.json``; it needs a token of some kind."""
    entry = data if isinstance(data, dict) else {}
    login = GeminiLogin(
        access_token=opt_str(entry.get("access_token")),
        refresh_token=opt_str(entry.get("refresh_token")),
        expires_at=from_epoch(entry.get("expiry_date"), "ms"),
        email=email_from_id_token(entry.get("id_token")),
    )
    if login.access_token is None and login.refresh_token is None:
        raise VibeusageError(
            f"No Google OAuth token in {path}",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    return login


def read_auth_type(path: Path) -> Optional[str]:
    """The login type the Gemini CLI is set to, or None when the file does not say.

    The Gemini CLI accepts comments in settings.json, so they are removed first.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    try:
        data = json.loads(strip_json_comments(text))
    except ValueError:
        return None
    return parse_auth_type(data)


def parse_auth_type(data: Any) -> Optional[str]:
    """``security.auth.selectedType`` (current layout) or ``selectedAuthType`` (older)."""
    if not isinstance(data, dict):
        return None
    security = data.get("security")
    auth = security.get("auth") if isinstance(security, dict) else None
    selected = auth.get("selectedType") if isinstance(auth, dict) else None
    if opt_str(selected):
        return str(selected).strip()
    return opt_str(data.get("selectedAuthType"))


_COMMENT_OR_STRING = re.compile(r'"(?:\\.|[^"\\])*"|//[^\n]*|/\*.*?\*/', re.DOTALL)


def strip_json_comments(text: str) -> str:
    """``//`` and ``/* */`` comments removed, strings left alone."""
    return _COMMENT_OR_STRING.sub(lambda m: m.group(0) if m.group(0)[0] == '"' else "", text)
