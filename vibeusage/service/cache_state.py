"""What vibeusage has cached per provider (snapshots, back-off, org ids), and clearing it."""

from typing import Any, Dict, List, Sequence

from ..cache import (
    ANY_LOGIN,
    FailureGate,
    SnapshotCache,
    clear_provider_cache,
    provider_cache_files,
)
from .context import Context


def describe(app: Context, provider_id: str) -> Dict[str, Any]:
    """What is cached for one provider, without secrets."""
    cache_dir = app.paths.cache_dir
    now = app.clock()
    snapshot = SnapshotCache(app.paths.snapshots_dir).load(provider_id, ANY_LOGIN)
    files = provider_cache_files(cache_dir, provider_id)
    gate = FailureGate(app.paths.gate_dir)
    provider = app.registry.get(provider_id)
    strategies = tuple(s.name for s in provider.strategies) if provider is not None else ()
    gates = {}
    for name in (*strategies, FailureGate.ANY):
        state = gate.load(provider_id, name, ANY_LOGIN)
        if state.closed_until is not None or state.failures:
            gates[name] = {
                "closed_until": state.closed_until.isoformat()
                if state.closed_until is not None and state.is_closed(now)
                else None,
                "recent_failures": len(state.failures),
                "reason": state.reason,
            }
    return {
        "snapshot": {
            "path": str(files["snapshot"]),
            "fetched_at": snapshot.fetched_at.isoformat(),
            "age_seconds": int((now - snapshot.fetched_at).total_seconds()),
            "source": snapshot.source,
        }
        if snapshot is not None
        else None,
        "gate": gates,
        "org_id_cached": files["org"].exists(),
    }


def cache_overview(app: Context, provider_ids: Sequence[str]) -> Dict[str, Any]:
    """The cache directory and what it holds for each of ``provider_ids``."""
    return {
        "cache_dir": str(app.paths.cache_dir),
        "providers": {pid: describe(app, pid) for pid in provider_ids},
    }


def clear_caches(app: Context, provider_ids: Sequence[str], org: bool = False) -> List[str]:
    """Remove the snapshots and back-off state (and org ids) of ``provider_ids``; what went."""
    removed: List[str] = []
    for provider_id in provider_ids:
        removed += [str(p) for p in clear_provider_cache(app.paths.cache_dir, provider_id, org)]
    return removed
