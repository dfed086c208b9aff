"""Cookies in Safari (macOS): the ``Cookies.binarycookies`` format, parsed with ``struct``.

Layout: ``b"cook"``, page count (big-endian u32), each page's size (big-endian u32), the
pages. A page: ``00 00 01 00``, cookie count (little-endian u32), each cookie's offset
(little-endian u32). A cookie record (little-endian): size, unknown, flags, unknown,
offsets of domain, name, path and value (NUL-terminated strings, relative to the record),
8 unknown bytes, then expiry and creation as doubles in seconds since 2001-01-01 UTC.
"""

import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional

from .cookie import BrowserCookie, CookieNote, CookieQuery

BROWSER = "safari"
MAGIC = b"cook"
PAGE_MAGIC = b"\x00\x00\x01\x00"
#: 2001-01-01T00:00:00Z in Unix time (the Mac "absolute time" epoch).
MAC_EPOCH = 978_307_200
RECORD_HEADER = struct.Struct("<IIIIIIII8sdd")


class BinaryCookiesError(ValueError):
    """The file is not in the binarycookies format (or is cut short)."""


@dataclass(frozen=True)
class BinaryCookie:
    """One record of a binarycookies file, as stored."""

    domain: str
    name: str
    path: str
    value: str = field(repr=False)
    #: Unix time, or None when the record has none.
    expires: Optional[float] = None


def safari_cookie_files(home: Path) -> List[Path]:
    """Where Safari keeps its cookies (sandboxed container first, then the classic place)."""
    return [
        home
        / "Library"
        / "Containers"
        / "com.apple.Safari"
        / "Data"
        / "Library"
        / "Cookies"
        / "Cookies.binarycookies",
        home / "Library" / "Cookies" / "Cookies.binarycookies",
    ]


def parse_binarycookies(data: bytes) -> List[BinaryCookie]:
    """Every cookie of a ``Cookies.binarycookies`` file; BinaryCookiesError when malformed."""
    if data[:4] != MAGIC:
        raise BinaryCookiesError("not a binarycookies file")
    try:
        (page_count,) = struct.unpack_from(">I", data, 4)
        sizes = struct.unpack_from(f">{page_count}I", data, 8) if page_count else ()
    except struct.error as exc:
        raise BinaryCookiesError("cut short in the header") from exc
    offset = 8 + 4 * page_count
    cookies: List[BinaryCookie] = []
    for size in sizes:
        page = data[offset : offset + size]
        if len(page) < size:
            raise BinaryCookiesError("cut short in a page")
        cookies.extend(_parse_page(page))
        offset += size
    return cookies


def _parse_page(page: bytes) -> List[BinaryCookie]:
    if page[:4] != PAGE_MAGIC:
        raise BinaryCookiesError("bad page signature")
    try:
        (count,) = struct.unpack_from("<I", page, 4)
        offsets = struct.unpack_from(f"<{count}I", page, 8) if count else ()
    except struct.error as exc:
        raise BinaryCookiesError("cut short in a page header") from exc
    return [_parse_record(page, start) for start in offsets]


def _parse_record(page: bytes, start: int) -> BinaryCookie:
    try:
        fields = RECORD_HEADER.unpack_from(page, start)
    except struct.error as exc:
        raise BinaryCookiesError("cut short in a cookie record") from exc
    size, _, _flags, _, domain_at, name_at, path_at, value_at, _, expiry, _created = fields
    record = page[start : start + size]
    if len(record) < RECORD_HEADER.size:
        raise BinaryCookiesError("cookie record smaller than its header")
    expires = expiry + MAC_EPOCH if expiry == expiry and expiry > 0 else None
    return BinaryCookie(
        domain=_string(record, domain_at),
        name=_string(record, name_at),
        path=_string(record, path_at),
        value=_string(record, value_at),
        expires=expires,
    )


def _string(record: bytes, at: int) -> str:
    if not 0 < at < len(record):
        raise BinaryCookiesError("string offset outside its record")
    end = record.find(b"\x00", at)
    if end < 0:
        raise BinaryCookiesError("unterminated string")
    return record[at:end].decode("utf-8", "replace")


def safari_cookies(
    home: Path, platform: str, query: CookieQuery, notes: List[CookieNote]
) -> List[BrowserCookie]:
    """The wanted cookies of Safari's cookie file (macOS only)."""
    if platform != "darwin":
        return []
    from ...timeparse import from_epoch

    found: List[BrowserCookie] = []
    for path in safari_cookie_files(home):
        if not path.is_file():
            continue
        try:
            cookies = parse_binarycookies(path.read_bytes())
        except PermissionError:
            text = f"cannot read {path}: give the terminal Full Disk Access to use Safari's cookies"
            notes.append(CookieNote(BROWSER, text, False))
            continue
        except (OSError, BinaryCookiesError) as exc:
            notes.append(CookieNote(BROWSER, f"cannot read {path} ({exc})", False))
            continue
        wanted = [
            c
            for c in cookies
            if query.wants(c.domain, c.name)
            and c.value.strip()
            and (c.expires is None or c.expires > query.now.timestamp())
        ]
        wanted.sort(key=lambda c: query.rank(c.name, c.domain))
        for cookie in wanted:
            found.append(
                BrowserCookie(
                    BROWSER,
                    "Safari",
                    cookie.domain,
                    cookie.name,
                    cookie.value.strip(),
                    from_epoch(cookie.expires),
                )
            )
        if found:
            break  # both files are views of the same store: the first with a cookie wins
    return found
