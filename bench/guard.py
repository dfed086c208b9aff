"""Measure ``vibeusage guard`` answered by a fresh cache against ``vibeusage --version``.

Builds a temporary home whose snapshot cache holds a Claude snapshot a few seconds old,
then times ``python -m vibeusage --version`` and ``python -m vibeusage guard claude`` (the
agent-loop case: no request, no strategy code). Also checks, in one more run, which
modules the guard run imported. Run: ``python bench/guard.py [--runs N]``.
Target: guard within 2x of ``--version``; ``requests`` never imported.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, List

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vibeusage.cache import SnapshotCache  # noqa: E402
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot  # noqa: E402

PROBE = (
    "import io, json, sys, contextlib\n"
    "from vibeusage.cli import main\n"
    "with contextlib.redirect_stdout(io.StringIO()):\n"
    "    code = main(['guard', 'claude'])\n"
    "print(json.dumps({'code': code, 'modules': sorted(sys.modules)}))\n"
)


def median_ms(command: List[str], env: Dict[str, str], runs: int) -> float:
    subprocess.run(command, env=env, capture_output=True)  # warm the OS caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, env=env, capture_output=True)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vibeusage-bench-") as tmp:
        home = Path(tmp)
        env = dict(
            os.environ,
            HOME=str(home),
            VIBEUSAGE_CONFIG_DIR=str(home / "config"),
            VIBEUSAGE_CACHE_DIR=str(home / "cache"),
            PYTHONPATH=str(ROOT),
        )
        now = datetime.now(timezone.utc)
        weekly = UsagePeriod("Weekly", 40, PeriodType.WEEKLY, now + timedelta(days=3))
        snapshot = UsageSnapshot("claude", now, (weekly,), source="oauth")
        SnapshotCache(home / "cache" / "snapshots").save(snapshot)

        python = [sys.executable, "-m", "vibeusage"]
        bare = median_ms([sys.executable, "-c", "pass"], env, args.runs)
        version = median_ms([*python, "--version"], env, args.runs)
        guard = median_ms([*python, "guard", "claude"], env, args.runs)
        probe = subprocess.run(
            [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, check=True
        )
        report = json.loads(probe.stdout.strip().splitlines()[-1])
    print(f"python -c pass                 {bare:7.1f} ms")
    print(f"vibeusage --version            {version:7.1f} ms")
    print(f"vibeusage guard claude (cache) {guard:7.1f} ms  ({guard / version:.2f}x --version)")
    heavy = [m for m in ("requests", "urllib3", "ssl", "tabulate") if m in report["modules"]]
    strategies = [
        m for m in report["modules"] if m.startswith("vibeusage.providers.") and m.count(".") > 2
    ]
    print(f"exit code {report['code']}; heavy imports: {heavy or 'none'}; "
          f"strategy modules: {strategies or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
