"""Cookies in Firefox: every profile of ``profiles.ini``, ``cookies.sqlite`` read from a copy.

Firefox stores cookie values in plain text (table ``moz_cookies``). The database is locked
while Firefox runs, so it is copied first (see ``sqlite_copy``).
"""

from datetime import datetime
from pathlib import Path
from typing import List, Mapping, Optional, Tuple

from .cookie import BrowserCookie, CookieNote, CookieQuery
from .sqlite_copy import opened_copy

BROWSER = "firefox"


def firefox_roots(home: Path, environ: Mapping[str, str], platform: str) -> List[Path]:
    """Folders that may hold Firefox's ``profiles.ini`` on this platform."""
    if platform == "darwin":
        return [home / "Library" / "Application Support" / "Firefox"]
    if platform.startswith("win"):
        appdata = environ.get("APPDATA")
        base = Path(appdata) if appdata else home / "AppData" / "Roaming"
        return [base / "Mozilla" / "Firefox"]
    xdg = environ.get("XDG_CONFIG_HOME")
    config = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".config"
    return [
        home / ".mozilla" / "firefox",
        config / "mozilla" / "firefox",
        home / "snap" / "firefox" / "common" / ".mozilla" / "firefox",
        home / ".var" / "app" / "org.mozilla.firefox" / ".mozilla" / "firefox",
    ]


def firefox_profiles(root: Path) -> List[Path]:
    """Profile folders listed in ``root/profiles.ini``: install defaults first, then the rest.

    Raises OSError or configparser.Error when the file is unreadable.
    """
    import configparser

    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    with open(root / "profiles.ini", encoding="utf-8", errors="replace") as handle:
        parser.read_file(handle)
    defaults: List[str] = []
    listed: List[Tuple[int, str, bool]] = []
    for section in parser.sections():
        table = parser[section]
        if section.startswith("Install") and table.get("Default"):
            defaults.append(table["Default"])
        elif section.startswith("Profile") and table.get("Path"):
            relative = table.get("IsRelative", "1").strip() != "0"
            first = 0 if table.get("Default", "0").strip() == "1" else 1
            listed.append((first, table["Path"], relative))
    ordered = [root / path for path in defaults]
    for _, path, relative in sorted(listed, key=lambda item: item[0]):
        ordered.append(root / path if relative else Path(path))
    return list(dict.fromkeys(ordered))


def read_firefox_cookies(path: Path, query: CookieQuery, where: str) -> List[BrowserCookie]:
    """The unexpired wanted cookies of one ``cookies.sqlite``, best first."""
    marks = ", ".join("?" for _ in query.names)
    with opened_copy(path) as connection:
        rows = connection.execute(
            f"SELECT name, value, host, expiry FROM moz_cookies WHERE name IN ({marks})",
            query.names,
        ).fetchall()
    found = []
    for name, value, host, expiry in rows:
        if not query.wants(host, name) or not isinstance(value, str) or not value.strip():
            continue
        seconds = _seconds(expiry)
        if seconds is not None and seconds < query.now.timestamp():
            continue
        found.append(BrowserCookie(BROWSER, where, host, name, value.strip(), _expiry(seconds)))
    found.sort(key=lambda cookie: query.rank(cookie.name, cookie.host))
    return found


def firefox_cookies(
    home: Path,
    environ: Mapping[str, str],
    platform: str,
    query: CookieQuery,
    notes: List[CookieNote],
) -> List[BrowserCookie]:
    """The wanted cookies of every Firefox profile, in profile order."""
    import configparser

    if not query.names:
        return []
    cookies: List[BrowserCookie] = []
    for root in firefox_roots(home, environ, platform):
        if not (root / "profiles.ini").is_file():
            continue
        try:
            profiles = firefox_profiles(root)
        except (OSError, configparser.Error) as exc:
            notes.append(CookieNote(BROWSER, f"cannot read {root / 'profiles.ini'} ({exc})", False))
            continue
        for profile in profiles:
            database = profile / "cookies.sqlite"
            if not database.is_file():
                continue
            import sqlite3

            try:
                found = read_firefox_cookies(database, query, f"Firefox profile {profile.name}")
            except (OSError, sqlite3.Error) as exc:
                text = f"cannot read {database} ({type(exc).__name__})"
                notes.append(CookieNote(BROWSER, text, False))
                continue
            cookies.extend(found)
    return cookies


def _seconds(expiry: object) -> Optional[float]:
    """Firefox's ``expiry`` is epoch seconds (milliseconds in newer versions); 0 = session."""
    if isinstance(expiry, bool) or not isinstance(expiry, (int, float)) or expiry <= 0:
        return None
    return expiry / 1000 if expiry > 10**11 else float(expiry)


def _expiry(seconds: Optional[float]) -> Optional[datetime]:
    from ...timeparse import from_epoch

    return from_epoch(seconds)
