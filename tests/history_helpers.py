"""Builders for hand-written ledgers and snapshots used by the history tests."""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional

from vibeusage.history.line import LineParser, Record
from vibeusage.models import PeriodType, ProviderIdentity, UsagePeriod, UsageSnapshot

T0 = datetime(2026, 9, 1, tzinfo=timezone.utc)
MACHINE = "6f1c2a9e0b7d4e11"


def at(days: float = 0, hours: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
    """A moment relative to T0 (1 Sep 2026, 00:00 UTC)."""
    return T0 + timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def iso(moment: Optional[datetime]) -> Optional[str]:
    return None if moment is None else moment.isoformat()


def line(
    observed: datetime,
    used: Any,
    resets: Optional[datetime],
    window: str = "Weekly",
    provider: str = "claude",
    account: Optional[str] = None,
    period_type: str = "weekly",
    ts: Optional[datetime] = None,
    **extra: Any,
) -> Dict[str, Any]:
    """A ledger line object (``ts`` defaults to the observation time)."""
    data: Dict[str, Any] = {
        "v": 1,
        "ts": iso(ts or observed),
        "machine": MACHINE,
        "provider": provider,
        "account": account,
        "window": window,
        "period_type": period_type,
        "model": None,
        "used_percent": used,
        "resets_at": iso(resets),
        "observed_at": iso(observed),
        "source": "oauth",
        "plan": None,
    }
    data.update(extra)
    return data


def write_ledger(directory: Path, lines: Iterable[Dict[str, Any]]) -> Path:
    """Append the lines to the segments of their ``ts`` month; returns ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for data in lines:
        ts = datetime.fromisoformat(data["ts"])
        path = directory / f"{ts.year:04d}-{ts.month:02d}.jsonl"
        with open(path, "ab") as handle:
            handle.write(json.dumps(data).encode() + b"\n")
    return directory


def records(lines: Iterable[Dict[str, Any]], now: Optional[datetime] = None) -> List[Record]:
    """The lines as parsed records, sorted by observation time (read 60 days after T0)."""
    parser = LineParser(now or at(days=60))
    parsed = [parser.parse_object(data) for data in lines]
    assert all(r is not None for r in parsed), "a helper line did not parse"
    return sorted((r for r in parsed if r is not None), key=lambda r: r.observed_at)


def snapshot(
    fetched_at: datetime,
    *periods: UsagePeriod,
    provider: str = "claude",
    email: Optional[str] = "person@example.com",
    plan: Optional[str] = "Max 5x",
) -> UsageSnapshot:
    return UsageSnapshot(
        provider,
        fetched_at,
        periods,
        identity=ProviderIdentity(email=email, organization="Acme Corp", plan=plan),
        source="oauth",
    )


def weekly(used: int, resets: Optional[datetime], name: str = "Weekly") -> UsagePeriod:
    return UsagePeriod(name, used, PeriodType.WEEKLY, resets)


def session(used: int, resets: Optional[datetime]) -> UsagePeriod:
    return UsagePeriod("Session (5h)", used, PeriodType.SESSION, resets)


ROOT = Path(__file__).resolve().parent.parent

#: Prepended to a script run by :func:`run_together`: waits at a start line shared by all.
_BARRIER = """
import sys, time
from pathlib import Path
_ready, _go = Path(sys.argv[1]), Path(sys.argv[2])
_ready.touch()
_deadline = time.monotonic() + 30
while not _go.exists() and time.monotonic() < _deadline:
    time.sleep(0.002)
sys.argv[1:] = sys.argv[3:]
"""


def run_together(
    script: str, argvs: List[List[str]], workdir: Path, timeout: float = 60
) -> List[str]:
    """Run ``script`` once per argv in separate processes released at the same moment;
    returns their stdout (each must exit 0)."""
    import os
    import subprocess
    import sys
    import time

    env = dict(os.environ, PYTHONPATH=str(ROOT))
    go = workdir / "go"
    ready = [workdir / f"ready-{i}" for i in range(len(argvs))]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _BARRIER + script, str(flag), str(go), *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for flag, argv in zip(ready, argvs)
    ]
    deadline = time.monotonic() + timeout
    while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    outputs = []
    for proc in procs:
        out, err = proc.communicate(timeout=max(1.0, deadline - time.monotonic()))
        assert proc.returncode == 0, err
        outputs.append(out)
    return outputs
