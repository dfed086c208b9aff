"""Measure start-up: ``vibeusage --version`` against a bare ``python -c pass``.

Run: ``python bench/startup.py [--runs N]`` with vibeusage installed (not editable: an
editable install adds an import hook to every interpreter start) in that interpreter's
environment. Prints the median wall time of each command and its ratio to bare Python
(target: <= 1.5).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from typing import List


def median_ms(command: List[str], runs: int) -> float:
    subprocess.run(command, check=True, capture_output=True)  # warm the OS caches
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()

    bare = median_ms([sys.executable, "-c", "pass"], args.runs)
    print(f"python -c pass                  {bare:7.1f} ms")
    script = shutil.which("vibeusage", path=os.path.dirname(sys.executable))
    entry = "import sys; from vibeusage.cli import main; sys.exit(main(['--version']))"
    commands = {
        "entry point main(['--version'])": [sys.executable, "-c", entry],
        "python -m vibeusage --version": [sys.executable, "-m", "vibeusage", "--version"],
    }
    if script:
        # pip's generated wrapper itself imports ``re`` before calling main().
        commands["vibeusage --version (script)"] = [script, "--version"]
    commands["vibeusage --help"] = [sys.executable, "-m", "vibeusage", "--help"]
    for label, command in commands.items():
        took = median_ms(command, args.runs)
        print(f"{label:31} {took:7.1f} ms  ({took / bare:.2f}x bare)")


if __name__ == "__main__":
    main()
