"""Measure the history ledger: append and read speed, read memory, a simulated year.

Run: ``python bench/history.py [--records 100000] [--runs 5] [--year]``.

- append: 100k lines through the segment appender, 15 a call (5 providers x 3 windows);
- record: ``record()`` calls with every window changing (lock, last.json, fsync included);
- read: ``read_ledger`` of those 100k lines, then the ``history --json`` document;
- memory: tracemalloc peak while reading them;
- year (``--year``): 5 providers x 3 windows observed every minute for a year, written
  change-only by the recorder's own rule, then ledger size per month and the time of
  ``history --since 30d`` (target: under 0.3 s), and of the whole command in a fresh
  interpreter (start-up, reading, text or JSON written to a pipe).
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vibeusage.history.document import history_document  # noqa: E402
from vibeusage.history.line import Record, encode_line  # noqa: E402
from vibeusage.history.reader import read_ledger  # noqa: E402
from vibeusage.history.record import needs_line, record  # noqa: E402
from vibeusage.history.segments import append_lines, segment_path  # noqa: E402
from vibeusage.history.since import parse_since  # noqa: E402
from vibeusage.history.view import build_history  # noqa: E402
from vibeusage.models import PeriodType, ProviderIdentity, UsagePeriod, UsageSnapshot  # noqa: E402

MACHINE = "6f1c2a9e0b7d4e11"
PROVIDERS = ("claude", "codex", "copilot", "cursor", "gemini")
WINDOWS = (("Session (5h)", "session"), ("Weekly", "weekly"), ("Monthly", "monthly"))
START = datetime(2026, 1, 1, tzinfo=timezone.utc)


def median_of(runs: int, action: Callable[[], float]) -> float:
    return statistics.median(action() for _ in range(runs))


def synthetic_lines(count: int) -> List[bytes]:
    """``count`` distinct lines, 15 per minute, over consecutive minutes."""
    lines = []
    for n in range(count):
        minute, slot = divmod(n, 15)
        provider = PROVIDERS[slot // 3]
        window, period_type = WINDOWS[slot % 3]
        moment = START + timedelta(minutes=minute)
        lines.append(
            encode_line(
                Record(
                    ts=moment,
                    machine=MACHINE,
                    provider=provider,
                    account="a1b2c3d4e5f6a7b8",
                    window=window,
                    period_type=period_type,
                    model=None,
                    used_percent=float(minute % 100),
                    resets_at=START + timedelta(days=7 * (1 + minute // 10080)),
                    observed_at=moment,
                    source="oauth",
                    plan="Max 5x",
                )
            )
        )
    return lines


def bench_append(lines: List[bytes], runs: int) -> float:
    def once() -> float:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "2026-01.jsonl"
            started = time.perf_counter()
            for i in range(0, len(lines), 15):
                append_lines(path, lines[i : i + 15])
            return time.perf_counter() - started

    return median_of(runs, once)


def bench_record(calls: int, runs: int) -> float:
    def once() -> float:
        with tempfile.TemporaryDirectory() as tmp:
            directory = Path(tmp)
            started = time.perf_counter()
            for n in range(calls):
                moment = START + timedelta(minutes=n)
                snaps = [
                    UsageSnapshot(
                        provider,
                        moment,
                        tuple(
                            UsagePeriod(w, n % 100, PeriodType(t), START + timedelta(days=7))
                            for w, t in WINDOWS
                        ),
                        identity=ProviderIdentity("someone@example.com"),
                    )
                    for provider in PROVIDERS
                ]
                record(directory, MACHINE, snaps, moment)
            return (time.perf_counter() - started) / calls

    return median_of(runs, once)


def bench_read(directory: Path, since: datetime, now: datetime, runs: int) -> Dict[str, float]:
    def read() -> float:
        started = time.perf_counter()
        read_ledger(directory, since, now)
        return time.perf_counter() - started

    def document() -> float:
        started = time.perf_counter()
        view = build_history(read_ledger(directory, since, now), since, now)
        json.dumps(history_document(view, MACHINE))
        return time.perf_counter() - started

    tracemalloc.start()
    result = read_ledger(directory, since, now)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "records": len(result.records),
        "read_s": median_of(runs, read),
        "document_s": median_of(runs, document),
        "peak_mib": peak / 2**20,
    }


#: The CLI in a fresh interpreter at a fixed clock (the clock, then argv, as arguments).
_COMMAND = """
import os, sys
from datetime import datetime
from vibeusage.cli import Terminal, run
now = datetime.fromisoformat(sys.argv[1])
sys.exit(run(sys.argv[2:], Terminal(sys.stdout, sys.stderr), os.environ, clock=lambda: now))
"""


def run_command(state: Path, now: datetime, argv: List[str]) -> float:
    """Seconds for one ``vibeusage`` command in a new process (interpreter start included)."""
    import os
    import subprocess

    root = str(Path(__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONPATH=root, VIBEUSAGE_STATE_DIR=str(state))
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", _COMMAND, now.isoformat(), *argv],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def simulate_year(directory: Path, end: datetime) -> None:
    """Every minute of the year before ``end``, 5 providers x 3 windows: work on weekdays
    9-17 UTC raises the session 1 point every 3 minutes, the week every 30, the month every
    2 hours (then capped at 100 until the reset)."""
    last: Dict[tuple, Record] = {}
    used = {(p, w): 0 for p in PROVIDERS for w, _ in WINDOWS}
    pending: Dict[Path, List[bytes]] = {}
    minute = timedelta(minutes=1)
    moment = end.replace(year=end.year - 1)
    while moment < end:
        working = moment.weekday() < 5 and 9 <= moment.hour < 17
        minutes = int((moment - START).total_seconds() // 60)
        resets = {
            "session": START + timedelta(hours=5 * (minutes // 300 + 1)),
            "weekly": START + timedelta(days=7 * (minutes // 10080 + 1)),
            "monthly": (moment.replace(day=1, hour=0, minute=0) + timedelta(days=32)).replace(
                day=1
            ),
        }
        for provider in PROVIDERS:
            for window, period_type in WINDOWS:
                key = (provider, window)
                reset = resets[period_type]
                previous = last.get((provider, None, window))
                if previous is not None and previous.resets_at != reset:
                    used[key] = 0
                step = {"session": 3, "weekly": 30, "monthly": 120}[period_type]
                if working and minutes % step == 0:
                    used[key] = min(100, used[key] + 1)
                current = Record(
                    moment, MACHINE, provider, None, window, period_type, None,
                    float(used[key]), reset, moment, "oauth", "Max 5x",
                )  # fmt: skip
                if needs_line(previous, current):
                    pending.setdefault(segment_path(directory, moment), []).append(
                        encode_line(current)
                    )
                    last[current.series] = current
        if moment.minute == 0 and moment.hour == 0:
            for path, lines in pending.items():
                append_lines(path, lines)
            pending.clear()
        moment += minute
    for path, lines in pending.items():
        append_lines(path, lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record-calls", type=int, default=300)
    parser.add_argument("--year", action="store_true", help="also simulate a year of recording")
    args = parser.parse_args()

    lines = synthetic_lines(args.records)
    size = sum(len(line) for line in lines)
    print(f"{args.records} lines, {size / 2**20:.1f} MiB ({size / args.records:.0f} B/line)")
    append_s = bench_append(lines, args.runs)
    print(f"append: {append_s:.3f} s median ({append_s / args.records * 1e6:.1f} us/line)")
    per_call = bench_record(args.record_calls, max(1, args.runs // 2))
    print(f"record(): {per_call * 1000:.2f} ms per call of 5 providers x 3 windows, all changed")

    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        append_lines(directory / "2026-01.jsonl", lines)
        last = START + timedelta(minutes=args.records // 15)
        figures = bench_read(directory, START - timedelta(days=1), last, args.runs)
        print(
            f"read {figures['records']} records: {figures['read_s']:.3f} s median; "
            f"history --json document: {figures['document_s']:.3f} s; "
            f"peak memory {figures['peak_mib']:.1f} MiB"
        )

    if args.year:
        with tempfile.TemporaryDirectory() as tmp:
            state = Path(tmp)
            directory = state / "history" / MACHINE
            directory.mkdir(parents=True)
            (state / "machine-id").write_text(MACHINE + "\n", encoding="ascii")
            now = datetime(2026, 12, 21, tzinfo=timezone.utc)  # 30 days span two segments
            started = time.perf_counter()
            simulate_year(directory, now)
            print(f"simulated year written in {time.perf_counter() - started:.1f} s")
            for path in sorted(directory.glob("*.jsonl")):
                count = path.read_bytes().count(b"\n")
                print(f"  {path.name}: {path.stat().st_size / 2**20:.2f} MiB, {count} lines")
            since = parse_since("30d", now)
            figures = bench_read(directory, since, now, args.runs)
            print(
                f"history --since 30d ({figures['records']} records read): "
                f"read {figures['read_s']:.3f} s, document {figures['document_s']:.3f} s "
                f"(target < 0.3 s), peak {figures['peak_mib']:.1f} MiB"
            )
            for extra in ([], ["--json"]):
                argv = ["history", "--since", "30d", *extra]
                seconds = median_of(args.runs, lambda argv=argv: run_command(state, now, argv))
                print(f"vibeusage {' '.join(argv)}, whole process: {seconds:.3f} s median")


if __name__ == "__main__":
    main()
