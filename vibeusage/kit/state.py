"""Per-provider state vibeusage keeps: one cache folder, JSON caches tied to a login, locks.

Everything a provider caches lives in ``<cache>/providers/<id>/``, so ``cache clear <id>``
removes it all at once (``cache.clear_provider_cache``). A cached document records the
fingerprint of the login that produced it and when: a different login, or an old document,
never sees it.
"""

import os
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ContextManager, Dict, Optional

from ..paths import Paths
from ..store import atomic_write_json, read_json
from ..timeparse import parse_iso

#: Storage form of the JSON caches (bumped when their shape changes; older ones are ignored).
CACHE_VERSION = 1


class ProviderState:
    """The folders and files vibeusage keeps for one provider."""

    def __init__(self, paths: Paths, provider_id: str) -> None:
        self.paths = paths
        self.provider_id = provider_id

    @property
    def cache_dir(self) -> Path:
        return self.paths.cache_dir / "providers" / self.provider_id

    @property
    def credentials_dir(self) -> Path:
        return self.paths.credentials_dir / self.provider_id

    def cache_file(self, name: str) -> Path:
        return self.cache_dir / name

    def private_cache_dir(self) -> Path:
        """The cache folder, created 0700 (it may hold short-lived tokens)."""
        return make_private_dir(self.cache_dir)

    def json_cache(self, name: str, ttl: Optional[timedelta] = None) -> "JsonCache":
        return JsonCache(self.cache_dir / f"{name}.json", ttl)

    def lock(self, name: str, timeout: float) -> ContextManager[bool]:
        """A cross-process lock of this provider (e.g. around a delegated refresh)."""
        from ..locking import file_lock

        return file_lock(self.cache_dir / f".{name}.lock", timeout)


class JsonCache:
    """One JSON document of a provider's cache, tied to a login and optionally to a TTL."""

    def __init__(self, path: Path, ttl: Optional[timedelta] = None) -> None:
        self.path = path
        self.ttl = ttl

    def load(self, login: Optional[str], now: datetime) -> Optional[Dict[str, Any]]:
        """The cached data when it belongs to ``login`` (a fingerprint) and is recent enough."""
        document = read_json(self.path)
        if not isinstance(document, dict) or document.get("version") != CACHE_VERSION:
            return None
        if document.get("login") != login:
            return None
        data = document.get("data")
        saved_at = parse_iso(document.get("saved_at"))
        if not isinstance(data, dict) or saved_at is None:
            return None
        if self.ttl is not None and not timedelta(0) <= now - saved_at < self.ttl:
            return None
        return data

    def save(self, login: Optional[str], data: Dict[str, Any], now: datetime) -> None:
        """Write the data for ``login`` atomically (0600 in a 0700 folder)."""
        make_private_dir(self.path.parent)
        document = {
            "version": CACHE_VERSION,
            "login": login,
            "saved_at": now.isoformat(),
            "data": data,
        }
        atomic_write_json(self.path, document, mode=0o600)

    def forget(self) -> None:
        try:
            self.path.unlink()
        except OSError:
            pass


def make_private_dir(directory: Path) -> Path:
    """``directory`` (and its parents), the last one made private (0700) on POSIX."""
    directory.mkdir(parents=True, exist_ok=True)
    if os.name == "posix":
        try:
            os.chmod(directory, 0o700)
        except OSError:
            pass
    return directory
