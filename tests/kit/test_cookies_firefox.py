"""Firefox's cookies: every profile of profiles.ini, read from a copy while Firefox locks it."""

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from tests.kit.conftest import NOW
from tests.kit.cookie_stores import write_firefox
from vibeusage.kit.cookies import find_cookies
from vibeusage.kit.cookies.firefox import firefox_profiles, firefox_roots
from vibeusage.timeparse import from_epoch

EXPIRES = int((NOW + timedelta(days=20)).timestamp())


def firefox(home_root, names=("session_id",)):
    return find_cookies(home_root, {}, "linux", NOW, "example.org", names, browsers=("firefox",))


def test_every_profile_is_read_while_firefox_holds_its_lock(home_root, private_tmp):
    root = write_firefox(
        home_root,
        [
            ("abc.default-release", [("other", "x", ".example.org", EXPIRES)]),
            ("xyz.work", [("session_id", "work-value", "example.org", EXPIRES)]),
        ],
    )
    database = root / "xyz.work" / "cookies.sqlite"
    running = sqlite3.connect(str(database), isolation_level=None)
    running.execute("BEGIN EXCLUSIVE")  # what a running Firefox does to cookies.sqlite
    running.execute("UPDATE moz_cookies SET isSecure = 1")
    try:
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            sqlite3.connect(str(database), timeout=0).execute("SELECT * FROM moz_cookies")
        cookies, notes = firefox(home_root)
    finally:
        running.execute("ROLLBACK")
        running.close()
    assert [(c.browser, c.where, c.host, c.name, c.value) for c in cookies] == [
        ("firefox", "Firefox profile xyz.work", "example.org", "session_id", "work-value")
    ]
    assert notes == []
    assert list(private_tmp.iterdir()) == []  # the temporary copies are gone


def test_rows_still_in_the_write_ahead_log_are_read(home_root):
    root = write_firefox(home_root, [("p.default", [])])
    database = root / "p.default" / "cookies.sqlite"
    running = sqlite3.connect(str(database), isolation_level=None)
    running.execute("PRAGMA journal_mode=WAL")
    running.execute("PRAGMA wal_autocheckpoint=0")
    running.execute(
        "INSERT INTO moz_cookies (originAttributes, name, value, host, path, expiry, isSecure) "
        "VALUES ('', 'session_id', 'fresh-value', 'example.org', '/', ?, 1)",
        (EXPIRES,),
    )
    try:
        assert database.with_name("cookies.sqlite-wal").stat().st_size > 0
        cookies, _ = firefox(home_root)
    finally:
        running.close()
    assert [c.value for c in cookies] == ["fresh-value"]


def test_expired_and_empty_cookies_are_skipped_and_expiry_units_read(home_root):
    write_firefox(
        home_root,
        [
            (
                "p.default",
                [
                    ("session_id", "expired", "example.org", EXPIRES - 40 * 86400),
                    ("session_id", "  ", "example.org", EXPIRES),
                    ("session_id", "in-milliseconds", "example.org", EXPIRES * 1000),
                    ("session_id", "session-cookie", ".example.org", 0),
                    ("session_id", "expired-ms", "example.org", (EXPIRES - 40 * 86400) * 1000),
                ],
            )
        ],
    )
    cookies, _ = firefox(home_root)
    assert [(c.value, c.expires) for c in cookies] == [
        ("in-milliseconds", from_epoch(EXPIRES)),
        ("session-cookie", None),
    ]


def test_values_are_stripped(home_root):
    write_firefox(home_root, [("p", [("session_id", "  padded\n", "example.org", EXPIRES)])])
    assert [c.value for c in firefox(home_root)[0]] == ["padded"]


def test_profiles_ini_order_and_absolute_paths(tmp_path):
    root = tmp_path / "ff"
    root.mkdir()
    (root / "profiles.ini").write_text(
        "[Profile1]\nName=b\nIsRelative=1\nPath=b.second\n\n"
        "[Profile0]\nName=a\nIsRelative=0\nPath=/elsewhere/a.abs\nDefault=1\n\n"
        "[Install4F96D1932A9F858E]\nDefault=c.install\n",
        encoding="utf-8",
    )
    assert firefox_profiles(root) == [
        root / "c.install",
        Path("/elsewhere/a.abs"),
        root / "b.second",
    ]


def test_broken_profiles_ini_is_a_note_not_a_crash(home_root):
    root = home_root / ".mozilla" / "firefox"
    root.mkdir(parents=True)
    (root / "profiles.ini").write_text("this is [not an ini", encoding="utf-8")
    cookies, notes = firefox(home_root)
    assert cookies == []
    assert [(n.browser, n.found) for n in notes] == [("firefox", False)]
    assert str(root / "profiles.ini") in notes[0].text


def test_a_profile_whose_database_is_not_sqlite_is_a_note_and_the_next_is_read(home_root):
    root = write_firefox(
        home_root,
        [
            ("broken.default", []),
            ("good.other", [("session_id", "good-value", "example.org", EXPIRES)]),
        ],
    )
    (root / "broken.default" / "cookies.sqlite").write_bytes(b"not a database" * 100)
    cookies, notes = firefox(home_root)
    assert [c.value for c in cookies] == ["good-value"]
    assert [(n.browser, n.found) for n in notes] == [("firefox", False)]
    assert "cannot read" in notes[0].text and "DatabaseError" in notes[0].text


def test_a_huge_cookie_database_is_a_note_and_is_not_copied(home_root, monkeypatch):
    import shutil

    from vibeusage.kit.cookies.sqlite_copy import MAX_DATABASE

    root = write_firefox(
        home_root,
        [
            ("huge.default", []),
            ("good.other", [("session_id", "good-value", "example.org", EXPIRES)]),
        ],
    )
    with open(root / "huge.default" / "cookies.sqlite", "r+b") as handle:
        handle.truncate(MAX_DATABASE + 1)  # sparse: costs no disk here
    copied = []
    real_copy = shutil.copyfile
    monkeypatch.setattr(shutil, "copyfile", lambda a, b: copied.append(a) or real_copy(a, b))
    cookies, notes = firefox(home_root)
    assert [c.value for c in cookies] == ["good-value"]
    assert [n.found for n in notes] == [False]
    assert "TooLargeToCopy" in notes[0].text
    assert all("huge.default" not in str(path) for path in copied)


@pytest.mark.parametrize(
    "platform, environ, expected",
    [
        ("darwin", {}, ["Library/Application Support/Firefox"]),
        ("win32", {}, ["AppData/Roaming/Mozilla/Firefox"]),
        ("win32", {"APPDATA": "/roaming"}, ["/roaming/Mozilla/Firefox"]),
        (
            "linux",
            {"XDG_CONFIG_HOME": "/xdg"},
            [
                ".mozilla/firefox",
                "/xdg/mozilla/firefox",
                "snap/firefox/common/.mozilla/firefox",
                ".var/app/org.mozilla.firefox/.mozilla/firefox",
            ],
        ),
        ("linux", {"XDG_CONFIG_HOME": "relative"}, [".mozilla/firefox", ".config/mozilla/firefox"]),
    ],
)
def test_firefox_folders_per_platform(platform, environ, expected):
    home = Path("/home/someone")
    roots = firefox_roots(home, environ, platform)
    assert roots[: len(expected)] == [home / path for path in expected]


def test_a_profile_in_the_macos_folder_is_read_on_macos(home_root):
    linux_root = write_firefox(home_root, [("p", [("session_id", "mac", "example.org", EXPIRES)])])
    mac_root = home_root / "Library" / "Application Support" / "Firefox"
    mac_root.parent.mkdir(parents=True)
    linux_root.rename(mac_root)
    assert firefox(home_root)[0] == []
    cookies, _ = find_cookies(home_root, {}, "darwin", NOW, "example.org", ["session_id"])
    assert [c.value for c in cookies] == ["mac"]
