"""Builders for the statusline tests: Claude Code's payloads, captures and cached snapshots."""

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Optional

from tests.conftest import Home, load_fixture
from vibeusage.cache import SnapshotCache
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot
from vibeusage.statusline.location import capture_file, config_key, install_record_file

#: 2026-09-20T13:12:00Z; the fixture's five-hour window resets at 16:00, the weekly on the 26th.
NOW = datetime(2026, 9, 20, 13, 12, tzinfo=timezone.utc)
FIVE_RESET = 1789920000
WEEK_RESET = 1790400000


def clock(moment: datetime = NOW) -> Any:
    return lambda: moment


def payload(**changes: Any) -> Dict[str, Any]:
    """Claude Code 2.1.197's statusline input (the fixture), with top-level keys replaced."""
    data = load_fixture("claude/statusline-rate-limits.json")
    data.update(changes)
    return data


def stdin(data: Any) -> str:
    return json.dumps(data)


def state_dir() -> Path:
    return Path(os.environ["VIBEUSAGE_STATE_DIR"])


def claude_dir(home: Home) -> Path:
    return home.root / ".claude"


def capture_path(home: Home, config_dir: Optional[Path] = None) -> Path:
    real = os.path.realpath(str(config_dir or claude_dir(home)))
    return Path(capture_file(str(state_dir()), config_key(real)))


def record_path(home: Home, config_dir: Optional[Path] = None) -> Path:
    real = os.path.realpath(str(config_dir or claude_dir(home)))
    return Path(install_record_file(str(state_dir()), config_key(real)))


def read_capture_json(home: Home) -> Dict[str, Any]:
    return json.loads(capture_path(home).read_text(encoding="utf-8"))


def cache_snapshot(
    home: Home,
    provider: str,
    used: int,
    period: PeriodType = PeriodType.WEEKLY,
    fetched: datetime = NOW - timedelta(minutes=3),
    resets: Optional[datetime] = NOW + timedelta(days=3),
    name: str = "Weekly",
    source: str = "oauth",
    extra: tuple = (),
) -> UsageSnapshot:
    """Put a snapshot in the snapshot cache, as a successful run would."""
    snapshot = UsageSnapshot(
        provider,
        fetched,
        (UsagePeriod(name, used, period, resets), *extra),
        source=source,
    )
    SnapshotCache(home.cache_dir / "snapshots").save(snapshot)
    return snapshot
