"""Start-up cost of vibeusage's quick commands, as ratios to a bare interpreter (paired A/B).

Run: ``python bench/startup.py [--runs N]`` from the repository. The package is installed
(not editable: an editable install adds an import hook to every start) into a throw-away
folder put on ``PYTHONPATH`` for both sides of each pair, and both sides run in a fresh
virtual environment of the base interpreter (so no other project's ``.pth`` hooks count).
Each run of a command is paired with a run of its baseline right before it, in alternating
order, so that a machine getting busier affects both sides alike; the figure is the median
of the per-pair ratios.

Targets (issue: foundation): ``--version`` <= 1.2x ``python -c "import re"`` (pip's
console-script wrapper imports ``re``); ``--help``, ``status --help``, ``completion
bash``, ``--offline --json`` <= 2.5x ``python -c pass``; ``python -m vibeusage
--version`` <= 1.2x ``python -m`` of an empty package.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Sequence, Tuple

ROOT = Path(__file__).resolve().parent.parent


def install(target: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), "."],
        cwd=str(ROOT),
        check=True,
    )
    empty = target / "emptypkg"
    empty.mkdir()
    (empty / "__init__.py").write_text("")
    (empty / "__main__.py").write_text("")


def timed(command: Sequence[str], env: Dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, env=env, check=False, capture_output=True)
    return (time.perf_counter() - started) * 1000


def paired(
    command: Sequence[str], baseline: Sequence[str], env: Dict[str, str], runs: int
) -> Tuple[float, float, float]:
    """Median ms of the command, of its baseline, and median of the per-pair ratios."""
    timed(command, env), timed(baseline, env)  # warm the OS caches
    ours, bare, ratios = [], [], []
    for index in range(runs):
        if index % 2:
            a, b = timed(command, env), timed(baseline, env)
        else:
            b, a = timed(baseline, env), timed(command, env)
        ours.append(a)
        bare.append(b)
        ratios.append(a / b)
    return statistics.median(ours), statistics.median(bare), statistics.median(ratios)


def seed_cache(cache: Path) -> None:
    """One cached snapshot, so that ``--offline --json`` has something to print."""
    snapshots = cache / "snapshots"
    snapshots.mkdir(parents=True)
    now = "2026-01-16T10:30:00+00:00"
    document = {
        "schema_version": 1,
        "snapshot": {
            "provider": "claude",
            "fetched_at": now,
            "source": "oauth",
            "periods": [{"name": "Weekly", "utilization": 5, "period_type": "weekly"}],
        },
    }
    (snapshots / "claude.json").write_text(json.dumps(document))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vibeusage-bench-") as folder:
        root = Path(folder)
        target = root / "site"
        install(target)
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
        py = str(root / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python")
        home = root / "home"
        home.mkdir()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "PYTHONPATH": str(target),
            "HOME": str(home),
            "VIBEUSAGE_CONFIG_DIR": str(root / "config"),
            "VIBEUSAGE_CACHE_DIR": str(root / "cache"),
            "VIBEUSAGE_STATE_DIR": str(root / "state"),
            "PYTHONDONTWRITEBYTECODE": "",
        }
        seed_cache(root / "cache")
        entry = "import sys; from vibeusage.cli import main; sys.exit(main(sys.argv[1:]))"
        bare = [py, "-c", "pass"]
        cases: List[Tuple[str, List[str], List[str], float]] = [
            ("--version", [py, "-c", entry, "--version"], [py, "-c", "import re"], 1.2),
            (
                "python -m vibeusage --version",
                [py, "-m", "vibeusage", "--version"],
                [py, "-m", "emptypkg"],
                1.2,
            ),
            ("--help", [py, "-c", entry, "--help"], bare, 2.5),
            ("status --help", [py, "-c", entry, "status", "--help"], bare, 2.5),
            ("completion bash", [py, "-c", entry, "completion", "bash"], bare, 2.5),
            ("--offline --json", [py, "-c", entry, "--offline", "--json"], bare, 2.5),
        ]
        print(f"{'command':32} {'ours ms':>8} {'base ms':>8} {'ratio':>6} target")
        for label, command, baseline, target_ratio in cases:
            ours, base, ratio = paired(command, baseline, env, args.runs)
            verdict = "ok" if ratio <= target_ratio else "OVER"
            print(f"{label:32} {ours:8.1f} {base:8.1f} {ratio:6.2f} <= {target_ratio} {verdict}")


if __name__ == "__main__":
    main()
