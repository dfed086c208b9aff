"""Cursor cookies in Firefox: every profile of ``profiles.ini``, ``cookies.sqlite`` from a copy.

Firefox stores cookie values in plain text (table ``moz_cookies``). The database is locked
while Firefox runs, so it is copied first (see ``cookiedb``).
"""

from datetime import datetime
from pathlib import Path
from typing import List, Mapping, Tuple

from .cookiedb import opened_copy
from .session import COOKIE_NAMES, Note, SessionCookie, cookie_rank, is_cursor_host

SOURCE = "firefox"


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


def read_firefox_cookies(path: Path, now: datetime) -> List[Tuple[str, str, str]]:
    """``(name, value, host)`` of the unexpired Cursor cookies in one ``cookies.sqlite``."""
    marks = ", ".join("?" for _ in COOKIE_NAMES)
    with opened_copy(path) as connection:
        rows = connection.execute(
            f"SELECT name, value, host, expiry FROM moz_cookies WHERE name IN ({marks})",
            COOKIE_NAMES,
        ).fetchall()
    found = []
    for name, value, host, expiry in rows:
        if not is_cursor_host(host) or not isinstance(value, str) or not value.strip():
            continue
        if _expired(expiry, now):
            continue
        found.append((name, value.strip(), host))
    found.sort(key=lambda item: (cookie_rank(item[0]), item[2].lstrip(".") != "cursor.com"))
    return found


def firefox_sessions(
    home: Path, environ: Mapping[str, str], platform: str, now: datetime, notes: List[Note]
) -> List[SessionCookie]:
    """Cursor sessions from every Firefox profile, in profile order."""
    import configparser
    import sqlite3

    sessions = []
    for root in firefox_roots(home, environ, platform):
        if not (root / "profiles.ini").is_file():
            continue
        try:
            profiles = firefox_profiles(root)
        except (OSError, configparser.Error) as exc:
            notes.append(Note(SOURCE, f"cannot read {root / 'profiles.ini'} ({exc})", False))
            continue
        for profile in profiles:
            database = profile / "cookies.sqlite"
            if not database.is_file():
                continue
            try:
                cookies = read_firefox_cookies(database, now)
            except (OSError, sqlite3.Error) as exc:
                notes.append(Note(SOURCE, f"cannot read {database} ({type(exc).__name__})", False))
                continue
            for name, value, _host in cookies:
                where = f"Firefox profile {profile.name}"
                sessions.append(SessionCookie(SOURCE, name, value, where=where))
    return sessions


def _expired(expiry: object, now: datetime) -> bool:
    """Firefox's ``expiry`` is epoch seconds (milliseconds in newer versions); 0 = session."""
    if isinstance(expiry, bool) or not isinstance(expiry, (int, float)) or expiry <= 0:
        return False
    seconds = expiry / 1000 if expiry > 10**11 else expiry
    return bool(seconds < now.timestamp())
