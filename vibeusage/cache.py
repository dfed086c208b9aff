"""Snapshot cache (last good data per provider) and the persisted failure gate (DESIGN.md §5)."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .locking import file_lock
from .models import UsageSnapshot
from .store import atomic_write_json, read_json
from .timeparse import parse_iso

#: Consecutive failures within FAILURE_WINDOW that close the gate for FAILURE_BACKOFF.
FAILURE_LIMIT = 3
FAILURE_WINDOW = timedelta(minutes=10)
FAILURE_BACKOFF = timedelta(minutes=5)
#: The longest pause vibeusage itself sets (a Retry-After is capped at a day).
MAX_PAUSE = timedelta(hours=24)
#: How long a run waits for another run's update of the same gate file.
LOCK_TIMEOUT = 2.0


#: Passed as ``login`` to read what is cached whatever login wrote it (``cache show``).
ANY_LOGIN = "\0any"

#: Version of the snapshot cache's own storage form (not the public JSON contract's).
#: 3 added ``login``: the login key the snapshot was fetched with.
STORAGE_VERSION = 3
#: Older storage forms still read; they carry no login key, so they count as written
#: without one (served only while the current login key is None as well).
OLDER_STORAGE_VERSIONS = (2,)


class SnapshotCache:
    """``<cache>/snapshots/<provider>.json``, written atomically after every success.

    The file holds vibeusage's own storage form (:func:`encode_snapshot`), versioned on its
    own: the public JSON contract can grow computed keys without touching the cache, and a
    cache written by an older version (the contract's form, ``schema_version`` 1) is still
    read. Each snapshot records the login key it was fetched with; a snapshot of another
    login is absent to every reader (fresh answer, stale fallback, ``--offline``).
    """

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, provider_id: str) -> Path:
        return self.directory / f"{provider_id}.json"

    def load(self, provider_id: str, login: Optional[str] = None) -> Optional[UsageSnapshot]:
        """The cached snapshot of ``login`` (a login key), or None when absent, unreadable
        (a bad file is ignored) or fetched with another login."""
        data = read_json(self.path(provider_id))
        if not isinstance(data, dict) or stored_login(data) == _UNREADABLE:
            return None
        if login != ANY_LOGIN and stored_login(data) != login:
            return None
        stored = data.get("snapshot")
        try:
            snapshot = decode_snapshot(stored)  # type: ignore[arg-type]
        except ValueError:
            return None
        return snapshot if snapshot.provider == provider_id else None

    def other_login(self, provider_id: str, login: Optional[str]) -> bool:
        """Whether a readable snapshot is cached, but for a login other than ``login``."""
        data = read_json(self.path(provider_id))
        return isinstance(data, dict) and stored_login(data) not in (login, _UNREADABLE)

    def save(self, snapshot: UsageSnapshot, login: Optional[str] = None) -> None:
        document = {
            "storage_version": STORAGE_VERSION,
            "login": login,
            "snapshot": encode_snapshot(snapshot),
        }
        atomic_write_json(self.path(snapshot.provider), document, mode=0o600)


#: What :func:`stored_login` says of a document in no storage form it knows.
_UNREADABLE = "\0unreadable"


def stored_login(document: Mapping[str, Any]) -> Optional[str]:
    """The login key a cached document was written with (None for the older forms)."""
    if document.get("storage_version") == STORAGE_VERSION:
        login = document.get("login")
        return login if isinstance(login, str) else None
    if document.get("storage_version") in OLDER_STORAGE_VERSIONS:
        return None
    if document.get("schema_version") == 1:
        return None
    return _UNREADABLE


def encode_snapshot(snapshot: UsageSnapshot) -> Dict[str, Any]:
    """The stored form of a snapshot: what was measured, nothing computed from the clock."""
    return {
        "provider": snapshot.provider,
        "fetched_at": snapshot.fetched_at.isoformat(),
        "source": snapshot.source,
        "periods": [
            {
                "name": p.name,
                "utilization": p.utilization,
                "period_type": p.period_type.value,
                "resets_at": p.resets_at.isoformat() if p.resets_at is not None else None,
                "model": p.model,
            }
            for p in snapshot.periods
        ],
        "overage": snapshot.overage.to_dict() if snapshot.overage is not None else None,
        "identity": snapshot.identity.to_dict() if snapshot.identity is not None else None,
        "status": snapshot.status.to_dict() if snapshot.status is not None else None,
        "notes": list(snapshot.notes),
        "rate_limit_resets_available": snapshot.reset_credits,
    }


def decode_snapshot(data: Mapping[str, Any]) -> UsageSnapshot:
    """A snapshot from its stored form (or an older version's contract form); ValueError."""
    return UsageSnapshot.from_dict(data)


@dataclass(frozen=True)
class GateState:
    """Recent failures and, when closed, until when no request is made."""

    failures: Tuple[datetime, ...] = ()
    closed_until: Optional[datetime] = None
    reason: Optional[str] = None
    #: The error category of the failure that closed the gate (its message keeps it).
    category: Optional[str] = None

    def is_closed(self, now: datetime) -> bool:
        """Closed until ``closed_until`` — unless that is further than vibeusage ever pauses
        (a damaged or hostile file must not silence a provider for good)."""
        if self.closed_until is None:
            return False
        return now < self.closed_until <= now + MAX_PAUSE


class FailureGate:
    """``<cache>/gate/<provider>.json``: back off after rate limits and repeated failures.

    The file holds one state per strategy, so that a rate-limited strategy rests while the
    provider's other strategies are still tried. ``ANY`` is the key for callers that gate a
    provider as a whole. Each state records the login key it was written under; another
    login's state reads as an open gate and is replaced by the next failure.
    """

    ANY = "*"

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def path(self, provider_id: str) -> Path:
        return self.directory / f"{provider_id}.json"

    def _states(self, provider_id: str) -> Dict[str, Any]:
        data = read_json(self.path(provider_id))
        return data if isinstance(data, dict) else {}

    def load(self, provider_id: str, strategy: str = ANY, login: Optional[str] = None) -> GateState:
        data = self._states(provider_id).get(strategy)
        if not isinstance(data, dict):
            return GateState()
        written_by = data.get("login")
        if login != ANY_LOGIN and (written_by if isinstance(written_by, str) else None) != login:
            return GateState()
        failures_raw: Any = data.get("failures")
        failures: List[datetime] = []
        if isinstance(failures_raw, list):
            failures = [t for t in (parse_iso(v) for v in failures_raw) if t is not None]
        reason = data.get("reason")
        category = data.get("category")
        return GateState(
            failures=tuple(failures),
            closed_until=parse_iso(data.get("closed_until")),
            reason=reason if isinstance(reason, str) else None,
            category=category if isinstance(category, str) else None,
        )

    def _save(
        self,
        provider_id: str,
        strategy: str,
        state: Optional[GateState],
        login: Optional[str] = None,
    ) -> None:
        states = {k: v for k, v in self._states(provider_id).items() if isinstance(v, dict)}
        if state is None:
            if strategy not in states:
                return
            del states[strategy]
        else:
            states[strategy] = {
                "failures": [t.isoformat() for t in state.failures],
                "closed_until": state.closed_until.isoformat() if state.closed_until else None,
                "reason": state.reason,
                "category": state.category,
                "login": login,
            }
        if states:
            atomic_write_json(self.path(provider_id), states, mode=0o600)
        else:
            try:
                self.path(provider_id).unlink()
            except OSError:
                pass

    def _lock(self, provider_id: str) -> Any:
        return file_lock(self.directory / f".{provider_id}.lock", LOCK_TIMEOUT)

    def record_success(
        self, provider_id: str, strategy: str = ANY, login: Optional[str] = None
    ) -> None:
        if not self.path(provider_id).exists():
            return
        with self._lock(provider_id):
            self._save(provider_id, strategy, None, login)

    def record_failure(
        self,
        provider_id: str,
        now: datetime,
        reason: str,
        retry_after: Optional[float] = None,
        strategy: str = ANY,
        category: Optional[str] = None,
        login: Optional[str] = None,
    ) -> GateState:
        """Note a failed request under ``login``; close the gate on a rate limit or too many
        failures."""
        with self._lock(provider_id):
            return self._record_failure(
                provider_id, now, reason, retry_after, strategy, category, login
            )

    def _record_failure(
        self,
        provider_id: str,
        now: datetime,
        reason: str,
        retry_after: Optional[float],
        strategy: str,
        category: Optional[str] = None,
        login: Optional[str] = None,
    ) -> GateState:
        previous = self.load(provider_id, strategy, login)
        failures = tuple(t for t in previous.failures if now - t < FAILURE_WINDOW) + (now,)
        closed_until: Optional[datetime] = None
        if retry_after is not None:
            closed_until = now + timedelta(seconds=retry_after)
        elif len(failures) >= FAILURE_LIMIT:
            closed_until = now + FAILURE_BACKOFF
            reason = f"{len(failures)} failures in a row ({reason})"
        if closed_until is not None:
            failures = ()
        state = GateState(
            failures,
            closed_until,
            reason if closed_until else None,
            category if closed_until else None,
        )
        self._save(provider_id, strategy, state, login)
        return state


class LastRun:
    """``<cache>/runs/<provider>.json``: the strategies tried by the last fetch, for diagnosis."""

    def __init__(self, cache_dir: Path) -> None:
        self.directory = cache_dir / "runs"

    def path(self, provider_id: str) -> Path:
        return self.directory / f"{provider_id}.json"

    def save(self, result: Any, now: datetime, login: Optional[str] = None) -> None:
        """``result`` is a pipeline ProviderResult (duck-typed: this module stays below it);
        ``login`` the login key it was fetched with."""
        document = {
            "at": now.isoformat(),
            "login": login,
            "success": result.snapshot is not None and not result.stale,
            "source": result.snapshot.source if result.snapshot is not None else None,
            "error": result.error.message if result.error is not None else None,
            "duration_ms": result.duration_ms,
            "attempts": [
                {
                    "strategy": a.strategy,
                    "success": a.success,
                    "duration_ms": a.duration_ms,
                    "error": a.error,
                }
                for a in result.attempts
            ],
        }
        atomic_write_json(self.path(result.provider_id), document, mode=0o600)

    def load(self, provider_id: str) -> Optional[Dict[str, Any]]:
        data = read_json(self.path(provider_id))
        return data if isinstance(data, dict) else None


#: Where earlier versions kept per-provider caches (removed by ``cache clear`` too).
LEGACY_CACHE_FILES = ("identity/{id}.json", "org-ids/{id}", "{id}/token.json", "{id}/client.json")
#: The provider's remembered organisation choice, kept by ``cache clear`` unless ``--org``.
ORGANIZATION_FILE = "organization.json"


def provider_cache_files(cache_dir: Path, provider_id: str) -> Dict[str, Path]:
    """Every place vibeusage caches something for a provider, by kind."""
    folder = cache_dir / "providers" / provider_id
    return {
        "snapshot": cache_dir / "snapshots" / f"{provider_id}.json",
        "gate": cache_dir / "gate" / f"{provider_id}.json",
        "last_run": cache_dir / "runs" / f"{provider_id}.json",
        "folder": folder,
        "org": folder / ORGANIZATION_FILE,
    }


def clear_provider_cache(cache_dir: Path, provider_id: str, org: bool = True) -> List[Path]:
    """Remove what is cached for a provider (its organisation choice only when ``org``).

    The provider's whole cache folder goes, and the files earlier versions kept elsewhere.
    Returns the files removed.
    """
    files = provider_cache_files(cache_dir, provider_id)
    candidates = [files["snapshot"], files["gate"], files["last_run"]]
    candidates += [cache_dir / t.format(id=provider_id) for t in LEGACY_CACHE_FILES]
    folder = files["folder"]
    if folder.is_dir():
        candidates += sorted(p for p in folder.rglob("*") if not p.is_dir())
    removed = []
    for path in candidates:
        if path == files["org"] and not org:
            continue
        try:
            path.unlink()
        except OSError:  # gone already, a directory there, or a read-only cache
            continue
        removed.append(path)
    for directory in sorted((p for p in folder.rglob("*") if p.is_dir()), reverse=True):
        try:
            directory.rmdir()
        except OSError:
            pass
    if org or not files["org"].exists():
        try:
            folder.rmdir()
        except OSError:
            pass
    return removed
