"""A Codex session log holding one recent reading, for tests that need local data (no network)."""

import json
from datetime import timedelta
from pathlib import Path

from vibeusage.timeparse import utcnow


def write_recent_reading(codex_home: Path, used_percent: float = 27.0) -> Path:
    """Today's rollout under ``codex_home`` with a weekly reading from a minute ago."""
    now = utcnow()
    event = {
        "timestamp": (now - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "type": "event_msg",
        "payload": {
            "type": "token_count",
            "info": None,
            "rate_limits": {
                "primary": {
                    "used_percent": used_percent,
                    "window_minutes": 10080,
                    "resets_at": int((now + timedelta(days=3)).timestamp()),
                },
                "secondary": None,
            },
        },
    }
    folder = codex_home / "sessions" / now.strftime("%Y/%m/%d")
    folder.mkdir(parents=True)
    path = folder / "rollout-2026-01-01T00-00-00-0001.jsonl"
    path.write_text(json.dumps(event) + "\n", encoding="utf-8")
    return path
