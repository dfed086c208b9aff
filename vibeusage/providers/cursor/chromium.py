"""Cursor cookies in Chromium-family browsers on Linux (Chrome, Chromium, Brave, Edge).

Values in ``Cookies`` (table ``cookies``) are encrypted. ``v10`` values use Chromium's
well-known Linux key: PBKDF2-SHA1("peanuts", salt "saltysalt", 1 iteration, 16 bytes),
AES-128-CBC with an IV of 16 spaces. ``v11`` values use a key kept in the desktop keyring
(Secret Service / KWallet), which vibeusage does not read: only the empty-password key
that Chromium falls back to is tried, else the cookie is reported as needing the keyring.
Since database version 24, the plaintext starts with SHA-256 of the cookie's host.

AES comes from the optional ``cryptography`` package (``pip install vibeusage[cookies]``).
"""

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Tuple

from .cookiedb import has_table, opened_copy
from .session import COOKIE_NAMES, Note, SessionCookie, cookie_rank, is_cursor_host

#: (source, display name, folder under the XDG config dir)
BROWSERS = (
    ("chrome", "Chrome", "google-chrome"),
    ("chromium", "Chromium", "chromium"),
    ("brave", "Brave", "BraveSoftware/Brave-Browser"),
    ("edge", "Edge", "microsoft-edge"),
)
EXTRA_HINT = "`pip install vibeusage[cookies]` (the optional `cryptography` package)"
#: Why a ``v11`` value stays closed: its key is in the desktop keyring.
KEYRING_NOTE = (
    "the Cursor cookie in {where} needs the desktop keyring (v11 encryption), which vibeusage "
    "does not read"
)
IV = b" " * 16
#: Passwords of the keys derived with PBKDF2-SHA1 (salt "saltysalt", 1 iteration, 16 bytes).
V10_PASSWORD = b"peanuts"
EMPTY_PASSWORD = b""
#: Chromium counts time in microseconds since 1601-01-01.
WINDOWS_EPOCH_OFFSET = 11_644_473_600
#: From this ``meta.version`` on, the plaintext is prefixed with SHA-256(host_key).
HOST_HASH_VERSION = 24

AesDecrypt = Callable[[bytes, bytes], bytes]


def load_aes() -> Optional[AesDecrypt]:
    """AES-128-CBC decryption from ``cryptography``, or None when the extra is not installed."""
    import importlib

    try:
        ciphers = importlib.import_module("cryptography.hazmat.primitives.ciphers")
        algorithms = importlib.import_module("cryptography.hazmat.primitives.ciphers.algorithms")
        modes = importlib.import_module("cryptography.hazmat.primitives.ciphers.modes")
    except Exception:  # not installed, or a broken install: either way, no AES
        return None

    def decrypt(key: bytes, data: bytes) -> bytes:
        decryptor = ciphers.Cipher(algorithms.AES(key), modes.CBC(IV)).decryptor()
        return bytes(decryptor.update(data) + decryptor.finalize())

    return decrypt


def decrypt_value(encrypted: bytes, host: str, db_version: int, aes: AesDecrypt) -> Optional[str]:
    """The plaintext of a ``v10``/``v11`` value, or None when no known key opens it."""
    prefix, body = encrypted[:3], encrypted[3:]
    if prefix == b"v10":
        passwords: Tuple[bytes, ...] = (V10_PASSWORD, EMPTY_PASSWORD)
    elif prefix == b"v11":
        passwords = (EMPTY_PASSWORD,)  # the real key is in the keyring; Chromium may fall back
    else:
        return None
    for password in passwords:
        try:
            plain = aes(derive_key(password), body)
        except ValueError:  # not a whole number of blocks
            return None
        text = _plaintext(plain, host, db_version)
        if text is not None:
            return text
    return None


def derive_key(password: bytes) -> bytes:
    """Chromium's Linux key: PBKDF2-SHA1(password, "saltysalt", 1 iteration, 16 bytes)."""
    import hashlib

    return hashlib.pbkdf2_hmac("sha1", password, b"saltysalt", 1, 16)


def _plaintext(plain: bytes, host: str, db_version: int) -> Optional[str]:
    """Unpadded, host-hash-stripped printable text; None when the key was wrong."""
    pad = plain[-1] if plain else 0
    if not 1 <= pad <= 16 or plain[-pad:] != bytes([pad]) * pad:
        return None
    plain = plain[:-pad]
    import hashlib

    host_hash = hashlib.sha256(host.encode("utf-8")).digest()
    if plain[:32] == host_hash or (db_version >= HOST_HASH_VERSION and len(plain) >= 32):
        plain = plain[32:]
    if not plain or any(byte < 0x20 or byte > 0x7E for byte in plain):
        return None
    return plain.decode("ascii")


def chromium_config_dir(home: Path, environ: Mapping[str, str]) -> Path:
    xdg = environ.get("XDG_CONFIG_HOME")
    return Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".config"


def cookie_files(root: Path) -> List[Tuple[str, Path]]:
    """``(profile, Cookies path)`` for the browser folder ``root``: Default, then Profile N."""
    if not root.is_dir():
        return []
    profiles = ["Default"] + sorted(p.name for p in root.glob("Profile *") if p.is_dir())
    found = []
    for profile in profiles:
        for candidate in (root / profile / "Network" / "Cookies", root / profile / "Cookies"):
            if candidate.is_file():
                found.append((profile, candidate))
                break
    return found


Row = Tuple[str, str, str, bytes]


def read_chromium_cookies(path: Path, now: datetime) -> Tuple[int, List[Row]]:
    """The database version and the unexpired Cursor cookies ``(host, name, value, encrypted)``."""
    marks = ", ".join("?" for _ in COOKIE_NAMES)
    with opened_copy(path) as connection:
        version = 0
        if has_table(connection, "meta"):
            row = connection.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            try:
                version = int(row[0]) if row else 0
            except (TypeError, ValueError):
                version = 0
        rows = connection.execute(
            "SELECT host_key, name, value, encrypted_value, expires_utc FROM cookies "
            f"WHERE name IN ({marks})",
            COOKIE_NAMES,
        ).fetchall()
    found: List[Row] = []
    for host, name, value, encrypted, expires in rows:
        if not is_cursor_host(host) or _expired(expires, now):
            continue
        plain = value if isinstance(value, str) else ""
        blob = bytes(encrypted) if isinstance(encrypted, (bytes, bytearray, memoryview)) else b""
        found.append((host, name, plain.strip(), blob))
    found.sort(key=lambda row: (cookie_rank(row[1]), row[0].lstrip(".") != "cursor.com"))
    return version, found


def chromium_sessions(
    home: Path,
    environ: Mapping[str, str],
    platform: str,
    now: datetime,
    notes: List[Note],
    aes_loader: Callable[[], Optional[AesDecrypt]] = load_aes,
) -> List[SessionCookie]:
    """Cursor sessions from every Chromium-family browser profile (Linux only)."""
    if not platform.startswith("linux"):
        return []
    import sqlite3

    config = chromium_config_dir(home, environ)
    sessions: List[SessionCookie] = []
    aes: Optional[AesDecrypt] = None
    aes_tried = False
    for source, label, folder in BROWSERS:
        for profile, database in cookie_files(config / folder):
            where = f"{label} profile {profile}"
            try:
                version, rows = read_chromium_cookies(database, now)
            except (OSError, sqlite3.Error) as exc:
                notes.append(Note(source, f"cannot read {database} ({type(exc).__name__})", False))
                continue
            for host, name, value, encrypted in rows:
                if not value and encrypted:
                    if not aes_tried:
                        aes, aes_tried = aes_loader(), True
                    if aes is None:
                        notes.append(
                            Note(
                                source,
                                f"a Cursor cookie is in {where}; reading it needs {EXTRA_HINT}",
                            )
                        )
                        continue
                    value = decrypt_value(encrypted, host, version, aes) or ""
                    if not value:
                        notes.append(Note(source, _undecryptable(encrypted, where)))
                        continue
                if value:
                    sessions.append(SessionCookie(source, name, value, where=where))
    return sessions


def _undecryptable(encrypted: bytes, where: str) -> str:
    if encrypted[:3] == b"v11":
        return KEYRING_NOTE.format(where=where)
    return f"the Cursor cookie in {where} could not be decrypted"


def _expired(expires: object, now: datetime) -> bool:
    """``expires_utc`` in microseconds since 1601; 0 is a session cookie (no expiry)."""
    if isinstance(expires, bool) or not isinstance(expires, int) or expires <= 0:
        return False
    seconds = expires / 1_000_000 - WINDOWS_EPOCH_OFFSET
    return seconds < now.astimezone(timezone.utc).timestamp()
