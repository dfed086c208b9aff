"""Issue 13, from outside: what a new user hits in the first hour."""

import time
from datetime import datetime, timezone

from tests.fakes import FakeStrategy, fake_provider

NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)


def register(monkeypatch, *providers) -> None:
    """Replace the registry, after the redactor has compiled the real providers' patterns."""
    from vibeusage.errors import redact

    redact("")
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


TOKEN = "sk-ant-oat01-SECRETtokenVALUEthatMUSTneverLEAK0123456789"


def _unresolvable(url: str):
    import requests

    error = requests.ConnectionError(
        "HTTPSConnectionPool: Max retries exceeded (Caused by NameResolutionError("
        "\"Failed to resolve 'api.anthropic.com' ([Errno -2] Name or service not known)\"))"
    )
    error.request = requests.Request("GET", url).prepare()
    return error


def test_dns_failures_never_close_the_gate_and_name_host_and_cause(cli, home, mocked):
    from tests.conftest import USAGE_URL, usage_calls

    home.write_claude_credentials(accessToken=TOKEN)
    for _ in range(5):
        mocked.get(USAGE_URL, body=_unresolvable(USAGE_URL))
        result = cli("claude", "--json", clock=lambda: NOW)
        error = result.json()["error"]
        assert (error["category"], result.code) == ("network", 3)
    assert "api.anthropic.com" in error["message"]
    assert "did not resolve" in error["message"]
    assert "paused" not in error["message"]
    assert len(usage_calls(mocked)) == 5


def test_a_closed_gate_keeps_the_category_of_the_failure_that_closed_it(cli, home, mocked):
    from tests.conftest import USAGE_URL

    home.write_claude_credentials(accessToken=TOKEN)
    mocked.get(USAGE_URL, status=503, json={"error": "overloaded"})
    codes = [cli("claude", "--json", clock=lambda: NOW) for _ in range(4)]
    last = codes[-1].json()["error"]
    assert "paused" in last["message"]
    assert last["category"] == "provider"


def test_a_ca_bundle_variable_naming_a_missing_file_is_a_configuration_error(
    cli, home, mocked, monkeypatch
):
    from tests.conftest import USAGE_URL

    home.write_claude_credentials(accessToken=TOKEN)
    missing = str(home.root / "no-such-ca.pem")
    mocked.get(
        USAGE_URL,
        body=OSError(
            f"Could not find a suitable TLS CA certificate bundle, invalid path: {missing}"
        ),
    )
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", missing)
    result = cli("claude", "--json", clock=lambda: NOW)
    error = result.json()["error"]
    assert (error["category"], result.code) == ("configuration", 4)
    assert "REQUESTS_CA_BUNDLE" in error["message"]


def test_doctor_flags_a_ca_bundle_variable_naming_a_missing_file(cli, home, monkeypatch):
    missing = str(home.root / "no-such-ca.pem")
    monkeypatch.setenv("SSL_CERT_FILE", missing)
    text = cli("doctor")
    document = cli("doctor", "--json").json()
    assert f"PROBLEM: SSL_CERT_FILE names {missing}, which does not exist" in text.out
    assert any("SSL_CERT_FILE" in problem for problem in document["problems"])


def test_after_a_connection_failure_strategies_needing_the_network_are_skipped(
    cli, home, monkeypatch
):
    from vibeusage.errors import ErrorCategory, VibeusageError

    refused = VibeusageError("Could not connect", ErrorCategory.NETWORK, cause="refused")
    api = FakeStrategy("zeta", "api", error=refused)
    tool = FakeStrategy("zeta", "tool", delay=5)
    local = FakeStrategy("zeta", "local")
    local.needs_network = False
    register(monkeypatch, fake_provider("zeta", [api, tool, local]))
    started = time.monotonic()
    result = cli("zeta", "--json", "--verbose", clock=lambda: NOW)
    assert time.monotonic() - started < 3
    assert (tool.calls, local.calls) == (0, 1)
    assert result.code == 0 and result.json()["source"] == "local"


def test_output_file_goes_through_a_symlink_keeps_the_mode_and_needs_its_directory(
    cli, home, tmp_path
):
    import os
    import stat

    real = tmp_path / "real.json"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    cli("--json", "-o", str(link))
    assert link.is_symlink() and "providers" in real.read_text(encoding="utf-8")
    assert stat.S_IMODE(os.stat(real).st_mode) == 0o640
    fresh = tmp_path / "fresh.json"
    cli("--json", "-o", str(fresh))
    assert stat.S_IMODE(os.stat(fresh).st_mode) == 0o600
    missing = cli("--json", "-o", str(tmp_path / "nowhere" / "usage.json"))
    assert missing.code == 4 and "does not exist" in missing.err
    assert not (tmp_path / "nowhere").exists()
