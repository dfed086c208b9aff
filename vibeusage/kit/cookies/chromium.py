"""Cookies in Chromium-family browsers on Linux (Chrome, Chromium, Brave, Edge).

Values in ``Cookies`` (table ``cookies``) are encrypted. ``v10`` values use Chromium's
well-known Linux key: PBKDF2-SHA1("peanuts", salt "saltysalt", 1 iteration, 16 bytes),
AES-128-CBC with an IV of 16 spaces. ``v11`` values use a key kept in the desktop keyring
(Secret Service / KWallet), which vibeusage does not read: only the empty-password key
that Chromium falls back to is tried, else the cookie is reported as needing the keyring.
Since database version 24, the plaintext starts with SHA-256 of the cookie's host.

AES comes from the optional ``cryptography`` package (``pip install 'vibeusage[cookies]'``).
"""

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Tuple

from .cookie import BrowserCookie, CookieNote, CookieQuery, bare_host
from .sqlite_copy import has_table, opened_copy

#: (browser, display name, folder under the XDG config dir)
BROWSERS = (
    ("chrome", "Chrome", "google-chrome"),
    ("chromium", "Chromium", "chromium"),
    ("brave", "Brave", "BraveSoftware/Brave-Browser"),
    ("edge", "Edge", "microsoft-edge"),
)
EXTRA_HINT = "`pip install 'vibeusage[cookies]'` (the optional `cryptography` package)"
#: Why a ``v11`` value stays closed: its key is in the desktop keyring.
KEYRING_NOTE = (
    "the cookie for {host} in {where} needs the desktop keyring (v11 encryption), which "
    "vibeusage does not read"
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
    """``$XDG_CONFIG_HOME`` when it is an absolute path, else ``~/.config``."""
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


#: host, name, plain value, encrypted value, expires_utc
Row = Tuple[str, str, str, bytes, int]


def read_chromium_cookies(path: Path, query: CookieQuery) -> Tuple[int, List[Row]]:
    """The database version and its unexpired wanted cookies, best first."""
    marks = ", ".join("?" for _ in query.names)
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
            query.names,
        ).fetchall()
    found: List[Row] = []
    for host, name, value, encrypted, expires in rows:
        if not query.wants(host, name) or _expired(expires, query):
            continue
        plain = value if isinstance(value, str) else ""
        blob = bytes(encrypted) if isinstance(encrypted, (bytes, bytearray, memoryview)) else b""
        found.append((host, name, plain.strip(), blob, expires))
    found.sort(key=lambda row: query.rank(row[1], row[0]))
    return version, found


def chromium_cookies(
    home: Path,
    environ: Mapping[str, str],
    platform: str,
    query: CookieQuery,
    notes: List[CookieNote],
    aes_loader: Callable[[], Optional[AesDecrypt]] = load_aes,
) -> List[BrowserCookie]:
    """The wanted cookies of every Chromium-family browser profile (Linux only)."""
    if not platform.startswith("linux") or not query.names:
        return []
    config = chromium_config_dir(home, environ)
    stores = [
        (browser, f"{label} profile {profile}", database)
        for browser, label, folder in BROWSERS
        for profile, database in cookie_files(config / folder)
    ]
    if not stores:
        return []
    import sqlite3

    cookies: List[BrowserCookie] = []
    aes: Optional[AesDecrypt] = None
    aes_tried = False
    for browser, where, database in stores:
        try:
            version, rows = read_chromium_cookies(database, query)
        except (OSError, sqlite3.Error) as exc:
            notes.append(
                CookieNote(browser, f"cannot read {database} ({type(exc).__name__})", False)
            )
            continue
        for host, name, value, encrypted, expires in rows:
            if not value and encrypted:
                if not aes_tried:
                    aes, aes_tried = aes_loader(), True
                if aes is None:
                    text = f"a cookie for {bare_host(host)} is in {where}; reading it needs "
                    notes.append(CookieNote(browser, text + EXTRA_HINT))
                    continue
                value = decrypt_value(encrypted, host, version, aes) or ""
                if not value:
                    notes.append(CookieNote(browser, _undecryptable(encrypted, host, where)))
                    continue
            if value:
                cookies.append(BrowserCookie(browser, where, host, name, value, _expiry(expires)))
    return cookies


def _undecryptable(encrypted: bytes, host: str, where: str) -> str:
    if encrypted[:3] == b"v11":
        return KEYRING_NOTE.format(host=bare_host(host), where=where)
    return f"the cookie for {bare_host(host)} in {where} could not be decrypted"


def _seconds(expires: object) -> Optional[float]:
    """``expires_utc`` (microseconds since 1601) in Unix seconds; None for a session cookie."""
    if isinstance(expires, bool) or not isinstance(expires, int) or expires <= 0:
        return None
    return expires / 1_000_000 - WINDOWS_EPOCH_OFFSET


def _expired(expires: object, query: CookieQuery) -> bool:
    seconds = _seconds(expires)
    return seconds is not None and seconds < query.now.astimezone(timezone.utc).timestamp()


def _expiry(expires: object) -> Optional[datetime]:
    from ...timeparse import from_epoch

    return from_epoch(_seconds(expires))
