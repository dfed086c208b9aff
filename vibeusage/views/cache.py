"""``vibeusage cache`` as text: snapshot age, back-off state and org id per provider."""

from datetime import timedelta
from typing import Any, Dict, List, Optional

from .durations import format_age
from .gate_text import NOT_PAUSED, pause_phrase
from .layout import table


def cache_table(overview: Dict[str, Any], width: Optional[int] = None) -> str:
    """The cache directory as a heading, then a row per provider (back-off last: it is long)."""
    rows = []
    for pid, entry in overview["providers"].items():
        snap = entry["snapshot"]
        age = "-"
        if snap is not None:
            age = f"{format_age(timedelta(seconds=snap['age_seconds']))} ({snap['source']})"
        gates = ", ".join(
            f"{name}: {pause_phrase(g['closed_until'])}"
            if g["closed_until"]
            else f"{name}: {g['recent_failures']} recent failure(s)"
            for name, g in entry["gate"].items()
        )
        org = "yes" if entry["org_id_cached"] else "no"
        rows.append([pid, age, org, gates or NOT_PAUSED])
    lines = table(rows, width, ["provider", "snapshot age", "org id", "back-off"])
    return f"# {overview['cache_dir']}\n" + "\n".join(lines) + "\n"


def cleared_document(removed: List[str]) -> Dict[str, Any]:
    """``cache clear --json``: the files removed."""
    return {"removed": removed}


def cleared_message(removed: int) -> str:
    """What ``cache clear`` says (on stdout: it is the result)."""
    return f"Removed {removed} cached file(s)."
