"""Real browser cookie stores built in a temporary HOME: Firefox, Chromium (v10) and Safari.

Shared by the kit's tests and the providers' tests that read browser cookies.
"""

import hashlib
import sqlite3
import struct
from datetime import datetime
from pathlib import Path
from typing import Iterable, Sequence, Tuple

import pytest

try:
    import cryptography  # noqa: F401

    HAVE_CRYPTOGRAPHY = True
except ImportError:  # the optional extra: the suite passes without it
    HAVE_CRYPTOGRAPHY = False

needs_cryptography = pytest.mark.skipif(
    not HAVE_CRYPTOGRAPHY,
    reason="Chromium cookie decryption needs the optional `cryptography` package "
    "(pip install 'vibeusage[cookies]')",
)

#: name, value, host, expiry (epoch seconds or milliseconds; 0 for a session cookie)
FirefoxCookie = Tuple[str, str, str, int]
#: host, name, value, encrypted value, expires_utc
ChromiumRow = Tuple[str, str, str, bytes, int]
#: domain, name, path, value, expiry (Unix seconds)
SafariCookie = Tuple[str, str, str, str, float]

MAC_EPOCH = 978_307_200


def write_firefox(home_root: Path, profiles: Sequence[Tuple[str, Iterable[FirefoxCookie]]]) -> Path:
    """``profiles.ini`` listing each profile (the first one Default=1) and their cookies."""
    root = home_root / ".mozilla" / "firefox"
    root.mkdir(parents=True, exist_ok=True)
    ini = ["[General]", "StartWithLastProfile=1", ""]
    for index, (name, cookies) in enumerate(profiles):
        ini += [f"[Profile{index}]", f"Name={name}", "IsRelative=1", f"Path={name}"]
        ini += ["Default=1", ""] if index == 0 else [""]
        folder = root / name
        folder.mkdir()
        connection = sqlite3.connect(str(folder / "cookies.sqlite"))
        connection.execute(
            "CREATE TABLE moz_cookies (id INTEGER PRIMARY KEY, originAttributes TEXT, "
            "name TEXT, value TEXT, host TEXT, path TEXT, expiry INTEGER, isSecure INTEGER)"
        )
        connection.executemany(
            "INSERT INTO moz_cookies (originAttributes, name, value, host, path, expiry, "
            "isSecure) VALUES ('', ?, ?, ?, '/', ?, 1)",
            list(cookies),
        )
        connection.commit()
        connection.close()
    (root / "profiles.ini").write_text("\n".join(ini), encoding="utf-8")
    return root


def chrome_time(when: datetime) -> int:
    """Chromium's ``expires_utc``: microseconds since 1601-01-01."""
    return int((when.timestamp() + 11_644_473_600) * 1_000_000)


def encrypt_v10(plaintext: str, host: str, version: int, password: bytes = b"peanuts") -> bytes:
    """What Chromium on Linux writes: v10 + AES-128-CBC(PBKDF2-SHA1(password), IV 16 spaces)."""
    from cryptography.hazmat.primitives import padding
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key = hashlib.pbkdf2_hmac("sha1", password, b"saltysalt", 1, 16)
    data = plaintext.encode()
    if version >= 24:
        data = hashlib.sha256(host.encode()).digest() + data
    padder = padding.PKCS7(128).padder()
    padded = padder.update(data) + padder.finalize()
    encryptor = Cipher(algorithms.AES(key), modes.CBC(b" " * 16)).encryptor()
    return b"v10" + encryptor.update(padded) + encryptor.finalize()


def write_chromium(
    home_root: Path,
    folder: str,
    rows: Sequence[ChromiumRow],
    version: int = 24,
    profile: str = "Default",
    network: bool = False,
) -> Path:
    """A ``Cookies`` database for one profile of the browser under ``~/.config/<folder>``."""
    place = home_root / ".config" / folder / profile
    path = place / "Network" / "Cookies" if network else place / "Cookies"
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path))
    connection.execute("CREATE TABLE meta (key LONGVARCHAR PRIMARY KEY, value LONGVARCHAR)")
    connection.execute("INSERT INTO meta VALUES ('version', ?)", (str(version),))
    connection.execute(
        "CREATE TABLE cookies (creation_utc INTEGER, host_key TEXT, name TEXT, value TEXT, "
        "encrypted_value BLOB, path TEXT, expires_utc INTEGER)"
    )
    connection.executemany(
        "INSERT INTO cookies VALUES (0, ?, ?, ?, ?, '/', ?)", [tuple(row) for row in rows]
    )
    connection.commit()
    connection.close()
    return path


def binarycookies(cookies: Sequence[SafariCookie]) -> bytes:
    """A ``Cookies.binarycookies`` file: one page with (domain, name, path, value, expiry)."""
    records = []
    for domain, name, path, value, expiry in cookies:
        strings = b""
        offsets = []
        for text in (domain, name, path, value):
            offsets.append(56 + len(strings))
            strings += text.encode() + b"\0"
        header = struct.pack(
            "<IIIIIIII8sdd",
            56 + len(strings),
            0,
            1,
            0,
            *offsets,
            b"\0" * 8,
            expiry - MAC_EPOCH,
            0.0,
        )
        records.append(header + strings)
    head_size = 4 + 4 + 4 * len(records) + 4
    offsets, at = [], head_size
    for record in records:
        offsets.append(at)
        at += len(record)
    page = b"\x00\x00\x01\x00" + struct.pack("<I", len(records))
    page += struct.pack(f"<{len(records)}I", *offsets) + b"\0\0\0\0" + b"".join(records)
    return b"cook" + struct.pack(">I", 1) + struct.pack(">I", len(page)) + page + b"\0" * 8


def write_safari(home_root: Path, data: bytes, container: bool = False) -> Path:
    """Safari's cookie file, in its classic place or in the sandboxed container."""
    library = home_root / "Library"
    if container:
        library = library / "Containers" / "com.apple.Safari" / "Data" / "Library"
    path = library / "Cookies" / "Cookies.binarycookies"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path
