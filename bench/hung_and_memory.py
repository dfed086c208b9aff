"""Measure a hung provider and peak memory, each in a fresh process.

1. A provider whose strategy never returns, run with ``--timeout 2``: wall time until the
   process has exited (target: about the timeout, never held by the stuck thread).
2. Peak resident memory (ru_maxrss) of a five-provider run with 300 ms of simulated latency
   each, against a bare ``python -c pass``.

Run: ``python bench/hung_and_memory.py [--runs 5]``.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Tuple

ROOT = Path(__file__).resolve().parent.parent

HUNG = """
import sys, threading
sys.path.insert(0, sys.argv[1])
from tests.fakes import FakeStrategy, fake_provider
import vibeusage.providers
never = threading.Event()
provider = fake_provider("hung", [FakeStrategy("hung", hang=never)])
vibeusage.providers.all_providers = lambda: (provider,)
from vibeusage.cli import main
sys.exit(main(["hung", "--json", "--timeout", "2"]))
"""

FIVE = """
import sys
sys.path.insert(0, sys.argv[1])
from tests.fakes import FakeStrategy, fake_provider
import vibeusage.providers
providers = [fake_provider(f"p{i}", [FakeStrategy(f"p{i}", delay=0.3)]) for i in range(5)]
vibeusage.providers.all_providers = lambda: tuple(providers)
from vibeusage.cli import main
sys.exit(main(["--json", "--refresh"]))
"""


def run_child(code: str, env: Dict[str, str]) -> Tuple[float, int, int]:
    """(wall seconds, exit code, peak RSS in KiB) of one child process."""
    started = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-c", code, str(ROOT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(proc.pid, 0)  # POSIX: the child's own resource usage
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - started, proc.returncode, usage.ru_maxrss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="vibeusage-bench-")
    env = dict(
        os.environ,
        HOME=tmp,
        VIBEUSAGE_CONFIG_DIR=f"{tmp}/config",
        VIBEUSAGE_CACHE_DIR=f"{tmp}/cache",
    )
    hung = [run_child(HUNG, env) for _ in range(args.runs)]
    codes = {code for _, code, _ in hung}
    print(
        f"hung provider, --timeout 2: median {statistics.median(t for t, _, _ in hung):.2f} s "
        f"to process exit (exit codes {sorted(codes)})"
    )
    bare = [run_child("pass", env)[2] for _ in range(args.runs)]
    five = [run_child(FIVE, env) for _ in range(args.runs)]
    print(f"peak RSS, python -c pass:         {statistics.median(bare) / 1024:6.1f} MiB")
    print(
        f"peak RSS, five providers (300 ms): {statistics.median(r for _, _, r in five) / 1024:6.1f}"
        f" MiB, median wall {statistics.median(t for t, _, _ in five):.2f} s"
    )


if __name__ == "__main__":
    main()
