"""Hostile files where vibeusage expects small ones: FIFOs, /dev/zero, huge sparse files.

Each case runs the real command line in a child interpreter with a time limit, so a
regression shows as a failure, not as a suite that hangs.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX FIFOs")


def run(home, *argv: str, timeout: float = 20.0):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "vibeusage", *argv],
        env=env,
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    return proc, time.monotonic() - started


def test_a_fifo_in_place_of_the_config_file_is_an_error_naming_it(home):
    home.config_dir.mkdir(parents=True)
    os.mkfifo(home.config_dir / "config.toml")
    proc, took = run(home, "config", "--json")
    assert proc.returncode == 4, proc.stderr
    assert "config.toml" in proc.stderr and "not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert took < 10


def test_a_fifo_in_place_of_a_cache_or_gate_file_is_ignored(home):
    for folder in ("snapshots", "gate"):
        (home.cache_dir / folder).mkdir(parents=True)
        os.mkfifo(home.cache_dir / folder / "claude.json")
    proc, took = run(home, "--offline", "--json")
    assert "Traceback" not in proc.stderr
    assert proc.returncode in (3, 4)  # nothing usable is cached (issue 13: exit 3)
    assert took < 10


def test_claude_credentials_linked_to_dev_zero_are_refused_naming_the_file(home):
    folder = home.root / ".claude"
    folder.mkdir()
    (folder / ".credentials.json").symlink_to("/dev/zero")
    proc, took = run(home, "claude", "--json")
    assert proc.returncode == 2, proc.stderr
    document = json.loads(proc.stdout)
    assert ".credentials.json" in document["error"]["message"]
    assert "not a regular file" in document["error"]["message"]
    assert took < 10


def test_a_huge_sparse_snapshot_is_not_read(home):
    folder = home.cache_dir / "snapshots"
    folder.mkdir(parents=True)
    path = folder / "claude.json"
    with open(path, "wb") as handle:
        handle.seek(2 * 1024**3)
        handle.write(b"}")
    proc, took = run(home, "--offline", "--json")
    assert "Traceback" not in proc.stderr
    assert took < 10


def test_a_gh_hosts_file_that_is_a_fifo_does_not_block_copilot(home):
    gh = home.root / ".config" / "gh"
    gh.mkdir(parents=True)
    os.mkfifo(gh / "hosts.yml")
    proc, took = run(home, "copilot", "--json")
    assert "Traceback" not in proc.stderr
    assert proc.returncode == 2, proc.stderr
    assert "hosts.yml" in proc.stdout + proc.stderr
    assert took < 10


def test_a_gate_closed_until_year_9999_does_not_pause_a_provider_for_good():
    from datetime import datetime, timezone

    from vibeusage.cache import GateState

    now = datetime(2026, 1, 16, tzinfo=timezone.utc)
    forever = GateState(closed_until=datetime(9999, 1, 1, tzinfo=timezone.utc))
    assert not forever.is_closed(now)
    soon = GateState(closed_until=datetime(2026, 1, 16, 1, tzinfo=timezone.utc))
    assert soon.is_closed(now)


def test_a_deeply_nested_or_huge_config_is_an_error_naming_the_file(cli, home):
    path = home.write_config("x = " + "[" * 5000 + "]" * 5000 + "\n")
    result = cli("config", "--json")
    assert result.code == 4 and str(path) in result.err
    assert "Traceback" not in result.err and "unexpected" not in result.err
    home.write_config('[display]\nreset_format = "' + "y" * 1_000_000 + '"\n')
    result = cli("config", "--json")
    assert result.code == 4
    assert len(result.err) < 2000  # the value is quoted cut short, not echoed whole


def test_term_dumb_gets_no_colour(cli, home, monkeypatch):
    from vibeusage.cache import SnapshotCache
    from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot
    from vibeusage.timeparse import utcnow

    SnapshotCache(home.cache_dir / "snapshots").save(
        UsageSnapshot("claude", utcnow(), (UsagePeriod("Weekly", 90, PeriodType.WEEKLY),))
    )
    monkeypatch.setenv("TERM", "dumb")
    assert "\x1b[" not in cli("--offline", tty=True).out
    monkeypatch.setenv("TERM", "xterm")
    assert "\x1b[" in cli("--offline", tty=True).out


def test_temporary_files_left_by_a_killed_run_are_removed_by_a_later_write(tmp_path):
    from vibeusage.store import STALE_TEMPORARY, atomic_write_text

    target = tmp_path / "claude.json"
    old = tmp_path / ".claude.json.abc123.tmp"
    fresh = tmp_path / ".claude.json.def456.tmp"
    old.write_text("half")
    fresh.write_text("another run, writing right now")
    stamp = time.time() - STALE_TEMPORARY - 60
    os.utime(old, (stamp, stamp))
    atomic_write_text(target, "{}")
    assert not old.exists() and fresh.exists() and target.read_text() == "{}"
