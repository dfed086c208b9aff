"""Shared by the Antigravity tests: secrets, stored tokens, the IDE database and fake tools."""

import base64
import json
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Optional

from tests.conftest import load_fixture

UTC = timezone.utc
#: Between the fixtures' captures and their tokens' expiry (2026-10-06 10:57:51 UTC).
NOW = datetime(2026, 9, 14, 22, 0, tzinfo=UTC)
AGY_TOKEN = "ya29.a0AgyTestAccessTokenNeverShownAnywhere0123456789"
AGY_REFRESH = "1//0gAgyTestRefreshTokenNeverShown0123"
IDE_TOKEN = "ya29.a0IdeTestAccessTokenNeverShownAnywhere0123456789"
CSRF = "5f2c1e9a-0d7b-4c1e-9a55-1b2c3d4e5f60"
EXT_CSRF = "0b9d7c4e-2a1f-4e3d-8c6b-7a5f4e3d2c1b"
QUOTA_URL = "https://cloudcode-pa.googleapis.com/v1internal:retrieveUserQuotaSummary"
DAILY_URL = "https://daily-cloudcode-pa.googleapis.com/v1internal:retrieveUserQuotaSummary"
SERVICE = "exa.language_server_pb.LanguageServerService"

FAKE_AGY = r"""
if sys.argv[1:3] == ["-p", "/quota"]:
    behave("QUOTA", "AGY")
else:
    print("agy 1.3.1")
"""
FAKE_SECRET_TOOL = r"""
record("secret-tool")
sys.stdout.write(open(os.environ["FAKE_KEYRING"]).read() if os.environ.get("FAKE_KEYRING") else "")
sys.exit(0 if os.environ.get("FAKE_KEYRING") else 1)
"""


def agy_document(expiry: Optional[str] = "2026-10-06T17:57:51.458222684+07:00") -> Dict[str, Any]:
    """agy's keyring / token-file JSON (the fixture's shape) with the test secrets."""
    document = load_fixture("antigravity/agy-token.json")
    document.pop("_constructed", None)
    document["token"].update(access_token=AGY_TOKEN, refresh_token=AGY_REFRESH)
    if expiry is None:
        del document["token"]["expiry"]
    else:
        document["token"]["expiry"] = expiry
    return document


def write_token_file(home: Path, text: str) -> Path:
    folder = home / ".gemini" / "antigravity-cli"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "antigravity-oauth-token"
    path.write_text(text, encoding="utf-8")
    return path


# --- the IDE's protobuf token ---------------------------------------------------------------


def varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def pb_field(number: int, value: Any) -> bytes:
    if isinstance(value, int):
        return varint(number << 3) + varint(value)
    data = value.encode() if isinstance(value, str) else value
    return varint(number << 3 | 2) + varint(len(data)) + data


def ide_oauth_value(access: str = IDE_TOKEN, expiry: int = 1791300000) -> str:
    """``antigravityUnifiedStateSync.oauthToken`` as the IDE stores it (base64 text)."""
    info = (
        pb_field(1, access)
        + pb_field(2, "Bearer")
        + pb_field(3, "1//0gIdeRefreshNeverUsed")
        + pb_field(4, pb_field(1, expiry))
    )
    payload = pb_field(1, base64.b64encode(info))
    entry = pb_field(1, "oauthTokenInfoSentinelKey") + pb_field(2, payload)
    return base64.b64encode(pb_field(1, entry)).decode("ascii")


def ide_db_path(home: Path, app: str = "Antigravity IDE") -> Path:
    return home / ".config" / app / "User" / "globalStorage" / "state.vscdb"


def write_ide_db(path: Path, values: Dict[str, str], wal: bool = False) -> sqlite3.Connection:
    """The IDE's ``state.vscdb`` (``ItemTable``); the connection stays open (the IDE runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path))
    if wal:
        connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    for key, value in values.items():
        connection.execute("INSERT INTO ItemTable VALUES (?, ?)", (key, value))
    connection.commit()
    return connection


def auth_status_value(api_key: str = IDE_TOKEN) -> str:
    document = load_fixture("antigravity/ide-antigravity-auth-status.json")
    document.pop("_constructed", None)
    document["apiKey"] = api_key
    return json.dumps(document)
