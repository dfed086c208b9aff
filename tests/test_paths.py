"""Config and cache directories per platform, with XDG variables and overrides (DESIGN §10)."""

import sys
from pathlib import Path

import pytest

from vibeusage.paths import Paths, cache_dir, config_dir, home_dir, resolve_paths

HOME = "/home/alice"
WIN_HOME = "/users/alice"


# --- Linux --------------------------------------------------------------------------------


def test_linux_defaults_are_under_dot_config_and_dot_cache():
    environ = {"HOME": HOME}
    assert config_dir(environ, "linux") == Path(HOME, ".config", "vibeusage")
    assert cache_dir(environ, "linux") == Path(HOME, ".cache", "vibeusage")


def test_linux_uses_absolute_xdg_directories():
    environ = {"HOME": HOME, "XDG_CONFIG_HOME": "/xdg/config", "XDG_CACHE_HOME": "/xdg/cache"}
    assert config_dir(environ, "linux") == Path("/xdg/config/vibeusage")
    assert cache_dir(environ, "linux") == Path("/xdg/cache/vibeusage")


@pytest.mark.parametrize("value", ["relative/config", "./here", "~/.config", ""])
def test_linux_ignores_relative_or_empty_xdg_directories(value):
    environ = {"HOME": HOME, "XDG_CONFIG_HOME": value, "XDG_CACHE_HOME": value}
    assert config_dir(environ, "linux") == Path(HOME, ".config", "vibeusage")
    assert cache_dir(environ, "linux") == Path(HOME, ".cache", "vibeusage")


@pytest.mark.parametrize("platform", ["linux", "freebsd13", "cygwin"])
def test_other_unixes_follow_the_linux_layout(platform):
    environ = {"HOME": HOME, "XDG_CONFIG_HOME": "/xdg/config"}
    assert config_dir(environ, platform) == Path("/xdg/config/vibeusage")
    assert cache_dir(environ, platform) == Path(HOME, ".cache", "vibeusage")


# --- macOS --------------------------------------------------------------------------------


def test_darwin_uses_library_directories():
    environ = {"HOME": "/Users/alice"}
    assert config_dir(environ, "darwin") == Path(
        "/Users/alice/Library/Application Support/vibeusage"
    )
    assert cache_dir(environ, "darwin") == Path("/Users/alice/Library/Caches/vibeusage")


def test_darwin_ignores_xdg_variables():
    environ = {"HOME": "/Users/alice", "XDG_CONFIG_HOME": "/xdg", "XDG_CACHE_HOME": "/xdgc"}
    assert "Library" in config_dir(environ, "darwin").parts
    assert "Library" in cache_dir(environ, "darwin").parts


# --- Windows ------------------------------------------------------------------------------


def test_win32_uses_appdata_and_localappdata():
    environ = {
        "USERPROFILE": WIN_HOME,
        "APPDATA": "/users/alice/AppData/Roaming",
        "LOCALAPPDATA": "/users/alice/AppData/Local",
    }
    assert config_dir(environ, "win32") == Path("/users/alice/AppData/Roaming/vibeusage")
    assert cache_dir(environ, "win32") == Path("/users/alice/AppData/Local/vibeusage/Cache")


def test_win32_falls_back_to_the_profile_without_appdata():
    environ = {"USERPROFILE": WIN_HOME}
    assert config_dir(environ, "win32") == Path(WIN_HOME, "AppData", "Roaming", "vibeusage")
    assert cache_dir(environ, "win32") == Path(WIN_HOME, "AppData", "Local", "vibeusage", "Cache")


def test_win32_treats_empty_appdata_as_missing():
    environ = {"USERPROFILE": WIN_HOME, "APPDATA": "", "LOCALAPPDATA": ""}
    assert config_dir(environ, "win32") == Path(WIN_HOME, "AppData", "Roaming", "vibeusage")
    assert cache_dir(environ, "win32") == Path(WIN_HOME, "AppData", "Local", "vibeusage", "Cache")


def test_win32_ignores_xdg_variables():
    environ = {"USERPROFILE": WIN_HOME, "APPDATA": "/appdata", "XDG_CONFIG_HOME": "/xdg"}
    assert config_dir(environ, "win32") == Path("/appdata/vibeusage")


# --- home ---------------------------------------------------------------------------------


def test_home_dir_prefers_home_over_userprofile():
    assert home_dir({"HOME": HOME, "USERPROFILE": WIN_HOME}) == Path(HOME)


@pytest.mark.parametrize(
    "environ", [{"USERPROFILE": WIN_HOME}, {"HOME": "", "USERPROFILE": WIN_HOME}]
)
def test_home_dir_uses_userprofile_without_home(environ):
    assert home_dir(environ) == Path(WIN_HOME)


# --- overrides ----------------------------------------------------------------------------


@pytest.mark.parametrize("platform", ["linux", "darwin", "win32"])
def test_overrides_win_on_every_platform(platform):
    environ = {
        "HOME": HOME,
        "USERPROFILE": WIN_HOME,
        "XDG_CONFIG_HOME": "/xdg/config",
        "XDG_CACHE_HOME": "/xdg/cache",
        "APPDATA": "/appdata",
        "LOCALAPPDATA": "/localappdata",
        "VIBEUSAGE_CONFIG_DIR": "/custom/config",
        "VIBEUSAGE_CACHE_DIR": "/custom/cache",
    }
    assert config_dir(environ, platform) == Path("/custom/config")
    assert cache_dir(environ, platform) == Path("/custom/cache")


def test_empty_overrides_are_ignored():
    environ = {"HOME": HOME, "VIBEUSAGE_CONFIG_DIR": "", "VIBEUSAGE_CACHE_DIR": ""}
    assert config_dir(environ, "linux") == Path(HOME, ".config", "vibeusage")
    assert cache_dir(environ, "linux") == Path(HOME, ".cache", "vibeusage")


def test_overrides_expand_tilde(tmp_path, monkeypatch):
    # expanduser() consults the process environment: point it at a temporary home so that
    # the test never depends on the real one.
    monkeypatch.setenv("HOME", str(tmp_path))
    environ = {
        "HOME": str(tmp_path),
        "VIBEUSAGE_CONFIG_DIR": "~/cfg",
        "VIBEUSAGE_CACHE_DIR": "~/cache/vu",
    }
    assert config_dir(environ, "linux") == tmp_path / "cfg"
    assert cache_dir(environ, "linux") == tmp_path / "cache" / "vu"


def test_override_tilde_expands_against_the_given_environ_not_the_process(tmp_path, monkeypatch):
    # Everything else in this module reads home from ``environ``; "~" in an override must
    # too, or a caller's environ (a test, a vendoring project) resolves to another home.
    process_home = tmp_path / "process-home"
    given_home = tmp_path / "given-home"
    monkeypatch.setenv("HOME", str(process_home))
    environ = {
        "HOME": str(given_home),
        "VIBEUSAGE_CONFIG_DIR": "~/cfg",
        "VIBEUSAGE_CACHE_DIR": "~/c",
    }
    assert config_dir(environ, "linux") == given_home / "cfg"
    assert cache_dir(environ, "linux") == given_home / "c"


# --- resolve_paths --------------------------------------------------------------------------


def test_resolve_paths_derives_every_file_location():
    paths = resolve_paths({"HOME": HOME}, "linux")
    config = Path(HOME, ".config", "vibeusage")
    cache = Path(HOME, ".cache", "vibeusage")
    assert paths == Paths(config, cache)
    assert paths.config_file == config / "config.toml"
    assert paths.credentials_dir == config / "credentials"
    assert paths.credential_file("copilot", "device_flow") == (
        config / "credentials" / "copilot" / "device_flow.json"
    )
    assert paths.snapshots_dir == cache / "snapshots"
    assert paths.gate_dir == cache / "gate"


def test_resolve_paths_uses_overrides():
    environ = {"HOME": HOME, "VIBEUSAGE_CONFIG_DIR": "/c", "VIBEUSAGE_CACHE_DIR": "/k"}
    paths = resolve_paths(environ, "darwin")
    assert paths.config_file == Path("/c/config.toml")
    assert paths.snapshots_dir == Path("/k/snapshots")


def test_platform_defaults_to_the_running_interpreter():
    environ = {"HOME": HOME, "USERPROFILE": WIN_HOME}
    assert config_dir(environ) == config_dir(environ, sys.platform)
    assert cache_dir(environ) == cache_dir(environ, sys.platform)
