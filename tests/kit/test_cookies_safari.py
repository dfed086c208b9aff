"""Safari's cookies (macOS): the binarycookies format parsed with struct, defensively."""

from datetime import timedelta
from pathlib import Path

import pytest

from tests.kit.conftest import NOW
from tests.kit.cookie_stores import binarycookies, write_safari
from vibeusage.kit.cookies import find_cookies
from vibeusage.kit.cookies.safari import BinaryCookiesError, parse_binarycookies
from vibeusage.timeparse import from_epoch

EXPIRES = int((NOW + timedelta(days=20)).timestamp())
VALUE = "safari-session-value-0123456789"


def safari(home_root, platform="darwin"):
    return find_cookies(
        home_root, {}, platform, NOW, "example.org", ("session_id", "legacy"), browsers=("safari",)
    )


def test_wanted_cookies_are_read_on_macos_best_first(home_root):
    write_safari(
        home_root,
        binarycookies(
            [
                (".example.net", "session_id", "/", "foreign", EXPIRES),
                ("evilexample.org", "session_id", "/", "evil", EXPIRES),
                (".example.org", "session_id", "/", "expired", EXPIRES - 40 * 86400),
                (".example.org", "legacy", "/", "legacy-value", EXPIRES),
                ("www.example.org", "session_id", "/", "sub-value", EXPIRES),
                ("example.org", "session_id", "/", VALUE, EXPIRES),
                ("example.org", "session_id", "/", "   ", EXPIRES),
            ]
        ),
    )
    cookies, notes = safari(home_root)
    assert [(c.browser, c.where, c.host, c.value) for c in cookies] == [
        ("safari", "Safari", "example.org", VALUE),
        ("safari", "Safari", "www.example.org", "sub-value"),
        ("safari", "Safari", ".example.org", "legacy-value"),
    ]
    assert cookies[0].expires == from_epoch(EXPIRES)
    assert notes == []


def test_safari_is_read_on_macos_only(home_root):
    write_safari(home_root, binarycookies([("example.org", "session_id", "/", VALUE, EXPIRES)]))
    assert safari(home_root, platform="linux") == ([], [])


def test_the_sandboxed_container_comes_first_and_the_first_file_with_a_cookie_wins(home_root):
    write_safari(home_root, binarycookies([("example.org", "session_id", "/", "old", EXPIRES)]))
    container = write_safari(
        home_root, binarycookies([("example.org", "session_id", "/", "new", EXPIRES)]), True
    )
    assert [c.value for c in safari(home_root)[0]] == ["new"]
    container.write_bytes(binarycookies([("example.net", "session_id", "/", "x", EXPIRES)]))
    assert [c.value for c in safari(home_root)[0]] == ["old"]


def test_binarycookies_parser_reads_every_field():
    data = binarycookies([("example.org", "session_id", "/api", "v", EXPIRES)])
    (cookie,) = parse_binarycookies(data)
    assert (cookie.domain, cookie.name, cookie.path, cookie.value) == (
        "example.org",
        "session_id",
        "/api",
        "v",
    )
    assert cookie.expires == pytest.approx(EXPIRES)
    assert "'v'" not in repr(cookie)


def test_an_empty_file_of_the_right_kind_has_no_cookies():
    assert parse_binarycookies(b"cook\0\0\0\0") == []


def test_malformed_binarycookies_only_ever_raise_the_format_error():
    data = binarycookies([("example.org", "session_id", "/", VALUE, EXPIRES)] * 3)
    with pytest.raises(BinaryCookiesError):
        parse_binarycookies(b"nope" + data[4:])
    for cut in range(0, len(data), 7):
        try:
            parse_binarycookies(data[:cut])
        except BinaryCookiesError:
            pass
    for index in range(8, len(data), 3):
        mutated = bytearray(data)
        mutated[index] ^= 0xFF
        try:
            parse_binarycookies(bytes(mutated))
        except BinaryCookiesError:
            pass


def test_a_broken_file_is_a_note(home_root):
    path = write_safari(home_root, b"cook\xff\xff\xff\xff")
    cookies, notes = safari(home_root)
    assert cookies == []
    assert [(n.browser, n.found) for n in notes] == [("safari", False)]
    assert str(path) in notes[0].text


def test_a_file_macos_keeps_private_asks_for_full_disk_access(home_root, monkeypatch):
    path = write_safari(home_root, binarycookies([]))
    real_read = Path.read_bytes

    def protected(self):
        if self == path:
            raise PermissionError("Operation not permitted")
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", protected)
    _, notes = safari(home_root)
    assert len(notes) == 1 and "Full Disk Access" in notes[0].text and not notes[0].found
