"""Ctrl-C at random moments of runs whose strategy hangs: every run must end within 1 s.

Run: ``python bench/sigint_stress.py [--runs 100]`` from the repository. Each run starts
``vibeusage`` in a child interpreter with one provider whose strategy starts a ``sleep``
child and then hangs, sends SIGINT after a random delay (0 to 0.6 s: during start-up,
while the workers start, or while the strategy hangs), and checks that the run exits
within a second, that the strategy's child is gone, that no thread kept the process
alive, and that the failure gate file was never written (a cancelled run is not a
provider failure). POSIX only.
"""

import argparse
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.providers.fake_tools import alive  # noqa: E402

#: The run that hangs (shared with the signal tests).
SCRIPT = ROOT / "tests" / "hanging_run.py"


def one_run(root: Path, delay: float) -> "tuple[float, bool, bool, int]":
    """Exit latency after SIGINT, whether a child survived, whether the gate was written."""
    pid_file = root / "child.pid"
    if pid_file.exists():
        pid_file.unlink()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT),
        HOME=str(root / "home"),
        VIBEUSAGE_CONFIG_DIR=str(root / "config"),
        VIBEUSAGE_CACHE_DIR=str(root / "cache"),
    )
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(pid_file), str(root / "out.json"), str(ROOT)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(delay)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    took = time.monotonic() - sent
    survived = False
    if pid_file.exists() and pid_file.read_text():
        child = int(pid_file.read_text())
        end = time.monotonic() + 1.0
        while alive(child) and time.monotonic() < end:
            time.sleep(0.02)
        survived = alive(child)
        if survived:
            os.kill(child, signal.SIGKILL)
    gate_written = (root / "cache" / "gate" / "slow.json").exists()
    return took, survived, gate_written, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=100)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    latencies, slow, survivors, gates, codes = [], 0, 0, 0, {}
    with tempfile.TemporaryDirectory(prefix="vibeusage-sigint-") as folder:
        root = Path(folder)
        (root / "home").mkdir()
        for _ in range(args.runs):
            took, survived, gate, code = one_run(root, rng.uniform(0.0, 0.6))
            latencies.append(took)
            slow += took > 1.0
            survivors += survived
            gates += gate
            codes[code] = codes.get(code, 0) + 1
    print(f"runs: {args.runs}, exit codes: {dict(sorted(codes.items()))}")
    print(
        f"exit after SIGINT: median {statistics.median(latencies) * 1000:.0f} ms, "
        f"max {max(latencies) * 1000:.0f} ms, over 1 s: {slow}"
    )
    print(f"strategy children that survived: {survivors}; gate files written: {gates}")
    sys.exit(1 if slow or survivors or gates else 0)


if __name__ == "__main__":
    main()
