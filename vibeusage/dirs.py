"""The platform rules for vibeusage's directories (DESIGN.md §10, FEATURES.md §0.1), as strings.

No ``pathlib`` or ``dataclasses`` here: Claude Code's statusline hook resolves these on
every prompt. ``paths`` wraps them in ``Path`` objects for everything else.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Mapping, Optional

APP_NAME = "vibeusage"


def home_dir(environ: Mapping[str, str]) -> str:
    """The user's home: ``HOME`` (``USERPROFILE`` on Windows) first, then the OS answer."""
    for key in ("HOME", "USERPROFILE"):
        value = environ.get(key)
        if value:
            return value
    return os.path.expanduser("~")


def expand_user(value: str, environ: Mapping[str, str]) -> str:
    """``~`` against the given environment's home (not the process's)."""
    if value == "~" or value.startswith(("~/", "~\\")):
        return os.path.join(home_dir(environ), value[2:])
    return value


def config_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> str:
    return _directory(environ, platform, "VIBEUSAGE_CONFIG_DIR", "XDG_CONFIG_HOME", "config")


def cache_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> str:
    return _directory(environ, platform, "VIBEUSAGE_CACHE_DIR", "XDG_CACHE_HOME", "cache")


def state_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> str:
    """History and captures (FEATURES.md §0.1): not a cache, ``cache clear`` never touches it."""
    return _directory(environ, platform, "VIBEUSAGE_STATE_DIR", "XDG_STATE_HOME", "state")


#: kind -> (macOS under ~/Library, Windows base variable and fallback, Windows suffix, XDG default)
_LAYOUT = {
    "config": (
        ("Application Support", APP_NAME),
        "APPDATA",
        ("AppData", "Roaming"),
        (),
        (".config",),
    ),
    "cache": (("Caches", APP_NAME), "LOCALAPPDATA", ("AppData", "Local"), ("Cache",), (".cache",)),
    "state": (
        ("Application Support", APP_NAME, "State"),
        "LOCALAPPDATA",
        ("AppData", "Local"),
        ("State",),
        (".local", "state"),
    ),
}


def _directory(
    environ: Mapping[str, str], platform: Optional[str], override: str, xdg: str, kind: str
) -> str:
    value = environ.get(override)
    if value:
        return expand_user(value, environ)
    platform = platform or sys.platform
    home = home_dir(environ)
    mac, win_variable, win_fallback, win_suffix, xdg_default = _LAYOUT[kind]
    if platform == "darwin":
        return os.path.join(home, "Library", *mac)
    if platform.startswith("win"):
        windows_base = environ.get(win_variable) or os.path.join(home, *win_fallback)
        return os.path.join(windows_base, APP_NAME, *win_suffix)
    base = environ.get(xdg)
    if base and os.path.isabs(base):
        return os.path.join(base, APP_NAME)
    return os.path.join(home, *xdg_default, APP_NAME)
