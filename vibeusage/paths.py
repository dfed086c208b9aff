"""Where vibeusage keeps its configuration and cache on each platform (DESIGN.md §10).

The platform rules live in ``dirs`` (strings, cheap to import); this wraps them in ``Path``.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from . import dirs
from .dirs import APP_NAME

__all__ = ["APP_NAME", "Paths", "cache_dir", "config_dir", "home_dir", "resolve_paths", "state_dir"]


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
    return Path(dirs.home_dir(environ))


def config_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> Path:
    return Path(dirs.config_dir(environ, platform))


def cache_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> Path:
    return Path(dirs.cache_dir(environ, platform))


def state_dir(environ: Mapping[str, str], platform: Optional[str] = None) -> Path:
    """History and captures (FEATURES.md §0.1): not a cache, ``cache clear`` never touches it."""
    return Path(dirs.state_dir(environ, platform))


def resolve_paths(environ: Mapping[str, str], platform: Optional[str] = None) -> Paths:
    return Paths(config_dir(environ, platform), cache_dir(environ, platform))
