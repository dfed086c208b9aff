"""The merge rules of §5.2, purely: (capture, Claude Code's payload, now) -> the new capture.

Claude Code re-sends old numbers from idle terminals and sends nothing at a session start or
after ``/clear``, so the capture only moves forward: absent windows are kept, a window's
value never goes down within one instance, and ``observed_at`` (what freshness is judged
by) moves only on evidence that a new API response was seen.
"""

from __future__ import annotations

from .capture import VERSION, window_seconds
from .location import sha256_hex
from .values import clean_percent, epoch_seconds, iso_utc, number

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Tuple

#: A reset may lie this much beyond the window's length (clock skew between machines).
RESET_SLACK = 600
#: Two readings whose resets are this close belong to the same window instance.
SAME_INSTANCE = 120
MAX_SESSIONS = 16
SESSION_KEY_LENGTH = 12


def incoming_windows(payload: Dict[str, Any], now: float) -> Dict[str, Tuple[float, int]]:
    """The payload's valid windows: key -> (used percent, reset epoch); invalid ones dropped."""
    rate_limits = payload.get("rate_limits")
    found: Dict[str, Tuple[float, int]] = {}
    if not isinstance(rate_limits, dict):
        return found
    for key, entry in rate_limits.items():
        if not isinstance(key, str) or not isinstance(entry, dict):
            continue
        used = clean_percent(entry.get("used_percentage"))
        resets = epoch_seconds(entry.get("resets_at"))
        if used is None or resets is None:
            continue
        if not now < resets <= now + window_seconds(key) + RESET_SLACK:
            continue
        found[key] = (used, int(round(resets)))
    return found


def merge(
    previous: Optional[Dict[str, Any]], payload: Dict[str, Any], now: float, config_dir: str
) -> Dict[str, Any]:
    """The capture after ``payload`` arrived at ``now`` (Unix seconds)."""
    previous = previous or {}
    stamp = iso_utc(now)
    sessions = dict(previous.get("sessions") or {})
    evidence = _session_evidence(sessions, payload, stamp)
    windows: Dict[str, Any] = {
        key: dict(entry)
        for key, entry in (previous.get("windows") or {}).items()
        if entry["resets_at"] > now  # passed resets are dropped
    }
    for key, (used, resets) in incoming_windows(payload, now).items():
        windows[key] = _merge_window(windows.get(key), used, resets, evidence, stamp)
    version = payload.get("version")
    return {
        "v": VERSION,
        "config_dir": config_dir,
        "claude_code_version": version
        if isinstance(version, str) and version
        else previous.get("claude_code_version"),
        "updated_at": stamp,
        "windows": windows,
        "sessions": sessions,
    }


def _merge_window(
    old: Optional[Dict[str, Any]], used: float, resets: int, evidence: bool, stamp: str
) -> Dict[str, Any]:
    fresh = {"used_percent": used, "resets_at": resets, "observed_at": stamp, "last_seen_at": stamp}
    if old is None:
        return fresh
    if abs(resets - old["resets_at"]) <= SAME_INSTANCE:
        # An idle terminal repeats an older, lower value: never let it lower the capture.
        went_up = used > old["used_percent"]
        return {
            "used_percent": max(old["used_percent"], used),
            "resets_at": old["resets_at"],
            "observed_at": stamp if went_up or evidence else old["observed_at"],
            "last_seen_at": stamp,
        }
    if resets > old["resets_at"] or evidence:  # a later instance, or an earlier one proven new
        return fresh
    return dict(old, last_seen_at=stamp)


def _session_evidence(sessions: Dict[str, Any], payload: Dict[str, Any], stamp: str) -> bool:
    """Record the payload's session; whether it shows a new API response (new or grown)."""
    session_id = payload.get("session_id")
    if not isinstance(session_id, str) or not session_id:
        return False
    key = sha256_hex(session_id.encode("utf-8", "surrogateescape"))[:SESSION_KEY_LENGTH]
    cost = payload.get("cost")
    context = payload.get("context_window")
    api_ms = _count(cost.get("total_api_duration_ms") if isinstance(cost, dict) else None)
    out = _count(context.get("total_output_tokens") if isinstance(context, dict) else None)
    known = sessions.pop(key, None)
    if known is None:
        evidence = True
    else:
        evidence = _grew(known.get("api_ms"), api_ms) or _grew(known.get("out_tokens"), out)
        api_ms = known.get("api_ms") if api_ms is None else api_ms
        out = known.get("out_tokens") if out is None else out
    sessions[key] = {"api_ms": api_ms, "out_tokens": out, "seen": stamp}
    while len(sessions) > MAX_SESSIONS:  # kept in the order last seen: the oldest go first
        del sessions[next(iter(sessions))]
    return evidence


def _count(value: Any) -> Optional[int]:
    found = number(value)
    return None if found is None or found < 0 else int(found)


def _grew(old: Any, new: Optional[int]) -> bool:
    return new is not None and (old is None or new > old)
