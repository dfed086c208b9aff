"""Issue 13, from outside: what a new user hits in the first hour."""

import time
from datetime import datetime, timezone

from tests.fakes import FakeStrategy, fake_provider

NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)


def register(monkeypatch, *providers) -> None:
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: tuple(providers))


def test_configured_deadline_bounds_the_run_below_the_strategy_timeout(cli, home, monkeypatch):
    home.write_config("[fetch]\ndeadline = 1\ntimeout = 30\n")
    slow = fake_provider("zeta", [FakeStrategy("zeta", delay=6)])
    register(monkeypatch, slow)
    started = time.monotonic()
    result = cli("zeta", "--json", clock=lambda: NOW)
    elapsed = time.monotonic() - started
    assert elapsed < 3, elapsed
    assert result.code == 3
    assert "1 s" in result.json()["error"]["message"]


def test_offline_with_nothing_cached_is_exit_3_saying_so(cli, home, monkeypatch):
    register(monkeypatch, fake_provider("zeta", [FakeStrategy("zeta")]))
    everything = cli("--offline", clock=lambda: NOW)
    named = cli("zeta", "--offline", "--json", clock=lambda: NOW)
    assert everything.code == 3 and "Nothing is cached yet" in everything.err
    assert named.code == 3
    assert named.json()["error"]["message"] == "No cached Zeta data to show offline"
