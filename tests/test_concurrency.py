"""Overlapping runs: locks, no lost gate updates, every cache file valid afterwards."""

import json
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from vibeusage.locking import file_lock

ROOT = Path(__file__).resolve().parent.parent
POSIX_ONLY = pytest.mark.skipif(sys.platform.startswith("win"), reason="uses fork-safe POSIX locks")


def _spawn(script: str, env_extra: dict) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **env_extra)
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(script)],
        cwd=str(ROOT),
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_lock_is_exclusive_within_a_process(tmp_path):
    path = tmp_path / "x.lock"
    with file_lock(path, 1.0) as first:
        assert first is True
        started = time.monotonic()
        # flock locks belong to the open file description: a second open waits.
        with file_lock(path, 0.3) as second:
            assert second is False
        assert time.monotonic() - started >= 0.25
    with file_lock(path, 0.1) as again:
        assert again is True


@POSIX_ONLY
def test_lock_held_by_another_process_is_waited_for(tmp_path):
    path = tmp_path / "held.lock"
    holder = _spawn(
        f"""
        import time
        from vibeusage.locking import file_lock
        with file_lock(__import__("pathlib").Path({str(path)!r}), 5) as ok:
            print("held", ok, flush=True)
            time.sleep(0.8)
        """,
        {},
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "held True"
    started = time.monotonic()
    with file_lock(path, 5.0) as acquired:
        waited = time.monotonic() - started
    holder.wait(10)
    assert acquired is True
    assert 0.3 < waited < 3.0


def test_unlockable_path_yields_false_instead_of_failing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    with file_lock(blocker / "sub" / "x.lock", 0.1) as acquired:
        assert acquired is False


GATE_WRITER = """
import sys
from datetime import datetime, timezone
from pathlib import Path
from vibeusage.cache import FailureGate
gate = FailureGate(Path(sys.argv[1]))
name = sys.argv[2]
now = datetime(2026, 1, 1, tzinfo=timezone.utc)
for _ in range(20):
    gate.record_failure("p", now, "boom", retry_after=60, strategy=name)
    gate.record_success("p", name)
gate.record_failure("p", now, "boom", retry_after=60, strategy=name)
"""


@POSIX_ONLY
def test_eight_processes_updating_one_gate_file_lose_no_update(tmp_path):
    gate_dir = tmp_path / "gate"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", GATE_WRITER, str(gate_dir), f"s{i}"],
            cwd=str(ROOT),
            env=dict(os.environ, PYTHONPATH=str(ROOT)),
        )
        for i in range(8)
    ]
    assert all(p.wait(60) == 0 for p in procs)
    data = json.loads((gate_dir / "p.json").read_text(encoding="utf-8"))
    assert sorted(data) == [f"s{i}" for i in range(8)]
    assert [p.name for p in gate_dir.iterdir() if p.suffix == ".tmp"] == []


RUNNER = """
import sys, time
from tests.fakes import FakeStrategy, fake_provider
import vibeusage.providers
providers = [fake_provider(pid, [FakeStrategy(pid, delay=0.01)]) for pid in ("a", "b", "c")]
vibeusage.providers.all_providers = lambda: tuple(providers)
from vibeusage.cli import main
codes = [main(["--json", "--refresh", "-o", sys.argv[1]]) for _ in range(5)]
sys.exit(max(codes))
"""


@POSIX_ONLY
def test_eight_overlapping_runs_leave_only_valid_files(tmp_path, home):
    output = tmp_path / "out" / "usage.json"
    output.parent.mkdir()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RUNNER, str(output)],
            cwd=str(ROOT),
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    for proc in procs:
        _, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    assert json.loads(output.read_text(encoding="utf-8"))["providers"].keys() == {"a", "b", "c"}
    assert [p.name for p in output.parent.iterdir()] == ["usage.json"]
    files = [p for p in home.cache_dir.rglob("*") if p.is_file() and p.suffix == ".json"]
    assert {p.name for p in files if p.parent.name == "snapshots"} == {"a.json", "b.json", "c.json"}
    for path in files:
        json.loads(path.read_text(encoding="utf-8"))  # every file parses
    assert [p for p in home.cache_dir.rglob("*.tmp")] == []
