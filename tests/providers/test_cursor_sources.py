"""Cursor session sources, each with real files built in a temporary HOME.

The Cursor app's ``state.vscdb`` (real SQLite), Firefox's ``cookies.sqlite`` (held locked by
an open write transaction), Chromium's ``Cookies`` with v10 values encrypted here (when
``cryptography`` is installed), and Safari's ``Cookies.binarycookies`` written with
``struct`` (the builders of ``tests/kit/cookie_stores``); then the order between them and
the strategy on top. The stores' formats themselves are tested in ``tests/kit``.
"""

import json
import os
import sqlite3
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any, List, Optional, Tuple

import pytest

from tests.conftest import load_fixture
from tests.conftest import make_ctx as conftest_make_ctx
from tests.kit.cookie_stores import (
    binarycookies,
    chrome_time,
    encrypt_v10,
    needs_cryptography,
    write_chromium,
    write_firefox,
    write_safari,
)
from tests.providers.test_cursor import (
    JWT,
    NOW,
    SESSION,
    SIGNATURE,
    STATUS_URL,
    assert_no_secret,
    fixture,
    make_jwt,
)
from vibeusage.credentials import CredentialStore
from vibeusage.errors import ErrorCategory
from vibeusage.providers import claude, cursor
from vibeusage.providers.base import FetchContext
from vibeusage.providers.cursor.app import app_session, read_access_token, state_db_path
from vibeusage.providers.cursor.session import Note
from vibeusage.providers.cursor.sources import iter_sessions
from vibeusage.providers.cursor.web import ME_URL, USAGE_URL, CursorWeb

WORKOS = "WorkosCursorSessionToken"
NEXT_AUTH = "__Secure-next-auth.session-token"
#: A browser cookie value (the same shape as the app's, for another login).
BROWSER_SESSION = "user_01JBROWSER%3A%3A" + make_jwt("auth0|user_01JBROWSER")
EXPIRES = int((NOW + timedelta(days=20)).timestamp())


@pytest.fixture
def ctx(home) -> FetchContext:
    return make_ctx(home)


def make_ctx(home, platform: str = "linux", **options: Any) -> FetchContext:
    """A Cursor context that opted in to browser cookies unless ``options`` say otherwise."""
    options.setdefault("browser_cookies", True)
    environ = dict(os.environ)
    return conftest_make_ctx(
        "cursor", home.root, environ, options=options, clock=lambda: NOW, platform=platform
    )


@pytest.fixture(autouse=True)
def private_tmp(tmp_path, monkeypatch) -> Path:
    """Temporary copies go to a folder of this test, to check that none is left behind."""
    folder = tmp_path / "tmpdir"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def sources(ctx) -> List[Tuple[str, str]]:
    notes: List[Note] = []
    return [(c.source, c.value) for c in iter_sessions(ctx, notes)]


def notes_of(ctx) -> List[Note]:
    notes: List[Note] = []
    list(iter_sessions(ctx, notes))
    return notes


# --- the Cursor app ------------------------------------------------------------------------


def write_state_db(home_root: Path, token: Optional[str], platform: str = "linux") -> Path:
    path = state_db_path(home_root, {}, platform)
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(str(path))
    connection.execute("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    connection.execute("INSERT INTO ItemTable VALUES ('cursorAuth/cachedEmail', 'u@example.com')")
    if token is not None:
        connection.execute("INSERT INTO ItemTable VALUES ('cursorAuth/accessToken', ?)", (token,))
    connection.commit()
    connection.close()
    return path


def test_cursor_app_token_becomes_the_workos_cookie(home, ctx):
    path = write_state_db(home.root, JWT)
    assert path == home.root / ".config/Cursor/User/globalStorage/state.vscdb"
    before = path.read_bytes()
    assert sources(ctx) == [("cursor-app", SESSION)]  # auth0|user_X -> user_X%3A%3A<jwt>
    assert path.read_bytes() == before
    assert CursorWeb().available(ctx)


def test_cursor_app_database_is_opened_read_only(home, monkeypatch):
    path = write_state_db(home.root, JWT)
    seen = []
    real_connect = sqlite3.connect

    def spy(database, *args, **kwargs):
        seen.append((database, kwargs.get("uri")))
        return real_connect(database, *args, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", spy)
    assert read_access_token(path) == JWT
    assert seen == [(path.as_uri() + "?mode=ro", True)]


def test_json_encoded_token_is_read_too(home, ctx):
    write_state_db(home.root, json.dumps(JWT))
    assert sources(ctx) == [("cursor-app", SESSION)]


@pytest.mark.parametrize("seconds_left", [-3600, 0, 59])
def test_cursor_app_token_expiring_within_a_minute_is_skipped(home, ctx, seconds_left):
    write_state_db(home.root, make_jwt(exp=NOW + timedelta(seconds=seconds_left)))
    assert sources(ctx) == []
    notes = notes_of(ctx)
    assert [n.source for n in notes] == ["cursor-app"]
    assert "open Cursor to renew it" in notes[0].text
    result = CursorWeb().fetch(ctx)  # no network: nothing to send
    assert result.error is not None and "open Cursor" in result.error.message


def test_cursor_app_token_with_two_minutes_left_is_used(home, ctx):
    write_state_db(home.root, make_jwt(exp=NOW + timedelta(minutes=2)))
    assert [s for s, _ in sources(ctx)] == ["cursor-app"]


def test_signed_out_app_and_broken_database(home, ctx):
    path = write_state_db(home.root, None)
    assert sources(ctx) == [] and not CursorWeb().available(ctx)
    path.write_bytes(b"this is not a database at all" * 100)
    notes: List[Note] = []
    assert app_session(path, NOW, notes) is None
    assert len(notes) == 1 and "cannot read" in notes[0].text


def test_app_token_that_is_not_a_jwt_is_a_note(home, ctx):
    write_state_db(home.root, "opaque-token")
    assert sources(ctx) == []
    assert "not a readable JWT" in notes_of(ctx)[0].text


@pytest.mark.parametrize(
    "platform, environ, expected",
    [
        ("darwin", {}, "Library/Application Support/Cursor/User/globalStorage/state.vscdb"),
        ("win32", {}, "AppData/Roaming/Cursor/User/globalStorage/state.vscdb"),
        ("linux", {}, ".config/Cursor/User/globalStorage/state.vscdb"),
    ],
)
def test_state_db_path_per_platform(platform, environ, expected):
    home = Path("/home/someone")
    assert state_db_path(home, environ, platform) == home / expected


def test_state_db_path_honours_appdata_and_xdg():
    home = Path("/home/someone")
    win = state_db_path(home, {"APPDATA": "/roaming"}, "win32")
    assert win == Path("/roaming/Cursor/User/globalStorage/state.vscdb")
    xdg = state_db_path(home, {"XDG_CONFIG_HOME": "/xdg"}, "linux")
    assert xdg == Path("/xdg/Cursor/User/globalStorage/state.vscdb")


# --- Firefox -------------------------------------------------------------------------------


def test_firefox_cookie_is_read_from_every_profile_while_firefox_holds_the_lock(
    home, ctx, private_tmp
):
    root = write_firefox(
        home.root,
        [
            ("abc.default-release", [("other", "x", ".example.com", EXPIRES)]),
            ("xyz.work", [(WORKOS, BROWSER_SESSION, "cursor.com", EXPIRES)]),
        ],
    )
    database = root / "xyz.work" / "cookies.sqlite"
    firefox = sqlite3.connect(str(database), isolation_level=None)
    firefox.execute("BEGIN EXCLUSIVE")  # what a running Firefox does to cookies.sqlite
    firefox.execute("UPDATE moz_cookies SET isSecure = 1")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sqlite3.connect(str(database), timeout=0).execute("SELECT * FROM moz_cookies")
        assert sources(ctx) == [("firefox", BROWSER_SESSION)]
        assert "Firefox profile xyz.work" in CursorWeb().explain(ctx)
    finally:
        firefox.execute("ROLLBACK")
        firefox.close()
    assert list(private_tmp.iterdir()) == []  # the temporary copies are gone


def test_firefox_skips_expired_foreign_and_empty_cookies_and_prefers_workos(home, ctx):
    write_firefox(
        home.root,
        [
            (
                "p.default",
                [
                    (NEXT_AUTH, "next-auth-value", ".cursor.com", EXPIRES),
                    (WORKOS, "expired-value", "cursor.com", EXPIRES - 40 * 86400),
                    (WORKOS, "foreign-value", "notcursor.com", EXPIRES),
                    (WORKOS, "", "cursor.com", EXPIRES),
                    (WORKOS, BROWSER_SESSION, ".cursor.sh", EXPIRES * 1000),  # ms expiry
                ],
            )
        ],
    )
    found = [(c.name, c.value) for c in iter_sessions(ctx, [])]
    assert found == [(WORKOS, BROWSER_SESSION), (NEXT_AUTH, "next-auth-value")]


def test_broken_profiles_ini_is_a_note_not_a_crash(home, ctx):
    root = home.root / ".mozilla" / "firefox"
    root.mkdir(parents=True)
    (root / "profiles.ini").write_text("this is [not an ini", encoding="utf-8")
    assert sources(ctx) == []
    assert any(n.source == "firefox" and not n.found for n in notes_of(ctx))
    assert not CursorWeb().available(ctx)


# --- Chromium family (Linux) -----------------------------------------------------------------


@needs_cryptography
@pytest.mark.parametrize("version", [23, 24])
def test_chrome_v10_cookie_is_decrypted_with_the_well_known_linux_key(home, ctx, version):
    encrypted = encrypt_v10(BROWSER_SESSION, ".cursor.com", version)
    write_chromium(
        home.root,
        "google-chrome",
        [(".cursor.com", WORKOS, "", encrypted, chrome_time(NOW + timedelta(days=9)))],
        version,
    )
    assert sources(ctx) == [("chrome", BROWSER_SESSION)]


@needs_cryptography
def test_brave_and_edge_profiles_are_read_and_expired_cookies_skipped(home, ctx):
    live = chrome_time(NOW + timedelta(days=9))
    dead = chrome_time(NOW - timedelta(days=1))
    write_chromium(
        home.root,
        "BraveSoftware/Brave-Browser",
        [("cursor.com", WORKOS, "", encrypt_v10("stale", "cursor.com", 24), dead)],
    )
    write_chromium(
        home.root,
        "microsoft-edge",
        [("cursor.com", WORKOS, "", encrypt_v10(BROWSER_SESSION, "cursor.com", 24), live)],
    )
    assert sources(ctx) == [("edge", BROWSER_SESSION)]


@needs_cryptography
def test_v11_cookie_is_reported_as_needing_the_keyring_not_a_crash(home, ctx):
    encrypted = b"v11" + encrypt_v10(BROWSER_SESSION, ".cursor.com", 24, b"keyring-secret")[3:]
    write_chromium(home.root, "chromium", [(".cursor.com", WORKOS, "", encrypted, 0)])
    assert sources(ctx) == []
    notes = notes_of(ctx)
    assert [n.source for n in notes] == ["chromium"]
    assert "needs the desktop keyring" in notes[0].text
    assert CursorWeb().available(ctx)  # a session is there: say why it cannot be used
    error = CursorWeb().fetch(ctx).error
    assert error is not None and "needs the desktop keyring" in error.message
    assert error.category is ErrorCategory.AUTHENTICATION


def test_without_cryptography_chromium_import_is_skipped_naming_the_extra(home, ctx, monkeypatch):
    for name in [m for m in sys.modules if m == "cryptography" or m.startswith("cryptography.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "cryptography", None)
    write_chromium(home.root, "google-chrome", [("cursor.com", WORKOS, "", b"v10" + b"\0" * 32, 0)])
    assert sources(ctx) == []
    notes = notes_of(ctx)
    assert len(notes) == 1 and "pip install 'vibeusage[cookies]'" in notes[0].text
    error = CursorWeb().fetch(ctx).error
    assert error is not None and "pip install 'vibeusage[cookies]'" in error.message


def test_plain_chromium_value_needs_no_decryption(home, ctx):
    write_chromium(home.root, "chromium", [("cursor.com", WORKOS, BROWSER_SESSION, b"", 0)])
    assert sources(ctx) == [("chromium", BROWSER_SESSION)]


def test_chromium_is_linux_only(home):
    write_chromium(home.root, "google-chrome", [("cursor.com", WORKOS, BROWSER_SESSION, b"", 0)])
    assert sources(make_ctx(home, platform="darwin")) == []


# --- Safari (macOS) ------------------------------------------------------------------------


def test_safari_binarycookies_are_parsed_on_macos(home):
    write_safari(
        home.root,
        binarycookies(
            [
                (".example.com", "other", "/", "nope", EXPIRES),
                (".cursor.com", WORKOS, "/", "expired", EXPIRES - 40 * 86400),
                (".cursor.com", NEXT_AUTH, "/", "next-auth-value", EXPIRES),
                ("cursor.com", WORKOS, "/", BROWSER_SESSION, EXPIRES),
            ]
        ),
    )
    mac = make_ctx(home, platform="darwin")
    assert sources(mac) == [("safari", BROWSER_SESSION), ("safari", "next-auth-value")]
    assert sources(make_ctx(home, platform="linux")) == []  # Safari is macOS only


def test_broken_safari_file_is_a_note(home):
    write_safari(home.root, b"cook\xff\xff\xff\xff")
    mac = make_ctx(home, platform="darwin")
    assert sources(mac) == []
    assert [n.source for n in notes_of(mac)] == ["safari"]


# --- order, options and the strategy on top ------------------------------------------------


def test_sources_come_in_order_stored_app_firefox_chrome(home, ctx):
    CredentialStore(ctx.paths).write("cursor", "session", "user_01JSTORED%3A%3A" + make_jwt())
    write_state_db(home.root, JWT)
    write_firefox(home.root, [("p.default", [(WORKOS, BROWSER_SESSION, "cursor.com", EXPIRES)])])
    write_chromium(home.root, "google-chrome", [("cursor.com", NEXT_AUTH, "chrome-value", b"", 0)])
    assert [s for s, _ in sources(ctx)] == ["stored", "cursor-app", "firefox", "chrome"]


def test_duplicate_sessions_are_tried_once(home, ctx):
    write_state_db(home.root, JWT)
    write_firefox(home.root, [("p.default", [(WORKOS, SESSION, "cursor.com", EXPIRES)])])
    assert sources(ctx) == [("cursor-app", SESSION)]


def test_a_value_no_cookie_can_hold_is_a_note_not_a_request(home, ctx):
    CredentialStore(ctx.paths).write("cursor", "session", "user_1%3A%3Aa b;c")
    assert sources(ctx) == []
    assert [(n.source, n.text) for n in notes_of(ctx)] == [
        ("stored", "the session has characters a cookie cannot hold")
    ]


def test_an_unreadable_browser_folder_does_not_hide_the_next_browser(home, ctx, monkeypatch):
    def denied(*args):
        raise PermissionError("denied")

    monkeypatch.setattr("vibeusage.kit.cookies.firefox.firefox_roots", denied)
    write_chromium(home.root, "chromium", [("cursor.com", WORKOS, BROWSER_SESSION, b"", 0)])
    assert sources(ctx) == [("chromium", BROWSER_SESSION)]
    assert [(n.source, n.found) for n in notes_of(ctx)] == [("firefox", False)]


def test_browser_cookies_option_false_keeps_out_of_browsers(home):
    write_firefox(home.root, [("p.default", [(WORKOS, BROWSER_SESSION, "cursor.com", EXPIRES)])])
    ctx = make_ctx(home, browser_cookies=False)
    assert sources(ctx) == []
    assert not CursorWeb().available(ctx)
    assert "browser cookies not read" in CursorWeb().explain(ctx)


def test_browser_cookies_are_not_read_unless_the_user_opts_in(home):
    write_firefox(home.root, [("p.default", [(WORKOS, BROWSER_SESSION, "cursor.com", EXPIRES)])])
    ctx = conftest_make_ctx("cursor", home.root, dict(os.environ), clock=lambda: NOW)
    assert sources(ctx) == []
    assert not CursorWeb().available(ctx)
    assert "`browser_cookies = true` in [providers.cursor]" in CursorWeb().explain(ctx)


def test_rejected_app_session_falls_through_to_the_browser(home, ctx, mocked):
    write_state_db(home.root, JWT)
    write_firefox(home.root, [("p.default", [(WORKOS, BROWSER_SESSION, "cursor.com", EXPIRES)])])

    def usage(request):
        if BROWSER_SESSION in request.headers["Cookie"]:
            return 200, {}, json.dumps(fixture("usage-summary-pro.json"))
        return 401, {}, "{}"

    mocked.add_callback("GET", USAGE_URL, callback=usage)
    mocked.get(ME_URL, json=fixture("auth-me.json"))
    result = CursorWeb().fetch(ctx)
    assert result.snapshot is not None
    assert result.snapshot.source == "web:firefox"
    asked = [call.request for call in mocked.calls]
    usage = [r.headers["Cookie"] for r in asked if r.url == USAGE_URL]
    assert usage == [f"{WORKOS}={SESSION}", f"{WORKOS}={BROWSER_SESSION}"]
    # auth/me is asked alongside each usage request, with the same session.
    assert sorted(r.headers["Cookie"] for r in asked if r.url == ME_URL) == sorted(usage)


def test_every_session_rejected_lists_the_sources_tried(home, ctx, mocked):
    write_state_db(home.root, JWT)
    write_firefox(home.root, [("p.default", [(WORKOS, BROWSER_SESSION, "cursor.com", EXPIRES)])])
    mocked.get(USAGE_URL, status=401)
    error = CursorWeb().fetch(ctx).error
    assert error is not None and error.category is ErrorCategory.AUTHENTICATION
    assert "rejected: cursor-app, firefox" in error.message
    assert_no_secret(error.message, error.remediation)
    assert BROWSER_SESSION not in error.message + error.remediation


def test_explain_names_the_source_others_and_notes_without_secrets(home, ctx):
    write_state_db(home.root, JWT)
    write_firefox(home.root, [("p.default", [(WORKOS, BROWSER_SESSION, "cursor.com", EXPIRES)])])
    write_chromium(home.root, "chromium", [("cursor.com", WORKOS, "", b"v11" + b"\0" * 32, 0)])
    text = CursorWeb().explain(ctx)
    assert text.startswith("session from cursor-app (Cursor app login in ")
    assert "also found: firefox" in text
    assert "chromium:" in text  # keyring or the missing extra, depending on the install
    assert_no_secret(text)
    assert BROWSER_SESSION not in text and SIGNATURE not in text


def test_cursor_json_from_the_app_session_end_to_end(cli, home, monkeypatch, mocked):
    monkeypatch.setattr(
        "vibeusage.providers.all_providers", lambda: (claude.PROVIDER, cursor.PROVIDER)
    )
    write_state_db(home.root, JWT)
    mocked.get(USAGE_URL, json=fixture("usage-summary-free.json"))
    mocked.get(ME_URL, json=fixture("auth-me.json"))
    mocked.get(STATUS_URL, json=load_fixture("status/statuspage-minor.json"))
    result = cli("cursor", "--json", "--verbose", clock=lambda: NOW)
    assert result.code == 0, result.err
    snapshot = json.loads(result.out)
    assert snapshot["provider"] == "cursor"
    assert snapshot["source"] == "web:cursor-app"
    assert snapshot["identity"] == {
        "email": "user@example.com",
        "organization": None,
        "plan": "Free",
        "login": None,
    }
    assert snapshot["status"]["level"] == "degraded"
    assert_no_secret(result.out, result.err)
    doctor = cli("doctor", "--json")
    assert_no_secret(doctor.out, doctor.err)
    assert "cursor-app" in doctor.out


def test_browser_cookies_option_is_validated_with_the_config(cli, home, monkeypatch):
    monkeypatch.setattr(
        "vibeusage.providers.all_providers", lambda: (claude.PROVIDER, cursor.PROVIDER)
    )
    home.write_config('[providers.cursor]\nbrowser_cookies = "no"\n')
    result = cli("cursor", "--json")
    assert result.code == 4
    assert "browser_cookies" in result.err
