"""``vibeusage cache`` as text: snapshot age, back-off state and org id per provider."""

from datetime import timedelta
from typing import Any, Dict, List

from .durations import format_age


def cache_table(overview: Dict[str, Any]) -> str:
    """The cache directory as a heading, then a row per provider."""
    from tabulate import tabulate

    rows = []
    for pid, entry in overview["providers"].items():
        snap = entry["snapshot"]
        age = "-"
        if snap is not None:
            age = f"{format_age(timedelta(seconds=snap['age_seconds']))} ({snap['source']})"
        gates = ", ".join(
            f"{name}: until {g['closed_until']}"
            if g["closed_until"]
            else f"{name}: {g['recent_failures']} recent failure(s)"
            for name, g in entry["gate"].items()
        )
        rows.append([pid, age, gates or "open", "yes" if entry["org_id_cached"] else "no"])
    table = tabulate(rows, headers=["provider", "snapshot age", "back-off", "org id"])
    return f"# {overview['cache_dir']}\n{table}\n"


def cleared_document(removed: List[str]) -> Dict[str, Any]:
    """``cache clear --json``: the files removed."""
    return {"removed": removed}


def cleared_message(removed: int) -> str:
    """What ``cache clear`` says on stderr."""
    return f"Removed {removed} cached file(s)."
