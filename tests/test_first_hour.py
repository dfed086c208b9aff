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


def test_status_exit_code_is_3_when_every_page_is_unreachable_and_5_when_some(
    cli, home, mocked, monkeypatch
):
    import requests

    down = fake_provider("zeta", [FakeStrategy("zeta")], status_url="https://zeta.example/s.json")
    up = fake_provider("omega", [FakeStrategy("omega")], status_url="https://omega.example/s.json")
    mocked.get("https://zeta.example/s.json", body=requests.ConnectionError("x"))
    mocked.get(
        "https://omega.example/s.json",
        json={"status": {"indicator": "none", "description": "All good"}},
    )
    register(monkeypatch, down, up)
    assert cli("status", "zeta").code == 3
    assert cli("status", "--json").code == 5
    assert cli("status", "omega").code == 0
