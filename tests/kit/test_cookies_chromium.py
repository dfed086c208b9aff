"""Chromium-family cookies on Linux: v10 values decrypted with the well-known key, v11 reported."""

import sys
from datetime import timedelta
from typing import List

import pytest

from tests.kit.conftest import NOW
from tests.kit.cookie_stores import chrome_time, encrypt_v10, needs_cryptography, write_chromium
from vibeusage.kit.cookies import find_cookies
from vibeusage.kit.cookies.chromium import decrypt_value, load_aes

VALUE = "chromium-session-value-0123456789abcdef"
LIVE = chrome_time(NOW + timedelta(days=9))
DEAD = chrome_time(NOW - timedelta(days=1))


def chromium(home_root, environ=None, platform="linux", **kwargs):
    return find_cookies(
        home_root,
        environ or {},
        platform,
        NOW,
        "example.org",
        ("session_id", "legacy"),
        browsers=("chromium",),
        **kwargs,
    )


def wrong_key_aes(key: bytes, data: bytes) -> bytes:
    return b"\x93" * len(data)  # what a wrong key gives: garbage, bad padding


@needs_cryptography
@pytest.mark.parametrize("version", [23, 24])
def test_v10_value_is_decrypted_with_the_well_known_linux_key(home_root, version):
    encrypted = encrypt_v10(VALUE, ".example.org", version)
    write_chromium(
        home_root, "google-chrome", [(".example.org", "session_id", "", encrypted, LIVE)], version
    )
    cookies, notes = chromium(home_root)
    assert [(c.browser, c.where, c.host, c.name, c.value) for c in cookies] == [
        ("chrome", "Chrome profile Default", ".example.org", "session_id", VALUE)
    ]
    assert cookies[0].expires is not None
    assert abs(cookies[0].expires - (NOW + timedelta(days=9))) < timedelta(seconds=1)
    assert notes == []


@needs_cryptography
def test_every_browser_and_profile_is_read_and_expired_cookies_skipped(home_root):
    write_chromium(
        home_root,
        "BraveSoftware/Brave-Browser",
        [("example.org", "session_id", "", encrypt_v10("stale", "example.org", 24), DEAD)],
    )
    write_chromium(
        home_root,
        "microsoft-edge",
        [("example.org", "session_id", "", encrypt_v10(VALUE, "example.org", 24), LIVE)],
    )
    write_chromium(
        home_root,
        "chromium",
        [("www.example.org", "legacy", "", encrypt_v10("second", "www.example.org", 24), 0)],
        profile="Profile 2",
        network=True,
    )
    cookies, notes = chromium(home_root)
    assert [(c.browser, c.where, c.value) for c in cookies] == [
        ("chromium", "Chromium profile Profile 2", "second"),
        ("edge", "Edge profile Default", VALUE),
    ]
    assert notes == []


@needs_cryptography
def test_v11_value_is_reported_as_needing_the_keyring(home_root):
    encrypted = b"v11" + encrypt_v10(VALUE, ".example.org", 24, b"keyring-secret")[3:]
    write_chromium(home_root, "chromium", [(".example.org", "session_id", "", encrypted, 0)])
    cookies, notes = chromium(home_root)
    assert cookies == []
    assert [(n.browser, n.found) for n in notes] == [("chromium", True)]
    assert notes[0].text == (
        "the cookie for example.org in Chromium profile Default needs the desktop keyring "
        "(v11 encryption), which vibeusage does not read"
    )


def test_v11_with_a_keyring_key_needs_the_keyring_even_without_cryptography(home_root):
    """The same report through a stand-in AES that cannot open it (runs without the extra)."""
    blob = b"v11" + b"\0" * 48
    write_chromium(home_root, "google-chrome", [("example.org", "session_id", "", blob, 0)])
    cookies, notes = chromium(home_root, aes_loader=lambda: wrong_key_aes)
    assert cookies == []
    assert len(notes) == 1 and "needs the desktop keyring" in notes[0].text
    assert "Chrome profile Default" in notes[0].text


def test_a_v10_value_no_known_key_opens_is_reported_undecryptable(home_root):
    blob = b"v10" + b"\0" * 48
    write_chromium(home_root, "chromium", [("example.org", "session_id", "", blob, 0)])
    _, notes = chromium(home_root, aes_loader=lambda: wrong_key_aes)
    assert [(n.browser, n.text, n.found) for n in notes] == [
        (
            "chromium",
            "the cookie for example.org in Chromium profile Default could not be decrypted",
            True,
        )
    ]


def test_without_cryptography_the_note_names_the_extra_and_the_profile(home_root, monkeypatch):
    for name in [m for m in sys.modules if m == "cryptography" or m.startswith("cryptography.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "cryptography", None)
    assert load_aes() is None
    write_chromium(
        home_root, "google-chrome", [("example.org", "session_id", "", b"v10" + b"\0" * 32, 0)]
    )
    cookies, notes = chromium(home_root)
    assert cookies == []
    assert len(notes) == 1 and notes[0].browser == "chrome" and notes[0].found
    assert "pip install 'vibeusage[cookies]'" in notes[0].text
    assert "a cookie for example.org is in Chrome profile Default" in notes[0].text


def test_aes_is_loaded_once_for_many_encrypted_cookies(home_root):
    blob = b"v10" + b"\0" * 32
    rows = [("example.org", "session_id", "", blob, 0), ("example.org", "legacy", "", blob, 0)]
    write_chromium(home_root, "chromium", rows)
    write_chromium(home_root, "google-chrome", rows)
    loads: List[int] = []

    def loader():
        loads.append(1)
        return None

    _, notes = chromium(home_root, aes_loader=loader)
    assert len(loads) == 1 and len(notes) == 4


def test_a_plain_value_needs_no_decryption(home_root):
    write_chromium(home_root, "chromium", [("example.org", "session_id", f" {VALUE} ", b"", 0)])

    def no_aes():
        raise AssertionError("AES loaded for a plain value")

    cookies, _ = chromium(home_root, aes_loader=no_aes)
    assert [c.value for c in cookies] == [VALUE]
    assert cookies[0].expires is None  # 0: a session cookie


def test_foreign_hosts_and_unwanted_names_are_skipped_best_first(home_root):
    write_chromium(
        home_root,
        "chromium",
        [
            ("evilexample.org", "session_id", "evil", b"", 0),
            ("example.org", "other", "other", b"", 0),
            ("example.org", "legacy", "legacy", b"", 0),
            ("www.example.org", "session_id", "sub", b"", 0),
            (".example.org", "session_id", "apex", b"", 0),
        ],
    )
    assert [c.value for c in chromium(home_root)[0]] == ["apex", "sub", "legacy"]


def test_chromium_is_read_on_linux_only(home_root):
    write_chromium(home_root, "google-chrome", [("example.org", "session_id", VALUE, b"", 0)])
    assert chromium(home_root, platform="darwin") == ([], [])
    assert chromium(home_root, platform="win32") == ([], [])


def test_xdg_config_home_from_the_given_environment_is_honoured(home_root, tmp_path):
    xdg = tmp_path / "xdg"
    write_chromium(xdg.parent, "chromium", [("example.org", "session_id", VALUE, b"", 0)])
    (xdg.parent / ".config").rename(xdg)
    assert chromium(home_root)[0] == []
    cookies, _ = chromium(home_root, environ={"XDG_CONFIG_HOME": str(xdg)})
    assert [c.value for c in cookies] == [VALUE]


def test_a_database_that_is_not_sqlite_is_a_note_and_the_next_browser_is_read(home_root):
    broken = write_chromium(home_root, "google-chrome", [])
    broken.write_bytes(b"not a database" * 100)
    write_chromium(home_root, "chromium", [("example.org", "session_id", VALUE, b"", 0)])
    cookies, notes = chromium(home_root)
    assert [c.value for c in cookies] == [VALUE]
    assert [(n.browser, n.found) for n in notes] == [("chrome", False)]
    assert str(broken) in notes[0].text


def test_decrypt_value_rejects_unknown_prefixes_and_short_blocks():
    def identity_aes(key: bytes, data: bytes) -> bytes:
        if len(data) % 16:
            raise ValueError("not a whole number of blocks")
        return data

    assert decrypt_value(b"v12" + b"x" * 16, "h", 24, identity_aes) is None
    assert decrypt_value(b"v10" + b"x" * 5, "h", 24, identity_aes) is None
    assert decrypt_value(b"v10" + b"plain-text-ok\x03\x03\x03", "h", 0, identity_aes) == (
        "plain-text-ok"
    )
