"""Measure the statusline hook: Claude Code's payload on stdin, against a bare interpreter.

Run: ``python bench/statusline.py [--runs N]`` (PYTHONPATH at the project, or vibeusage
installed). A throw-away HOME, state and cache hold the capture and a cached snapshot of
another provider; the payload is Claude Code's real shape with resets in the future.
Bytecode is cached in the temporary folder, as an installed package has it. Prints the
median wall time of each form and its ratio to ``python -c pass`` (target:
hook <= 2x bare and under 60 ms).
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
from typing import Dict, List, Optional, Tuple

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "claude" / "statusline-rate-limits.json"


def medians_ms(
    commands: Dict[str, Tuple[List[str], Optional[bytes]]], runs: int, env: Dict[str, str]
) -> Dict[str, float]:
    """Median wall time of each command; the commands take turns, so machine load hits all."""
    samples: Dict[str, List[float]] = {label: [] for label in commands}
    for index in range(runs + 1):  # the first round warms caches and writes bytecode
        for label, (command, stdin) in commands.items():
            started = time.perf_counter()
            subprocess.run(command, input=stdin or b"", env=env, check=True, capture_output=True)
            if index:
                samples[label].append((time.perf_counter() - started) * 1000)
    return {label: statistics.median(values) for label, values in samples.items()}


def payload(now: float) -> bytes:
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    data["rate_limits"]["five_hour"]["resets_at"] = int(now) + 2 * 3600
    data["rate_limits"]["seven_day"]["resets_at"] = int(now) + 4 * 86400
    return json.dumps(data).encode("utf-8")


def cached_codex(cache: Path) -> None:
    """A snapshot of another provider, as the snapshot cache keeps it."""
    now = datetime.now(timezone.utc)
    snapshot = {
        "provider": "codex",
        "fetched_at": (now - timedelta(minutes=3)).isoformat(),
        "source": "oauth",
        "periods": [
            {
                "name": "Weekly",
                "utilization": 12,
                "period_type": "weekly",
                "resets_at": (now + timedelta(days=3)).isoformat(),
                "model": None,
            }
        ],
    }
    (cache / "snapshots").mkdir(parents=True)
    document = {"schema_version": 1, "snapshot": snapshot}
    (cache / "snapshots" / "codex.json").write_text(json.dumps(document), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cached_codex(root / "cache")
        env = dict(
            os.environ,
            HOME=str(root),
            VIBEUSAGE_STATE_DIR=str(root / "state"),
            VIBEUSAGE_CACHE_DIR=str(root / "cache"),
            VIBEUSAGE_CONFIG_DIR=str(root / "config"),
            PYTHONPATH=str(ROOT),
        )
        env.pop("CLAUDE_CONFIG_DIR", None)
        # Bytecode as an installed package has it (this machine may forbid writing it).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        body = payload(time.time())
        module = [sys.executable, "-m", "vibeusage"]
        commands: Dict[str, Tuple[List[str], Optional[bytes]]] = {
            "python -c pass": ([sys.executable, "-c", "pass"], None),
            "hook (payload on stdin, plain)": ([*module, "statusline"], body),
            "hook, --format ansi": ([*module, "statusline", "--format", "ansi"], body),
            "own line (no stdin)": ([*module, "statusline"], None),
            "own line --format tmux": ([*module, "statusline", "--format", "tmux"], None),
            "vibeusage --version": ([*module, "--version"], None),
        }
        took = medians_ms(commands, args.runs, env)
        bare = took["python -c pass"]
        for label, value in took.items():
            print(f"{label:34} {value:7.1f} ms  ({value / bare:.2f}x bare)")


if __name__ == "__main__":
    main()
