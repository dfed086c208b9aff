"""kiro-cli's login, read from its SQLite state (never written, never refreshed).

``auth_kv`` holds the token under a key that depends on the login: ``kirocli:social:token``
(Google/GitHub), ``kirocli:odic:token`` (IAM Identity Center / Builder ID; "odic" is
kiro-cli's own spelling), ``kirocli:oidc:token``, ``codewhisperer:odic:token`` (older
releases). The value is JSON text (or bytes): ``{"access_token", "refresh_token",
"expires_at": ISO, "region", "profile_arn"?}``. Without ``profile_arn`` in the token, the
profile is ``state['api.codewhisperer.profile']`` → ``{"arn": …}``.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...kit.values import MaskedRepr, opt_str
from ...timeparse import parse_iso
from .local import LOGIN_HINT, RENEW_HINT

TOKEN_KEYS = (
    "kirocli:social:token",
    "kirocli:odic:token",
    "kirocli:oidc:token",
    "codewhisperer:odic:token",
)
PROFILE_KEY = "api.codewhisperer.profile"
ARN = re.compile(r"^arn:aws:codewhisperer:([a-z]{2}-[a-z]+-\d):\d{12}:profile/[A-Za-z0-9]+$")


@dataclass(frozen=True, repr=False)
class KiroLogin(MaskedRepr):
    """kiro-cli's access token and the profile it works for."""

    SECRET_FIELDS = ("access_token",)

    access_token: str
    expires_at: Optional[datetime]
    #: ``expires_at`` was there but could not be read.
    expiry_unreadable: bool
    profile_arn: Optional[str]
    #: The ``auth_kv`` key it came from (says which login it is).
    key: str


def read_login(path: Path) -> KiroLogin:
    """The login stored in kiro-cli's ``data.sqlite3`` at ``path`` (opened read-only).

    Raises an authentication error when the database is missing, unreadable or holds no
    token.
    """
    import sqlite3

    from ...kit.sqlite_untouched import open_untouched

    try:
        with open_untouched(path) as connection:
            key, raw = _token_row(connection)
            profile = _profile_row(connection) if raw is not None else None
    except FileNotFoundError as exc:
        raise VibeusageError(
            f"kiro-cli's state was not found at {path}",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        ) from exc
    except (sqlite3.Error, OSError) as exc:
        raise VibeusageError(
            f"kiro-cli's state {path} could not be read ({type(exc).__name__})",
            ErrorCategory.AUTHENTICATION,
            remediation=RENEW_HINT,
        ) from exc
    if raw is None:
        raise VibeusageError(
            f"kiro-cli's state {path} holds no login",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    try:
        return parse_login(key, raw, profile)
    except VibeusageError as exc:
        raise VibeusageError(
            f"{exc.message} in {path}", exc.category, remediation=exc.remediation
        ) from exc


def parse_login(key: str, raw: Any, profile: Any = None) -> KiroLogin:
    """The login from an ``auth_kv`` value and, optionally, the ``state`` profile value."""
    token = _json(raw)
    access = opt_str(token.get("access_token")) if isinstance(token, dict) else None
    if not isinstance(token, dict) or access is None:
        raise VibeusageError(
            f"kiro-cli's stored login ({key}) is not readable",
            ErrorCategory.AUTHENTICATION,
            remediation=LOGIN_HINT,
        )
    expiry_text = token.get("expires_at")
    expires_at = parse_iso(expiry_text)
    arn = opt_str(token.get("profile_arn"))
    if arn is None:
        document = _json(profile)
        arn = opt_str(document.get("arn")) if isinstance(document, dict) else None
    return KiroLogin(
        access_token=access,
        expires_at=expires_at,
        expiry_unreadable=expiry_text is not None and expires_at is None,
        profile_arn=arn,
        key=key,
    )


def arn_region(arn: str) -> Optional[str]:
    """The region of a well-formed CodeWhisperer profile ARN, else None."""
    match = ARN.match(arn.strip())
    return match.group(1) if match else None


def _token_row(connection: Any) -> Tuple[str, Any]:
    for key in TOKEN_KEYS:
        row = connection.execute("SELECT value FROM auth_kv WHERE key = ?", (key,)).fetchone()
        if row is not None and row[0]:
            return key, row[0]
    return "", None


def _profile_row(connection: Any) -> Any:
    import sqlite3

    try:
        row = connection.execute("SELECT value FROM state WHERE key = ?", (PROFILE_KEY,)).fetchone()
    except sqlite3.OperationalError:  # no state table: the token must carry the profile
        return None
    return row[0] if row else None


def _json(value: Any) -> Any:
    import json

    if isinstance(value, (bytes, bytearray, memoryview)):
        value = bytes(value).decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        return None
