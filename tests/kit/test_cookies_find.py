"""The kit's entry point: hosts matched as domains, names in preference order, notes, repr."""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from tests.kit.conftest import NOW
from tests.kit.cookie_stores import write_chromium, write_firefox
from vibeusage.kit.cookies import BrowserCookie, CookieNote, find_cookies, host_matches

ROOT = Path(__file__).resolve().parents[2]
EXPIRES = int((NOW + timedelta(days=20)).timestamp())
SECRET = "s3cr3t-value-that-must-never-be-printed-0123456789"


def find(home_root, names=("session_id",), suffix="example.org", **kwargs):
    return find_cookies(home_root, {}, "linux", NOW, suffix, names, **kwargs)


@pytest.mark.parametrize(
    "host", ["example.org", ".example.org", "www.example.org", "a.b.Example.ORG", " example.org "]
)
def test_a_host_under_the_suffix_matches(host):
    assert host_matches(host, ["example.org"])
    assert host_matches(host, [".Example.org"])  # the suffix is normalised the same way


@pytest.mark.parametrize(
    "host", ["evilexample.org", "example.org.evil.net", "example.com", "org", "", None, 7]
)
def test_a_host_that_only_ends_with_the_same_letters_does_not_match(host):
    assert not host_matches(host, ["example.org"])


def test_an_empty_suffix_matches_nothing():
    assert not host_matches("example.org", [""])
    assert not host_matches("example.org", [])


def test_only_cookies_on_the_site_and_its_subdomains_are_found(home_root):
    write_firefox(
        home_root,
        [
            (
                "p.default",
                [
                    ("session_id", "apex", "example.org", EXPIRES),
                    ("session_id", "dotted", ".example.org", EXPIRES),
                    ("session_id", "sub", "www.example.org", EXPIRES),
                    ("session_id", "evil", "evilexample.org", EXPIRES),
                    ("session_id", "suffix-trick", "example.org.evil.net", EXPIRES),
                ],
            )
        ],
    )
    cookies, notes = find(home_root)
    assert sorted(c.value for c in cookies) == ["apex", "dotted", "sub"]
    assert notes == []


def test_several_suffixes_are_all_searched(home_root):
    write_firefox(
        home_root,
        [("p", [("sid", "one", "example.org", EXPIRES), ("sid", "two", ".example.net", EXPIRES)])],
    )
    cookies, _ = find(home_root, names=("sid",), suffix=("example.org", "example.net"))
    assert [c.value for c in cookies] == ["one", "two"]
    only_net, _ = find(home_root, names=("sid",), suffix="example.net")
    assert [c.value for c in only_net] == ["two"]


def test_names_come_in_the_order_asked_for_then_the_site_itself_before_subdomains(home_root):
    write_firefox(
        home_root,
        [
            (
                "p.default",
                [
                    ("legacy", "legacy-value", "example.org", EXPIRES),
                    ("session_id", "sub-value", "www.example.org", EXPIRES),
                    ("session_id", "apex-value", ".example.org", EXPIRES),
                    ("unwanted", "unwanted-value", "example.org", EXPIRES),
                ],
            )
        ],
    )
    cookies, _ = find(home_root, names=("session_id", "legacy"))
    assert [c.value for c in cookies] == ["apex-value", "sub-value", "legacy-value"]
    reversed_order, _ = find(home_root, names=("legacy", "session_id"))
    assert [c.value for c in reversed_order] == ["legacy-value", "apex-value", "sub-value"]


def test_no_names_finds_nothing(home_root):
    write_firefox(home_root, [("p", [("session_id", "v", "example.org", EXPIRES)])])
    assert find(home_root, names=()) == ([], [])


def test_browsers_are_read_in_the_order_given_and_only_those(home_root):
    write_firefox(home_root, [("p", [("session_id", "from-firefox", "example.org", EXPIRES)])])
    write_chromium(home_root, "chromium", [("example.org", "session_id", "from-chromium", b"", 0)])
    cookies, _ = find(home_root, browsers=("chromium", "firefox"))
    assert [c.browser for c in cookies] == ["chromium", "firefox"]
    only_chromium, _ = find(home_root, browsers=("chromium",))
    assert [c.value for c in only_chromium] == ["from-chromium"]


def test_an_unknown_browser_family_is_a_programming_error(home_root):
    with pytest.raises(ValueError, match="opera"):
        find(home_root, browsers=("firefox", "opera"))


def test_an_unreadable_folder_in_one_browser_is_a_note_and_the_next_is_still_read(
    home_root, monkeypatch
):
    def denied(*args):
        raise PermissionError("denied")

    monkeypatch.setattr("vibeusage.kit.cookies.firefox.firefox_roots", denied)
    write_chromium(home_root, "chromium", [("example.org", "session_id", "plain", b"", 0)])
    cookies, notes = find(home_root)
    assert [c.value for c in cookies] == ["plain"]
    assert notes == [CookieNote("firefox", "cannot look for cookies (PermissionError)", False)]


def test_the_process_home_and_environment_are_never_read(home_root, tmp_path, monkeypatch):
    elsewhere = tmp_path / "process-home"
    write_firefox(elsewhere, [("p", [("session_id", "real-home-value", "example.org", EXPIRES)])])
    write_chromium(elsewhere, "chromium", [("example.org", "session_id", "xdg-value", b"", 0)])
    monkeypatch.setenv("HOME", str(elsewhere))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(elsewhere / ".config"))
    monkeypatch.setenv("APPDATA", str(elsewhere))
    for platform in ("linux", "darwin", "win32"):
        assert find_cookies(home_root, {}, platform, NOW, "example.org", ["session_id"]) == ([], [])


def test_repr_masks_the_value():
    cookie = BrowserCookie("chrome", "Chrome profile Default", ".example.org", "sid", SECRET)
    text = repr(cookie)
    assert SECRET not in text
    assert text.startswith("BrowserCookie(browser='chrome', where='Chrome profile Default'")
    assert "host='.example.org'" in text and "name='sid'" in text
    assert "s3cr…6789" in text
    assert "'…'" in repr(BrowserCookie("firefox", "x", "example.org", "sid", "short"))
    assert "short" not in repr(BrowserCookie("firefox", "x", "example.org", "sid", "short"))


def test_found_cookies_show_no_value_in_repr_or_str(home_root):
    write_firefox(home_root, [("p", [("session_id", SECRET, "example.org", EXPIRES)])])
    cookies, _ = find(home_root)
    assert [c.value for c in cookies] == [SECRET]
    assert SECRET not in repr(cookies) and SECRET not in str(cookies)


def test_a_note_reads_browser_colon_text():
    assert str(CookieNote("safari", "cannot read it", False)) == "safari: cannot read it"


def test_importing_the_kit_loads_no_browser_reader_and_no_sqlite():
    probe = "import json, sys, vibeusage.kit.cookies; print(json.dumps(sorted(sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=str(ROOT),
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
    )
    assert proc.returncode == 0, proc.stderr
    modules = set(json.loads(proc.stdout))
    assert "vibeusage.kit.cookies" in modules
    readers = {"chromium", "firefox", "safari", "sqlite_copy"}
    assert not modules & {
        "sqlite3",
        "configparser",
        *(f"vibeusage.kit.cookies.{r}" for r in readers),
    }
