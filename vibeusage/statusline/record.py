"""The install record (§5.3): what ``statusline install`` replaced, for the chain and uninstall.

``{"v": 1, "config_dir", "settings_file", "installed_command", "previous": {...} | null,
"installed_at"}``. Read on every hook call (to find the command to chain), so kept light.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

RECORD_VERSION = 1


def read_record(path: str) -> Optional[Dict[str, Any]]:
    """The install record, or None when absent or unusable (a newer ``v`` included)."""
    try:
        with open(path, "rb") as handle:
            data = json.loads(handle.read().decode("utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("v") != RECORD_VERSION:
        return None
    if isinstance(data.get("v"), bool) or not isinstance(data.get("installed_command"), str):
        return None
    previous = data.get("previous")
    if previous is not None and not isinstance(previous, dict):
        return None
    return data


def chained_command(record: Optional[Dict[str, Any]]) -> Optional[str]:
    """The previous command the hook runs after capturing, if the record names one."""
    previous = record.get("previous") if record else None
    command = previous.get("command") if isinstance(previous, dict) else None
    return command if isinstance(command, str) and command.strip() else None


def make_record(
    config_dir: str,
    settings_file: str,
    command: str,
    previous: Optional[Dict[str, Any]],
    now: float,
) -> Dict[str, Any]:
    from .values import iso_utc

    return {
        "v": RECORD_VERSION,
        "config_dir": config_dir,
        "settings_file": settings_file,
        "installed_command": command,
        "previous": previous,
        "installed_at": iso_utc(now),
    }
