"""Google tokens that agy or the Antigravity IDE stored, read only and never refreshed.

Sources, in order: agy's keyring item (Secret Service ``service=gemini username=antigravity``
through ``secret-tool``, only with a D-Bus session; the macOS Keychain through ``security``),
agy's token file ``~/.gemini/antigravity-cli/antigravity-oauth-token`` (written when no
keyring is reachable), and the IDE's ``state.vscdb``. The keyring item and the file hold
``{"token": {"access_token", "token_type", "refresh_token", "expiry"}, "auth_method",
"id_token"}`` (``expiry`` RFC 3339 with nanoseconds and a local offset), the file possibly as
``go-keyring-base64:`` + base64 of it, or a bare ``ya29.…`` (optionally ``Bearer ``). The
IDE keeps ``antigravityUnifiedStateSync.oauthToken`` (base64 of nested protobuf messages
ending in ``OAuthTokenInfo{1 access_token, 2 token_type, 3 refresh_token, 4 expiry{1
seconds}}``) and ``antigravityAuthStatus`` (JSON whose ``apiKey`` is the access token).
The refresh tokens are never used: those chains belong to agy and the IDE.
"""

import base64
import binascii
import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

from ...kit.values import MaskedRepr, jwt_claims, opt_str
from ...timeparse import from_epoch, parse_iso
from ..base import FetchContext
from .local import agy_data_dir, ide_state_dbs

log = logging.getLogger(__name__)

TOKEN_FILE = "antigravity-oauth-token"
KEYRING_SERVICE = "gemini"
KEYRING_ACCOUNT = "antigravity"
KEYRING_CAP = 2.0
GO_KEYRING_PREFIX = "go-keyring-base64:"
OAUTH_TOKEN_KEY = "antigravityUnifiedStateSync.oauthToken"
AUTH_STATUS_KEY = "antigravityAuthStatus"
SENTINEL = b"oauthTokenInfoSentinelKey"


@dataclass(frozen=True, repr=False)
class StoredToken(MaskedRepr):
    """One stored access token, where it came from, and when it expires (None: unknown)."""

    SECRET_FIELDS = ("access_token",)

    access_token: str
    expires_at: Optional[datetime]
    #: ``agy keyring``, ``agy token file`` or ``Antigravity IDE``.
    source: str
    email: Optional[str] = None


def stored_tokens(ctx: FetchContext, problems: List[str]) -> Iterator[StoredToken]:
    """Every token found, in the order of the sources (each read only when asked for).

    A source that is there but cannot be read adds a sentence naming it to ``problems``.
    """
    token = keyring_token(ctx)
    if token is not None:
        yield token
    path = agy_data_dir(ctx) / TOKEN_FILE
    if path.exists():
        token = token_file(path, problems)
        if token is not None:
            yield token
    for database in ide_state_dbs(ctx):
        found = ide_tokens(database)
        if not found:
            problems.append(f"the Antigravity IDE's state {database} holds no readable login")
        yield from found


def token_file(path: Path, problems: List[str]) -> Optional[StoredToken]:
    """The token in agy's token file, or None with the reason added to ``problems``."""
    try:
        text = path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        problems.append(f"agy's token file {path} cannot be read ({exc.strerror or 'error'})")
        return None
    token = parse_token_text(text, "agy token file")
    if token is None:
        problems.append(f"agy's token file {path} holds no token vibeusage can read")
    return token


def parse_token_text(text: str, source: str) -> Optional[StoredToken]:
    """A token from the keyring item's or the token file's text, None when it holds none."""
    import json

    text = text.strip()
    if text.startswith(GO_KEYRING_PREFIX):
        try:
            decoded = base64.b64decode(text[len(GO_KEYRING_PREFIX) :], validate=False)
        except (binascii.Error, ValueError):
            return None
        return parse_token_text(decoded.decode("utf-8", "replace"), source)
    if text.lower().startswith("bearer "):
        text = text[7:].strip()
    if text.startswith("ya29.") and len(text.split()) == 1:
        return StoredToken(text, None, source)
    if not text.startswith("{"):
        return None
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return token_from_document(document, source)


def token_from_document(document: Any, source: str) -> Optional[StoredToken]:
    """A token from agy's keyring JSON (or a flat ``{"access_token", "expiry"}``)."""
    if not isinstance(document, dict):
        return None
    nested = document.get("token")
    token: Dict[str, Any] = nested if isinstance(nested, dict) else document
    access = opt_str(token.get("access_token"))
    if access is None:
        return None
    expiry = token.get("expiry")
    expires_at = parse_iso(expiry) if isinstance(expiry, str) else None
    id_token = document.get("id_token")
    claims = jwt_claims(id_token) if isinstance(id_token, str) else None
    email = opt_str(claims.get("email")) if claims else None
    return StoredToken(access, expires_at, source, email)


def keyring_token(ctx: FetchContext) -> Optional[StoredToken]:
    """agy's keyring item (``secret-tool`` with a D-Bus session; ``security`` on macOS)."""
    import shutil

    if ctx.platform == "darwin":
        name = "security"
        args = ["find-generic-password", "-s", KEYRING_SERVICE, "-a", KEYRING_ACCOUNT, "-w"]
    elif ctx.platform.startswith("linux") and ctx.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        name = "secret-tool"
        args = ["lookup", "service", KEYRING_SERVICE, "username", KEYRING_ACCOUNT]
    else:
        return None
    program = shutil.which(name, path=ctx.environ.get("PATH"))
    if program is None:
        return None
    from ...kit.capture import run_captured

    try:
        captured = run_captured([program, *args], env=ctx.environ, total=KEYRING_CAP)
    except OSError:
        return None
    if captured.returncode != 0 or not captured.stdout.strip():
        return None
    return parse_token_text(captured.stdout, "agy keyring")


def ide_tokens(path: Path) -> List[StoredToken]:
    """The tokens in the IDE's ``state.vscdb`` (opened without writing a byte)."""
    import sqlite3

    from ...kit.sqlite_untouched import open_untouched

    values = {}
    try:
        with open_untouched(path) as connection:
            for key in (OAUTH_TOKEN_KEY, AUTH_STATUS_KEY):
                row = connection.execute(
                    "SELECT value FROM ItemTable WHERE key = ?", (key,)
                ).fetchone()
                values[key] = row[0] if row else None
    except (sqlite3.Error, OSError) as exc:
        log.debug("cannot read %s: %r", path, exc)
        return []
    status = auth_status(values[AUTH_STATUS_KEY])
    found = []
    token = ide_oauth_token(values[OAUTH_TOKEN_KEY])
    if token is not None:
        found.append(
            StoredToken(
                token.access_token,
                token.expires_at,
                token.source,
                status.email if status is not None else None,
            )
        )
    if status is not None:
        found.append(status)
    return found


def ide_oauth_token(value: Any) -> Optional[StoredToken]:
    """The token in ``antigravityUnifiedStateSync.oauthToken`` (None when unreadable)."""
    from ...kit.protowire import first_bytes, first_int, message_fields

    try:
        text = value.decode("ascii") if isinstance(value, (bytes, bytearray)) else value
        if not isinstance(text, str):
            return None
        outer = message_fields(base64.b64decode(text.strip()))
        entry = message_fields(first_bytes(outer, 1))
        if first_bytes(entry, 1) != SENTINEL:
            return None
        payload = message_fields(first_bytes(entry, 2))
        info = message_fields(base64.b64decode(first_bytes(payload, 1)))
        access = first_bytes(info, 1).decode("utf-8").strip()
        expires_at = None
        if 4 in info:
            seconds = first_int(message_fields(first_bytes(info, 4)), 1)
            expires_at = from_epoch(seconds)
    except (ValueError, binascii.Error, UnicodeError):  # binascii.Error is a ValueError
        return None
    return StoredToken(access, expires_at, "Antigravity IDE") if access else None


def auth_status(value: Any) -> Optional[StoredToken]:
    """The token of ``antigravityAuthStatus`` (its ``apiKey``; no expiry is known)."""
    import json

    if isinstance(value, (bytes, bytearray)):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    try:
        document = json.loads(value)
    except (ValueError, RecursionError):
        return None
    if not isinstance(document, dict):
        return None
    access = opt_str(document.get("apiKey"))
    if access is None:
        return None
    return StoredToken(access, None, "Antigravity IDE", opt_str(document.get("email")))
