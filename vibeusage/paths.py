"""Where vibeusage keeps its configuration and cache on each platform (DESIGN.md §10)."""

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

APP_NAME = "vibeusage"


@dataclass(frozen=True)
class Paths:
    """The directories and files vibeusage owns."""

    config_dir: Path
    cache_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "config.toml"

    @property
    def credentials_dir(self) -> Path:
        return self.config_dir / "credentials"

    @property
    def snapshots_dir(self) -> Path:
        return self.cache_dir / "snapshots"

    @property
    def gate_dir(self) -> Path:
        return self.cache_dir / "gate"

    def credential_file(self, provider: str, name: str) -> Path:
        return self.credentials_dir / provider / f"{name}.json"


def home_dir(environ: Mapping[str, str]) -> Path:
    """The user's home: ``HOME`` (``USERPROFILE`` on Windows) first, then the OS answer."""
    for key in ("HOME", "USERPROFILE"):
        value = environ.get(key)
        if value:
            return Path(value)
    return Path.home()


def _expand_user(value: str, environ: Mapping[str, str]) -> Path:
    """``~`` against the given environment's home (not the process's)."""
    if value == "~" or value.startswith(("~/", "~\\")):
        return home_dir(environ) / value[2:]
    return Path(value)


def config_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> Path:
    override = environ.get("VIBEUSAGE_CONFIG_DIR")
    if override:
        return _expand_user(override, environ)
    platform = platform or sys.platform
    home = home_dir(environ)
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_NAME
    if platform.startswith("win"):
        base = environ.get("APPDATA")
        return (Path(base) if base else home / "AppData" / "Roaming") / APP_NAME
    base = environ.get("XDG_CONFIG_HOME")
    if base and os.path.isabs(base):
        return Path(base) / APP_NAME
    return home / ".config" / APP_NAME


def cache_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> Path:
    override = environ.get("VIBEUSAGE_CACHE_DIR")
    if override:
        return _expand_user(override, environ)
    platform = platform or sys.platform
    home = home_dir(environ)
    if platform == "darwin":
        return home / "Library" / "Caches" / APP_NAME
    if platform.startswith("win"):
        base = environ.get("LOCALAPPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / APP_NAME / "Cache"
    base = environ.get("XDG_CACHE_HOME")
    if base and os.path.isabs(base):
        return Path(base) / APP_NAME
    return home / ".cache" / APP_NAME


def state_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> Path:
    """History and captures (FEATURES.md §0.1): not a cache, ``cache clear`` never touches it."""
    override = environ.get("VIBEUSAGE_STATE_DIR")
    if override:
        return _expand_user(override, environ)
    platform = platform or sys.platform
    home = home_dir(environ)
    if platform == "darwin":
        return home / "Library" / "Application Support" / APP_NAME / "State"
    if platform.startswith("win"):
        base = environ.get("LOCALAPPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / APP_NAME / "State"
    base = environ.get("XDG_STATE_HOME")
    if base and os.path.isabs(base):
        return Path(base) / APP_NAME
    return home / ".local" / "state" / APP_NAME


def resolve_paths(environ: Mapping[str, str], platform: Optional[str] = None) -> Paths:
    return Paths(config_dir(environ, platform), cache_dir(environ, platform))
