"""``<state>/alerts.json``: the edge state, read tolerantly, replaced atomically, under a lock.

A file that does not parse, has the wrong shape or a newer ``v`` is treated as absent (the
next write replaces it); a lane that does not read is dropped on its own.
"""

from contextlib import contextmanager
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator, Mapping, Optional

from ..locking import file_lock
from ..models import to_decimal
from ..state import make_private_dir
from ..store import atomic_write_bytes, read_json
from ..timeparse import parse_iso
from .edges import LaneState

STATE_FILE = "alerts.json"
LOCK_FILE = ".alerts.lock"
VERSION = 1
#: How long a run waits for an overlapping one before carrying on without the lock.
LOCK_TIMEOUT = 10.0


@contextmanager
def state_lock(state: Path, timeout: float = LOCK_TIMEOUT) -> Iterator[bool]:
    """Hold the alert writers' lock in ``state``; yields whether it was had."""
    try:
        make_private_dir(state)
    except OSError:
        pass  # file_lock then yields False and the run carries on without it
    with file_lock(state / LOCK_FILE, timeout) as held:
        yield held


def load_lanes(path: Path) -> Dict[str, LaneState]:
    """The lanes kept in ``path``; empty when the file is missing, garbage or newer."""
    document = read_json(path)
    if not isinstance(document, dict) or document.get("v") != VERSION:
        return {}
    lanes = document.get("lanes")
    if not isinstance(lanes, dict):
        return {}
    found = {}
    for key, raw in lanes.items():
        lane = _lane(raw)
        if isinstance(key, str) and lane is not None:
            found[key] = lane
    return found


def save_lanes(path: Path, lanes: Mapping[str, LaneState]) -> None:
    """Replace ``path`` atomically (0600, its directory 0700); raises OSError."""
    import json

    make_private_dir(path.parent)
    document = {"v": VERSION, "lanes": {key: _document(lane) for key, lane in lanes.items()}}
    text = json.dumps(document, sort_keys=True, separators=(",", ":")) + "\n"
    atomic_write_bytes(path, text.encode("utf-8"), mode=0o600)


def _lane(raw: Any) -> Optional[LaneState]:
    if not isinstance(raw, dict):
        return None
    used = to_decimal(raw.get("used_percent"))
    fired = raw.get("fired", {})
    resets_text = raw.get("resets_at")
    resets_at: Optional[datetime] = None
    if resets_text is not None:
        resets_at = parse_iso(resets_text) if isinstance(resets_text, str) else None
        if resets_at is None:
            return None
    if used is None or not isinstance(fired, dict):
        return None
    kept = {k: v for k, v in fired.items() if isinstance(k, str) and isinstance(v, str)}
    return LaneState(resets_at, used, kept)


def _document(lane: LaneState) -> Dict[str, Any]:
    return {
        "resets_at": None if lane.resets_at is None else lane.resets_at.isoformat(),
        "used_percent": json_number(lane.used_percent),
        "fired": dict(lane.fired),
    }


def json_number(value: Decimal) -> Any:
    """A whole Decimal as an int, any other as a float (``83``, ``82.5``)."""
    whole = value.to_integral_value()
    return int(whole) if value == whole else float(value)
