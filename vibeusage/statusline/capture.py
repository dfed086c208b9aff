"""The capture file (§5.2): read tolerantly, written atomically, shaped for the merge rules.

``{"v": 1, "config_dir", "claude_code_version", "updated_at", "windows": {key: {used_percent,
resets_at, observed_at, last_seen_at}}, "sessions": {sha256[:12]: {api_ms, out_tokens, seen}}}``.
A file that does not parse, has the wrong shape or a newer ``v`` reads as absent; an entry
that is not readable is dropped, the rest kept.
"""

from __future__ import annotations

import json
import os

from .values import clean_percent, iso_epoch, number

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Tuple

VERSION = 1
#: Known windows: capture key -> (display name, period type, D in seconds).
WINDOWS = {
    "five_hour": ("Session (5h)", "session", 5 * 3600),
    "seven_day": ("Weekly", "weekly", 7 * 86400),
}
#: D of a window this version does not know (a new weekly variant, say).
OTHER_WINDOW_SECONDS = 8 * 86400
_PREFIXES = (("five_hour_", "Session", "session"), ("seven_day_", "Weekly", "weekly"))


def window_seconds(key: str) -> int:
    """D of a capture window: 5 h, 7 d, or 8 d for a window this version does not know."""
    known = WINDOWS.get(key)
    return known[2] if known else OTHER_WINDOW_SECONDS


def window_identity(key: str) -> Tuple[str, str, Optional[str]]:
    """(name, period type, model) of a capture window, as Claude's usage endpoint names it."""
    known = WINDOWS.get(key)
    if known:
        return known[0], known[1], None
    for prefix, label, period_type in _PREFIXES:
        if key.startswith(prefix) and len(key) > len(prefix):
            model = key[len(prefix) :]
            return f"{label} ({model.replace('_', ' ').title()})", period_type, model
    return key.replace("_", " ").title() or key, "weekly", None


def read_capture(path: str) -> Optional[Dict[str, Any]]:
    """The capture at ``path`` with unreadable entries dropped; None when absent or unusable."""
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    return normalise(data)


def normalise(data: Any) -> Optional[Dict[str, Any]]:
    """A capture document keeping only well-formed entries, or None for the wrong shape."""
    if not isinstance(data, dict):
        return None
    version = data.get("v")
    if isinstance(version, bool) or version != VERSION:
        return None
    windows_in = data.get("windows")
    sessions_in = data.get("sessions")
    if not isinstance(windows_in, dict) or not isinstance(sessions_in, dict):
        return None
    windows: Dict[str, Any] = {}
    for key, entry in windows_in.items():
        clean = _window(entry)
        if isinstance(key, str) and clean is not None:
            windows[key] = clean
    sessions: Dict[str, Any] = {}
    for key, entry in sessions_in.items():
        clean = _session(entry)
        if isinstance(key, str) and len(key) == 12 and clean is not None:
            sessions[key] = clean
    version_text = data.get("claude_code_version")
    config_dir = data.get("config_dir")
    updated_at = data.get("updated_at")
    return {
        "v": VERSION,
        "config_dir": config_dir if isinstance(config_dir, str) else None,
        "claude_code_version": version_text if isinstance(version_text, str) else None,
        "updated_at": updated_at if iso_epoch(updated_at) is not None else None,
        "windows": windows,
        "sessions": sessions,
    }


def _window(entry: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(entry, dict):
        return None
    used = clean_percent(entry.get("used_percent"))
    resets = number(entry.get("resets_at"))
    observed, seen = entry.get("observed_at"), entry.get("last_seen_at")
    if used is None or resets is None or resets <= 0 or iso_epoch(observed) is None:
        return None
    return {
        "used_percent": used,
        "resets_at": int(resets),
        "observed_at": observed,
        "last_seen_at": seen if iso_epoch(seen) is not None else observed,
    }


def _session(entry: Any) -> Optional[Dict[str, Any]]:
    if not isinstance(entry, dict) or iso_epoch(entry.get("seen")) is None:
        return None
    return {
        "api_ms": number(entry.get("api_ms")),
        "out_tokens": number(entry.get("out_tokens")),
        "seen": entry["seen"],
    }


def write_capture(path: str, document: Dict[str, Any]) -> None:
    """Replace the capture atomically (private file in a private directory)."""
    write_private(path, json.dumps(document, indent=2).encode("utf-8") + b"\n")


def write_private(path: str, data: bytes) -> None:
    """``data`` to ``path`` through a unique temporary file: 0600 in a 0700 directory."""
    directory = os.path.dirname(path)
    if not os.path.isdir(directory):
        from pathlib import Path

        from ..state import make_private_dir

        make_private_dir(Path(directory))
    from ..store import atomic_write_bytes

    atomic_write_bytes(path, data, mode=0o600)
