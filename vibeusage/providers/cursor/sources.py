"""Where a Cursor session comes from, in order: the store, the Cursor app, the browsers.

Sources are read lazily: the Cursor app is only opened when no stored session worked, the
browsers only when the app gave none, and only when ``browser_cookies = true`` in
``[providers.cursor]`` lets vibeusage into the browsers' cookie stores (off by default).
"""

from datetime import datetime
from functools import partial
from typing import Callable, Iterator, List, Optional, Sequence, Set, Tuple

from ...credentials import CredentialStore
from ...errors import VibeusageError
from ..base import FetchContext
from .app import SOURCE as APP_SOURCE
from .app import app_session, state_db_path
from .session import (
    COOKIE_DOMAINS,
    COOKIE_NAMES,
    WORKOS_COOKIE,
    Note,
    SessionCookie,
    normalise_session_value,
)

PROVIDER_ID = "cursor"
SECRET_NAME = "session"
STORED = "stored"


def stored_session(ctx: FetchContext, notes: List[Note]) -> Optional[SessionCookie]:
    """The session the user gave vibeusage (``vibeusage key cursor set``), if any."""
    store = CredentialStore(ctx.paths)
    try:
        stored = store.read(PROVIDER_ID, SECRET_NAME)
    except VibeusageError:
        path = store.path(PROVIDER_ID, SECRET_NAME)
        notes.append(Note(STORED, f"{path} is unreadable; store the session again"))
        return None
    if stored is None:
        return None
    value = normalise_session_value(stored.value)
    return SessionCookie(STORED, WORKOS_COOKIE, value, where=f"stored in {stored.path}")


def browser_sessions(
    ctx: FetchContext, browser: str, now: datetime, notes: List[Note]
) -> List[SessionCookie]:
    """The Cursor cookies of one browser family (``firefox``, ``chromium`` or ``safari``)."""
    from ...kit.cookies import find_cookies

    found, why = find_cookies(
        ctx.home, ctx.environ, ctx.platform, now, COOKIE_DOMAINS, COOKIE_NAMES, browsers=(browser,)
    )
    notes.extend(Note(note.browser, note.text, note.found) for note in why)
    return [SessionCookie(c.browser, c.name, c.value, where=c.where) for c in found]


def browser_cookies_allowed(ctx: FetchContext) -> bool:
    """Whether the user opted in to reading the browsers' cookies (``browser_cookies = true``)."""
    return ctx.config.options.get("browser_cookies") is True


def iter_sessions(ctx: FetchContext, notes: List[Note]) -> Iterator[SessionCookie]:
    """Every distinct candidate session, best first; ``notes`` collects why sources failed."""
    seen: Set[str] = set()
    now = ctx.now()
    readers: List[Tuple[str, Callable[[], Sequence[Optional[SessionCookie]]]]] = [
        (STORED, lambda: [stored_session(ctx, notes)]),
        (
            APP_SOURCE,
            lambda: [app_session(state_db_path(ctx.home, ctx.environ, ctx.platform), now, notes)],
        ),
    ]
    if browser_cookies_allowed(ctx):
        from ...kit.cookies import BROWSERS

        for browser in BROWSERS:
            readers.append((browser, partial(browser_sessions, ctx, browser, now, notes)))
    for source, read in readers:
        try:
            found = read()
        except OSError as exc:  # an unreadable folder on the way: that source has nothing
            notes.append(Note(source, f"cannot look for a session ({type(exc).__name__})", False))
            continue
        for cookie in found:
            if cookie is None or cookie.value in seen:
                continue
            seen.add(cookie.value)
            if not sendable(cookie.value):
                notes.append(Note(cookie.source, "the session has characters a cookie cannot hold"))
                continue
            yield cookie


def sendable(value: str) -> bool:
    """Whether a value can go into a Cookie header as it is (printable ASCII, no ``;``)."""
    return bool(value) and all(0x21 <= ord(c) <= 0x7E and c not in ';,"\\' for c in value)


def any_session(ctx: FetchContext) -> bool:
    """Whether some source has a Cursor session, usable or not (local files only)."""
    if CredentialStore(ctx.paths).path(PROVIDER_ID, SECRET_NAME).is_file():
        return True
    notes: List[Note] = []
    for _ in iter_sessions(ctx, notes):
        return True
    return any(note.found for note in notes)
