"""Measure Codex's local strategy on a large session log of real lines: time and peak memory.

Builds a temporary CODEX_HOME holding one rollout file of ``--size-mb`` megabytes made of
real JSONL lines (tool calls, tool outputs from a few bytes to tens of kilobytes, reasoning,
agent messages; no sparse padding, so every byte is a line's) and runs the real strategy
on it, warm (the file is in the page cache). Two files: "typical", whose last reading is
about a megabyte before the end (the turn still running), and "worst", whose only reading
is the second line, so the whole file is searched.

Each measurement runs in a fresh process (``--measure``), which reports the median of
``--runs`` fetches and its peak RSS growth (``ru_maxrss``) and ``tracemalloc`` peak. With
``--baseline SRC`` (another checkout of the project, e.g. ``git worktree add /tmp/old
HEAD~1``) each measurement is paired with one of SRC's, in alternating order, and the median
of the per-pair ratios is printed. Run: ``python bench/codex_local.py [--size-mb 1024]
[--pairs 5] [--baseline SRC]``. Target: <= 0.4 s warm for 1 GiB; memory that does not grow
with the file size.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Dict, List, Optional

ROOT = Path(__file__).resolve().parent.parent
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


def real_lines(when: datetime, total_bytes: int, rng: random.Random) -> bytes:
    """Tool calls and outputs of varied length, reasoning and messages: a rollout's bulk."""
    words = ["def", "return", "self", "import", "path", "value", "None", "test", "src/", "=="]
    lines: List[bytes] = []
    size = 0
    turn = 0
    while size < total_bytes:
        turn += 1
        output_lines = rng.choice([1, 3, 12, 40, 150, 600])
        output = "".join(
            f"src/module_{rng.randrange(90)}.py:{rng.randrange(900)}: "
            + " ".join(rng.choice(words) for _ in range(rng.randrange(2, 14)))
            + "\n"
            for _ in range(output_lines)
        )
        items = [
            {"type": "response_item", "payload": {"type": "function_call", "name": "shell",
             "call_id": f"call_{turn}",
             "arguments": json.dumps({"command": ["rg", "-n", f"pattern{turn}", "src/"]})}},
            {"type": "response_item", "payload": {"type": "function_call_output",
             "call_id": f"call_{turn}", "output": output}},
            {"type": "event_msg", "payload": {"type": "agent_reasoning",
             "text": "Looking at the results to decide the next step. " * rng.randrange(1, 9)}},
        ]  # fmt: skip
        if turn % 7 == 0:
            items.append(
                {"type": "event_msg", "payload": {"type": "agent_message", "message": "Done."}}
            )
        for item in items:
            item["timestamp"] = stamp(when)
            line = json.dumps(item).encode("utf-8") + b"\n"
            lines.append(line)
            size += len(line)
    return b"".join(lines)


def build(home: Path, now: datetime, size: int, reading_at_start: bool) -> Path:
    """One rollout of ``size`` bytes of real lines (a block of them written over and over)."""
    folder = home / "sessions" / now.strftime("%Y/%m/%d")
    folder.mkdir(parents=True, exist_ok=True)
    name = "worst" if reading_at_start else "typical"
    path = folder / f"rollout-{now.strftime('%Y-%m-%dT%H-%M-%S')}-{name}.jsonl"
    meta = {
        "timestamp": stamp(now - timedelta(hours=2)),
        "type": "session_meta",
        "payload": {"id": "0198a11b", "cwd": "/home/user/project", "cli_version": "0.169.0"},
    }
    rng = random.Random(size)
    head = json.dumps(meta).encode() + b"\n"
    if reading_at_start:
        head += json.dumps(token_count(now - timedelta(minutes=90), 12.0)).encode() + b"\n"
    tail = b""
    if not reading_at_start:
        tail = json.dumps(token_count(now - timedelta(minutes=1), 37.0)).encode() + b"\n"
        tail += real_lines(now, MB, rng)  # the turn still running after the last reading
    chunk = real_lines(now - timedelta(hours=1), 8 * MB, rng)
    with open(path, "wb") as handle:
        handle.write(head)
        while handle.tell() + len(chunk) + len(tail) <= size:
            handle.write(chunk)
        handle.write(tail)
    mtime = now.timestamp()
    os.utime(path, (mtime, mtime))
    return path


def measure(home: Path, runs: int) -> Dict[str, Any]:
    """In this process: the median seconds of ``runs`` fetches and the memory they took."""
    import resource
    import time
    import tracemalloc

    from vibeusage.paths import resolve_paths
    from vibeusage.providers.base import FetchContext
    from vibeusage.providers.codex.local import CodexLocal

    latest = max(p.stat().st_mtime for p in home.rglob("*.jsonl"))
    now = datetime.fromtimestamp(latest, timezone.utc)
    env = {"HOME": str(home), "CODEX_HOME": str(home), "PATH": ""}
    ctx = FetchContext(
        environ=env, paths=resolve_paths(env), home=home, timeout=60.0, clock=lambda: now
    )
    strategy = CodexLocal()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    strategy.fetch(ctx)  # warm: lazy imports, page cache
    times = []
    periods = ""
    for _ in range(runs):
        started = time.perf_counter()
        result = strategy.fetch(ctx)
        times.append(time.perf_counter() - started)
        if result.snapshot is None:
            raise SystemExit(f"the local strategy failed: {result.error}")
        periods = ", ".join(f"{p.name} {p.utilization}%" for p in result.snapshot.periods)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before
    tracemalloc.start()
    strategy.fetch(ctx)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    scale = 1024 if sys.platform == "darwin" else 1  # ru_maxrss: bytes on macOS, KiB on Linux
    return {
        "seconds": statistics.median(times),
        "rss_kib": rss // scale,
        "peak_kib": peak // 1024,
        "periods": periods,
    }


def in_child(source: Path, home: Path, runs: int) -> Dict[str, Any]:
    env = dict(os.environ, PYTHONPATH=str(source))
    command = [sys.executable, str(Path(__file__).resolve()), "--measure", str(home)]
    proc = subprocess.run(
        [*command, "--runs", str(runs)], env=env, capture_output=True, text=True, check=True
    )
    result: Dict[str, Any] = json.loads(proc.stdout)
    return result


def report(label: str, ours: List[Dict[str, Any]], base: Optional[List[Dict[str, Any]]]) -> None:
    seconds = statistics.median(r["seconds"] for r in ours)
    line = (
        f"{label:8} median {seconds * 1000:7.1f} ms  rss +{max(r['rss_kib'] for r in ours)} KiB"
        f"  tracemalloc peak {max(r['peak_kib'] for r in ours)} KiB"
    )
    if base:
        before = statistics.median(r["seconds"] for r in base)
        ratio = statistics.median(b["seconds"] / a["seconds"] for a, b in zip(ours, base))
        line += (
            f" | baseline {before * 1000:7.1f} ms rss +{max(r['rss_kib'] for r in base)} KiB"
            f"  speed-up x{ratio:.1f}"
        )
    print(f"{line}  [{ours[0]['periods']}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size-mb", type=int, default=1024)
    parser.add_argument("--runs", type=int, default=3, help="fetches per measuring process")
    parser.add_argument("--pairs", type=int, default=5, help="measuring processes per side")
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.runs)))
        return
    now = datetime.now(timezone.utc).replace(microsecond=0)
    print(f"python {sys.version.split()[0]}, {args.size_mb} MiB of real lines, warm")
    for reading_at_start in (False, True):
        with tempfile.TemporaryDirectory(prefix="vibeusage-bench-codex-") as tmp:
            home = Path(tmp)
            build(home, now, args.size_mb * MB, reading_at_start)
            ours: List[Dict[str, Any]] = []
            base: List[Dict[str, Any]] = []
            for index in range(args.pairs):
                order = [ROOT, args.baseline] if index % 2 == 0 else [args.baseline, ROOT]
                for source in order:
                    if source is None:
                        continue
                    (ours if source == ROOT else base).append(in_child(source, home, args.runs))
            report("worst" if reading_at_start else "typical", ours, base or None)


if __name__ == "__main__":
    main()
