"""The Cursor app's own login: ``cursorAuth/accessToken`` in its ``state.vscdb`` (read-only).

The access token is a JWT whose ``sub`` ends in the user id; cursor.com accepts it as the
``WorkosCursorSessionToken`` cookie ``<userId>%3A%3A<jwt>``. The database belongs to the
Cursor app: it is opened with ``mode=ro`` and never written.
"""

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, List, Mapping, Optional

from ...kit.files import app_config_dir
from ...kit.values import jwt_claims
from .session import WORKOS_COOKIE, Note, SessionCookie, session_cookie_value

SOURCE = "cursor-app"
TOKEN_KEY = "cursorAuth/accessToken"
#: A token this close to its expiry would die mid-run: leave it to the app to renew.
MIN_LIFETIME = timedelta(minutes=1)


def state_db_path(home: Path, environ: Mapping[str, str], platform: str) -> Path:
    """Where the Cursor app keeps ``state.vscdb`` on this platform."""
    return (
        app_config_dir(environ, home, platform, "Cursor") / "User" / "globalStorage" / "state.vscdb"
    )


def read_access_token(path: Path) -> Optional[str]:
    """The stored access token, or None when the app is signed out (sqlite3 errors propagate)."""
    from ...kit.sqlite import read_value

    value = read_value(path, "SELECT value FROM ItemTable WHERE key = ? LIMIT 1", (TOKEN_KEY,))
    return _token_text(value)


def app_session(path: Path, now: datetime, notes: List[Note]) -> Optional[SessionCookie]:
    """The Cursor app's session as a cookie, or None (with a note saying why, if it matters)."""
    if not path.is_file():
        return None
    import sqlite3

    try:
        token = read_access_token(path)
    except (sqlite3.Error, OSError) as exc:
        notes.append(Note(SOURCE, f"cannot read {path} ({_reason(exc)})"))
        return None
    if token is None:
        notes.append(Note(SOURCE, "the Cursor app is not signed in", found=False))
        return None
    claims = jwt_claims(token)
    if claims is None:
        notes.append(Note(SOURCE, "the Cursor app's access token is not a readable JWT"))
        return None
    expires = _expiry(claims.get("exp"))
    if expires is not None and expires - now < MIN_LIFETIME:
        state = "has expired" if expires <= now else "expires within a minute"
        notes.append(Note(SOURCE, f"the Cursor app's login {state}; open Cursor to renew it"))
        return None
    value = session_cookie_value(token)
    if value is None:
        notes.append(Note(SOURCE, "the Cursor app's access token names no user"))
        return None
    return SessionCookie(SOURCE, WORKOS_COOKIE, value, where=f"Cursor app login in {path}")


def _token_text(value: Any) -> Optional[str]:
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.startswith('"'):  # some builds store it JSON-encoded
        import json

        try:
            decoded = json.loads(text)
        except ValueError:
            return None
        text = decoded.strip() if isinstance(decoded, str) else ""
    return text or None


def _expiry(exp: Any) -> Optional[datetime]:
    if isinstance(exp, bool) or not isinstance(exp, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(exp, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
