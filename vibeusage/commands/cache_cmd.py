"""``vibeusage cache show | clear [PROVIDER] [--org]``."""

import argparse
from typing import Any, Dict, List

from ..cache import FailureGate, SnapshotCache, clear_provider_cache, provider_cache_files
from .app import App, add_output_options, new_parser


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage cache",
        description=(
            "show: the age of each cached snapshot, back-off state per strategy, cached "
            "organisation ids. clear: remove cached snapshots and back-off state (of one "
            "provider, or all); --org also forgets the cached organisation id."
        ),
    )
    parser.add_argument("action", choices=("show", "clear"), nargs="?", default="show")
    parser.add_argument("provider", nargs="?", help="provider id (default: all)")
    parser.add_argument("--org", action="store_true", help="clear: also the organisation id")
    add_output_options(parser)
    return parser


def describe(app: App, provider_id: str) -> Dict[str, Any]:
    """What is cached for one provider, without secrets."""
    cache_dir = app.paths.cache_dir
    now = app.clock()
    snapshot = SnapshotCache(app.paths.snapshots_dir).load(provider_id)
    files = provider_cache_files(cache_dir, provider_id)
    gate = FailureGate(app.paths.gate_dir)
    strategies = app.registry[provider_id].strategy_names() if provider_id in app.registry else ()
    gates = {}
    for name in (*strategies, FailureGate.ANY):
        state = gate.load(provider_id, name)
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


def run(app: App, args: argparse.Namespace) -> int:
    providers = [app.provider(args.provider).id] if args.provider else list(app.registry)
    if args.action == "clear":
        removed: List[str] = []
        for provider_id in providers:
            removed += [
                str(p) for p in clear_provider_cache(app.paths.cache_dir, provider_id, args.org)
            ]
        if args.json:
            app.emit_json({"removed": removed})
        else:
            app.terminal.say(f"Removed {len(removed)} cached file(s).")
        return 0
    report = {pid: describe(app, pid) for pid in providers}
    if args.json:
        app.emit_json({"cache_dir": str(app.paths.cache_dir), "providers": report})
        return 0
    from tabulate import tabulate

    from ..views.durations import format_age

    rows = []
    for pid, entry in report.items():
        snap = entry["snapshot"]
        age = "-"
        if snap is not None:
            from datetime import timedelta

            age = f"{format_age(timedelta(seconds=snap['age_seconds']))} ({snap['source']})"
        gates = ", ".join(
            f"{name}: until {g['closed_until']}"
            if g["closed_until"]
            else f"{name}: {g['recent_failures']} recent failure(s)"
            for name, g in entry["gate"].items()
        )
        rows.append([pid, age, gates or "open", "yes" if entry["org_id_cached"] else "no"])
    app.emit(
        f"# {app.paths.cache_dir}\n"
        + tabulate(rows, headers=["provider", "snapshot age", "back-off", "org id"])
        + "\n"
    )
    return 0
