"""Measure Codex's local strategy on a ~500 MB session log: wall time and peak memory.

Builds a temporary CODEX_HOME holding one rollout file of ``--size-mb`` megabytes (sparse:
a hole padded with ``truncate``, then realistic lines with the current ``token_count``
near the end and about a megabyte of tool output after it), and runs the real strategy on
it. A second file, whose only reading is at the very *start*, shows the worst case: the
whole file scanned backwards. Run: ``python bench/codex_local.py [--size-mb 500] [--runs 5]``.
Target: well under a second, and memory that does not grow with the file size.
"""

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from vibeusage.paths import resolve_paths  # noqa: E402
from vibeusage.providers.base import FetchContext  # noqa: E402
from vibeusage.providers.codex.local import CodexLocal  # noqa: E402

MB = 1024 * 1024


def stamp(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def token_count(when: datetime, used: float) -> Dict[str, Any]:
    return {
        "timestamp": stamp(when),
        "type": "event_msg",
        "payload": {
            "type": "token_count",
            "info": {
                "total_token_usage": {"input_tokens": 81234, "output_tokens": 2211},
                "model_context_window": 272000,
            },
            "rate_limits": {
                "limit_id": "codex",
                "primary": {
                    "used_percent": used,
                    "window_minutes": 300,
                    "resets_at": int((when + timedelta(hours=3)).timestamp()),
                },
                "secondary": {
                    "used_percent": 41.0,
                    "window_minutes": 10080,
                    "resets_at": int((when + timedelta(days=4)).timestamp()),
                },
                "credits": {"has_credits": False, "unlimited": False, "balance": "0"},
                "plan_type": "plus",
            },
        },
    }


def realistic_lines(when: datetime, total_bytes: int) -> bytes:
    """Tool calls and their outputs, the bulk of a real rollout file."""
    lines: List[bytes] = []
    size = 0
    turn = 0
    while size < total_bytes:
        turn += 1
        items = [
            {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
             "arguments": json.dumps({"command": ["rg", "-n", f"pattern{turn}", "src/"]})}},
            {"type": "response_item", "payload": {"type": "function_call_output",
             "call_id": f"call_{turn}", "output": ("src/module.py:12: def f(x): ...\n" * 120)}},
            {"type": "event_msg", "payload": {"type": "agent_reasoning",
             "text": "Looking at the search results to decide the next step. " * 4}},
        ]  # fmt: skip
        for item in items:
            item["timestamp"] = stamp(when)
            line = json.dumps(item).encode("utf-8") + b"\n"
            lines.append(line)
            size += len(line)
    return b"".join(lines)


def build(home: Path, now: datetime, size: int, reading_at_start: bool) -> Path:
    folder = home / "sessions" / now.strftime("%Y/%m/%d")
    folder.mkdir(parents=True, exist_ok=True)
    name = "worst" if reading_at_start else "typical"
    path = folder / f"rollout-{now.strftime('%Y-%m-%dT%H-%M-%S')}-{name}.jsonl"
    meta = {
        "timestamp": stamp(now - timedelta(hours=2)),
        "type": "session_meta",
        "payload": {"id": "0198a11b", "cwd": "/home/user/project", "cli_version": "0.169.0"},
    }
    head = json.dumps(meta).encode() + b"\n"
    if reading_at_start:
        head += json.dumps(token_count(now - timedelta(minutes=90), 12.0)).encode() + b"\n"
    tail = realistic_lines(now - timedelta(minutes=2), 256 * 1024)
    if not reading_at_start:
        tail += json.dumps(token_count(now - timedelta(minutes=1), 37.0)).encode() + b"\n"
        tail += realistic_lines(now, MB)  # the turn still running after the last reading
    with open(path, "wb") as handle:
        handle.write(head + realistic_lines(now - timedelta(hours=2), 256 * 1024))
        handle.truncate(max(size - len(tail), handle.tell()))  # sparse padding
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n" + tail)
    mtime = now.timestamp()
    os.utime(path, (mtime, mtime))
    return path


def maxrss_kib() -> int:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage // 1024 if sys.platform == "darwin" else usage  # bytes on macOS, KiB on Linux


def measure(home: Path, now: datetime, runs: int) -> Tuple[List[float], int, int, str]:
    env = {"HOME": str(home), "CODEX_HOME": str(home), "PATH": ""}
    ctx = FetchContext(
        environ=env, paths=resolve_paths(env), home=home, timeout=60.0, clock=lambda: now
    )
    strategy = CodexLocal()
    times = []
    rss_before = maxrss_kib()
    for _ in range(runs):
        started = time.perf_counter()
        result = strategy.fetch(ctx)
        times.append(time.perf_counter() - started)
        if result.snapshot is None:
            raise SystemExit(f"the local strategy failed: {result.error}")
    rss_delta = maxrss_kib() - rss_before
    tracemalloc.start()
    result = strategy.fetch(ctx)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert result.snapshot is not None
    periods = ", ".join(f"{p.name} {p.utilization}%" for p in result.snapshot.periods)
    return times, peak, rss_delta, periods


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=500)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    now = datetime.now(timezone.utc).replace(microsecond=0)
    size = args.size_mb * MB
    print(f"python {sys.version.split()[0]}, {args.runs} runs each")
    for reading_at_start in (False, True):
        with tempfile.TemporaryDirectory(prefix="vibeusage-bench-codex-") as tmp:
            home = Path(tmp)
            path = build(home, now, size, reading_at_start)
            label = "worst (reading at the start)" if reading_at_start else "typical (near the end)"
            times, peak, rss_delta, periods = measure(home, now, args.runs)
            print(
                f"{label:29} file {path.stat().st_size / MB:6.0f} MB  "
                f"median {statistics.median(times) * 1000:7.1f} ms  "
                f"min {min(times) * 1000:7.1f} ms  "
                f"tracemalloc peak {peak / 1024:6.0f} KiB  "
                f"ru_maxrss +{rss_delta} KiB  [{periods}]"
            )


if __name__ == "__main__":
    main()
