"""A site's cookies from the browsers' own stores (Firefox, the Chromium family, Safari), read-only.

``find_cookies`` is the one entry point: it knows no provider; the caller names the hosts
and the cookie names it wants. Each browser's reader is imported only when it is asked for.
"""

from datetime import datetime
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Sequence, Tuple, Union

from .cookie import BrowserCookie, CookieNote, CookieQuery, host_matches

#: The browser families ``find_cookies`` reads, in its default order.
BROWSERS = ("firefox", "chromium", "safari")
#: Returns AES-128-CBC decryption ``(key, data) -> plaintext``, or None without ``cryptography``.
AesLoader = Callable[[], Optional[Callable[[bytes, bytes], bytes]]]


def find_cookies(
    home: Path,
    environ: Mapping[str, str],
    platform: str,
    now: datetime,
    host_suffix: Union[str, Sequence[str]],
    names: Sequence[str],
    browsers: Sequence[str] = BROWSERS,
    aes_loader: Optional[AesLoader] = None,
) -> Tuple[List[BrowserCookie], List[CookieNote]]:
    """The unexpired cookies called one of ``names`` on hosts under ``host_suffix``, and notes.

    Cookies come browser by browser (in ``browsers`` order), profile by profile; within one
    store, by ``names`` order, then the first suffix's own host before its subdomains.
    A note says why a store or a cookie found in it could not be read (never its value).
    """
    unknown = [browser for browser in browsers if browser not in BROWSERS]
    if unknown:
        raise ValueError(f"unknown browser families {unknown}; known: {', '.join(BROWSERS)}")
    query = CookieQuery.build(host_suffix, names, now)
    cookies: List[BrowserCookie] = []
    notes: List[CookieNote] = []
    for browser in browsers:
        try:
            cookies += _read(browser, home, environ, platform, query, notes, aes_loader)
        except OSError as exc:  # an unreadable folder on the way: that browser has nothing
            notes.append(
                CookieNote(browser, f"cannot look for cookies ({type(exc).__name__})", False)
            )
    return cookies, notes


def _read(
    browser: str,
    home: Path,
    environ: Mapping[str, str],
    platform: str,
    query: CookieQuery,
    notes: List[CookieNote],
    aes_loader: Optional[AesLoader],
) -> List[BrowserCookie]:
    if browser == "firefox":
        from .firefox import firefox_cookies

        return firefox_cookies(home, environ, platform, query, notes)
    if browser == "chromium":
        from .chromium import chromium_cookies, load_aes

        return chromium_cookies(home, environ, platform, query, notes, aes_loader or load_aes)
    from .safari import safari_cookies

    return safari_cookies(home, platform, query, notes)


__all__ = ["BROWSERS", "AesLoader", "BrowserCookie", "CookieNote", "find_cookies", "host_matches"]
