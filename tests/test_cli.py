"""The command line end to end, in-process with `responses` and a temporary HOME."""

import json
import os
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
import requests

from tests.conftest import SNAPSHOT_KEYS, USAGE_URL, all_text, load_fixture, usage_calls
from tests.fakes import FakeStrategy, fake_provider, network_error
from vibeusage import __version__
from vibeusage.cli import main
from vibeusage.providers import claude

TOKEN = "sk-ant-oat01-SECRETtokenVALUEthatMUSTneverLEAK0123456789"
#: Two and a half hours before the fixture's five-hour reset: half the session elapsed.
NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)


def clock() -> datetime:
    return NOW


@pytest.fixture
def logged_in(home):
    home.write_claude_credentials(accessToken=TOKEN)
    return home


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


def register(monkeypatch, *providers) -> None:
    """Replace the registry with ``providers`` (the CLI looks it up on every run)."""
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: tuple(providers))


# --- basics ------------------------------------------------------------------------------


def test_version_fast_path(cli):
    result = cli("--version")
    assert result.code == 0
    assert result.out == f"vibeusage {__version__}\n"


def test_help_exits_zero_and_lists_options(cli):
    result = cli("--help")
    assert result.code == 0
    for option in ("--json", "--offline", "--refresh", "--timeout", "--output", "--debug"):
        assert option in result.out


def test_unknown_option_is_exit_4_not_2(cli):
    result = cli("--bogus")
    assert result.code == 4
    assert "unrecognized arguments: --bogus" in result.err
    assert result.out == ""


def test_bad_timeout_is_exit_4(cli):
    assert cli("--timeout", "-1").code == 4
    assert cli("--timeout", "soon").code == 4


def test_unknown_provider_is_exit_4_naming_known_ones(cli):
    result = cli("nosuch")
    assert result.code == 4
    assert "unknown provider 'nosuch'" in result.err
    assert "claude" in result.err


def test_first_run_guide_when_nothing_is_connected(cli):
    result = cli()
    assert result.code == 2
    assert "No provider is connected yet" in result.out
    assert "Claude" in result.out and "`claude`" in result.out


def test_first_run_json_is_an_empty_document(cli):
    result = cli("--json")
    assert result.code == 2
    assert result.json()["providers"] == {} and result.json()["errors"] == {}


def test_first_run_quiet_is_exit_2_saying_nothing_is_connected(cli):
    result = cli("-q")
    assert result.code == 2
    assert result.out == ""
    assert "No provider is connected" in result.err


def test_named_provider_without_credentials_is_exit_2_with_remediation(cli):
    result = cli("claude")
    assert result.code == 2
    assert "No Claude credentials found" in result.out
    assert "log in by running `claude`" in result.out


def test_named_provider_without_credentials_json_error(cli):
    result = cli("claude", "--json")
    assert result.code == 2
    error = result.json()["error"]
    assert error["category"] == "authentication"
    assert error["provider"] == "claude"


def test_invalid_config_file_is_exit_4_naming_file_and_line(cli, home):
    path = home.write_config("[fetch]\ntimeout = \n")
    result = cli()
    assert result.code == 4
    assert str(path) in result.err
    assert "line 2" in result.err


def test_config_with_wrong_type_is_exit_4_naming_key(cli, home):
    home.write_config('[fetch]\ntimeout = "fast"\n')
    result = cli()
    assert result.code == 4
    assert "fetch.timeout" in result.err


def test_unknown_env_enabled_provider_is_exit_4(cli, monkeypatch):
    monkeypatch.setenv("VIBEUSAGE_ENABLED_PROVIDERS", "claude,nosuch")
    assert cli().code == 4


def test_python_dash_m_runs(home):
    env = dict(os.environ)
    proc = subprocess.run(
        [sys.executable, "-m", "vibeusage", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=30,
    )
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"vibeusage {__version__}"


def test_main_reads_sys_argv(home, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["vibeusage", "--version"])
    assert main() == 0
    assert capsys.readouterr().out == f"vibeusage {__version__}\n"


# --- Claude end to end ------------------------------------------------------------------------


def test_table_output_for_claude(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    result = cli(clock=clock)
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0] == "Claude"
    session = next(line for line in lines if "Session (5h)" in line)
    assert "11%" in session and "resets in 2h 30m" in session
    assert "██" + "░" * 18 in session  # 11 % of 20 cells, rounded
    weekly = next(line for line in lines if line.strip().startswith("Weekly ") and "9%" in line)
    assert "resets in 5d 11h" in weekly
    assert any("Weekly (Fable)" in line and "5%" in line for line in lines)
    assert "\x1b[" not in result.out  # not a TTY: no colour


def test_options_after_provider_names(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    result = cli("claude", "--json", "--refresh", clock=clock)
    assert result.code == 0
    assert result.json()["provider"] == "claude"


def test_request_carries_oauth_headers(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    cli("claude", clock=clock)
    request = usage_calls(mocked)[0].request
    assert request.headers["Authorization"] == f"Bearer {TOKEN}"
    assert request.headers["anthropic-beta"] == "oauth-2025-04-20"
    assert request.headers["User-Agent"] == f"vibeusage/{__version__}"


def _check_period(period: Dict[str, Any]) -> None:
    assert list(period) == [
        "name",
        "utilization",
        "remaining",
        "period_type",
        "resets_at",
        "model",
        "pace_ratio",
        "reset_elapsed",
        "pace",
    ]
    assert isinstance(period["name"], str)
    assert isinstance(period["utilization"], int) and 0 <= period["utilization"] <= 100
    assert period["remaining"] == 100 - period["utilization"]
    assert period["period_type"] in ("session", "daily", "weekly", "monthly")
    if period["resets_at"] is not None:
        assert datetime.fromisoformat(period["resets_at"]).tzinfo is not None
    assert period["model"] is None or isinstance(period["model"], str)
    assert period["pace_ratio"] is None or isinstance(period["pace_ratio"], float)
    assert isinstance(period["reset_elapsed"], bool)
    assert period["pace"] is None or isinstance(period["pace"]["summary"], str)


def _check_snapshot(snapshot: Dict[str, Any]) -> None:
    assert list(snapshot) == SNAPSHOT_KEYS
    assert datetime.fromisoformat(snapshot["fetched_at"]).tzinfo is not None
    assert isinstance(snapshot["cached"], bool) and isinstance(snapshot["stale"], bool)
    for period in snapshot["periods"]:
        _check_period(period)
    overage = snapshot["overage"]
    if overage is not None:
        assert set(overage) == {"used", "limit", "currency", "is_enabled", "balance", "unlimited"}
        assert isinstance(overage["used"], str) and overage["used"].count(".") == 1
        assert len(overage["used"].split(".")[1]) == 2
    identity = snapshot["identity"]
    if identity is not None:
        assert set(identity) == {"email", "organization", "plan", "login"}


def _check_error(error: Dict[str, Any]) -> None:
    assert set(error) == {"message", "category", "severity", "provider", "remediation", "timestamp"}
    assert error["category"] in (
        "authentication",
        "authorization",
        "rate_limited",
        "network",
        "provider",
        "parse",
        "configuration",
        "not_found",
        "unknown",
    )
    assert error["severity"] in ("fatal", "recoverable", "transient", "warning")
    assert datetime.fromisoformat(error["timestamp"]).tzinfo is not None


def test_json_single_provider_is_a_bare_snapshot(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-models-extra.json"))
    result = cli("claude", "--json", clock=clock)
    assert result.code == 0
    assert result.err == ""
    snapshot = result.json()
    _check_snapshot(snapshot)
    assert snapshot["provider"] == "claude"
    assert snapshot["source"] == "oauth"
    assert snapshot["cached"] is False and snapshot["stale"] is False
    assert snapshot["overage"] == {
        "used": "5.50",
        "limit": "100.00",
        "currency": "USD",
        "is_enabled": True,
        "balance": None,
        "unlimited": False,
    }
    assert snapshot["identity"] == {
        "email": None,
        "organization": None,
        "plan": "Max 5x",
        "login": None,
    }
    assert snapshot["status"] is None
    names = [p["name"] for p in snapshot["periods"]]
    assert names == [
        "Session (5h)",
        "Weekly",
        "Weekly (Sonnet)",
        "Weekly (Opus)",
        "Weekly (Omelette)",
    ]


def test_json_pace_ratio_is_computed_from_the_clock(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    snapshot = cli("claude", "--json", clock=clock).json()
    session = snapshot["periods"][0]
    assert session["name"] == "Session (5h)"
    # 11 % used with half of the window elapsed (the reset is 2h30m away).
    assert session["pace_ratio"] == pytest.approx(0.22, abs=0.01)


def test_json_all_providers_view(cli, logged_in, mocked, monkeypatch):
    broken = fake_provider("zeta", [FakeStrategy("zeta", error=network_error("zeta down"))])
    register(monkeypatch, claude.PROVIDER, broken)
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    result = cli("--json", clock=clock)
    document = result.json()
    assert list(document) == ["schema_version", "fetched_at", "providers", "errors", "stale"]
    assert document["schema_version"] == 1
    assert datetime.fromisoformat(document["fetched_at"]) == NOW
    assert list(document["providers"]) == ["claude"]
    _check_snapshot(document["providers"]["claude"])
    assert list(document["errors"]) == ["zeta"]
    _check_error(document["errors"]["zeta"])
    assert document["errors"]["zeta"]["message"] == "zeta down"
    assert document["stale"] == []
    assert result.code == 5


def test_two_named_providers_give_the_all_providers_view(cli, logged_in, mocked, monkeypatch):
    other = fake_provider("zeta", [FakeStrategy("zeta")])
    register(monkeypatch, claude.PROVIDER, other)
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    result = cli("claude", "zeta", "--json", clock=clock)
    assert result.code == 0
    assert set(result.json()["providers"]) == {"claude", "zeta"}


def test_stale_fallback_after_503(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    assert cli("claude", clock=clock).code == 0
    mocked.replace("GET", USAGE_URL, status=503, body="Service Unavailable")
    result = cli("claude", "--json", "--refresh", clock=clock)
    assert result.code == 5
    snapshot = result.json()
    assert snapshot["stale"] is True and snapshot["cached"] is True
    _check_error(snapshot["error"])
    assert snapshot["error"]["category"] == "provider"
    assert snapshot["periods"][0]["utilization"] == 11

    text = cli("claude", "--refresh", clock=clock)
    assert text.code == 5
    assert "(stale," in text.out and "HTTP 503" in text.out


def test_all_providers_stale_list(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    cli(clock=clock)
    mocked.replace("GET", USAGE_URL, status=503)
    document = cli("--json", "--refresh", clock=clock).json()
    assert document["stale"] == ["claude"]
    assert document["providers"]["claude"]["stale"] is True
    assert document["errors"] == {}


def test_fresh_cache_is_reused_without_a_request(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    cli(clock=clock)
    second = cli("claude", "--json", clock=clock)
    assert len(usage_calls(mocked)) == 1
    assert second.json()["cached"] is True
    assert second.code == 0


def test_offline_serves_cache_and_makes_no_request(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    cli(clock=clock)
    result = cli("--offline", "--json", "claude", clock=clock)
    assert len(usage_calls(mocked)) == 1
    assert result.code == 0
    assert result.json()["cached"] is True


def test_offline_without_cache_fails_without_network(cli, logged_in, mocked):
    result = cli("--offline", "claude", clock=clock)
    assert len(mocked.calls) == 0
    assert result.code == 3
    assert "No cached Claude data" in result.out


def test_output_file_is_written_atomically_and_stdout_stays_empty(cli, logged_in, mocked, tmp_path):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    target = tmp_path / "out" / "usage.json"
    target.parent.mkdir()
    target.write_text("old", encoding="utf-8")
    result = cli("--json", "-o", str(target), clock=clock)
    assert result.code == 0
    assert result.out == ""
    document = json.loads(target.read_text(encoding="utf-8"))
    assert document["providers"]["claude"]["provider"] == "claude"
    assert [p.name for p in target.parent.iterdir()] == ["usage.json"]


def test_output_file_matches_stdout_bytes(cli, logged_in, mocked, tmp_path):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    stdout = cli("--json", "--refresh", clock=clock).out
    target = tmp_path / "usage.json"
    cli("--json", "--refresh", "--output", str(target), clock=clock)
    assert target.read_text(encoding="utf-8") == stdout


def test_output_to_missing_directory_is_a_clear_error(cli, logged_in, mocked, tmp_path):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    target = tmp_path / "file-not-dir"
    target.write_text("x", encoding="utf-8")
    result = cli("--json", "-o", str(target / "usage.json"), clock=clock)
    assert result.code == 4  # issue 13: a missing directory is invalid input
    assert "cannot write" in result.err
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    "status, exit_code, category",
    [
        (401, 2, "authentication"),
        (403, 2, "authorization"),
        (429, 3, "rate_limited"),
        (500, 1, "provider"),
    ],
)
def test_http_errors_map_to_exit_codes(cli, logged_in, mocked, status, exit_code, category):
    mocked.get(USAGE_URL, status=status, json={"error": {"message": "nope"}})
    result = cli("claude", "--json", clock=clock)
    assert result.code == exit_code
    assert result.json()["error"]["category"] == category


def test_connection_error_is_exit_3(cli, logged_in, mocked):
    mocked.get(USAGE_URL, body=requests.ConnectionError("refused"))
    result = cli("claude", clock=clock)
    assert result.code == 3
    assert "Could not connect to Claude" in result.out


@pytest.mark.parametrize(
    "body, content_type",
    [
        ("<html><body>Cloudflare</body></html>", "text/html"),
        ("{not json", "application/json"),
        ("", "application/json"),
    ],
)
def test_malformed_bodies_are_parse_errors_without_traceback(
    cli, logged_in, mocked, body, content_type
):
    mocked.get(USAGE_URL, body=body, content_type=content_type)
    result = cli("claude", clock=clock)
    assert result.code == 1
    assert "unexpected response" in result.out
    assert "Traceback" not in all_text(result)


def test_rate_limit_closes_gate_until_retry_after(cli, logged_in, mocked):
    mocked.get(USAGE_URL, status=429, headers={"Retry-After": "120"})
    cli("claude", clock=clock)
    result = cli("claude", clock=clock)
    assert len(usage_calls(mocked)) == 1
    assert "next try at" in result.out
    assert result.code == 3


ERROR_RESPONSES = [
    {"status": 401, "json": {"error": f"bad token {TOKEN}"}},
    {"status": 403, "json": {"detail": TOKEN}},
    {"status": 429, "headers": {"Retry-After": "0"}},
    {"status": 500, "body": f"<html>{TOKEN}</html>"},
    {"status": 200, "body": f"<html>echo {TOKEN}</html>", "content_type": "text/html"},
    {"status": 200, "body": "[1, 2"},
    {"status": 200, "json": ["not", "an", "object"]},
    {"body": requests.ConnectionError(f"failed for Bearer {TOKEN}")},
    {"body": requests.ReadTimeout("slow")},
    {"body": requests.exceptions.SSLError("bad certificate")},
]


@pytest.mark.parametrize("response", ERROR_RESPONSES)
@pytest.mark.parametrize("extra", [(), ("--json",), ("--verbose",), ("--debug",)])
def test_no_token_in_any_output_on_error_paths(cli, logged_in, mocked, response, extra):
    mocked.get(USAGE_URL, **response)
    result = cli("claude", "--refresh", *extra, clock=clock)
    assert result.code != 0
    assert TOKEN not in all_text(result)
    assert TOKEN[:20] not in all_text(result)
    if "--debug" not in extra:
        assert "Traceback" not in all_text(result)


def test_debug_shows_http_trace_on_stderr(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    result = cli("claude", "--debug", clock=clock)
    assert result.code == 0
    assert "GET https://api.anthropic.com/api/oauth/usage -> 200" in result.err


def test_unexpected_exception_is_one_line_without_debug(cli, logged_in, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr("vibeusage.commands.usage.run", broken)
    plain = cli("claude")
    assert plain.code == 1
    assert "unexpected error (RuntimeError)" in plain.err and "Traceback" not in plain.err
    debug = cli("claude", "--debug")
    assert "Traceback" in debug.err and "kaboom" in debug.err


def test_keyboard_interrupt_exits_130(cli, logged_in, monkeypatch):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("vibeusage.commands.usage.run", interrupted)
    assert cli("claude").code == 130


# --- presentation -------------------------------------------------------------------------------


def test_colour_only_on_a_tty(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    coloured = cli("claude", tty=True, clock=clock)
    assert "\x1b[32m" in coloured.out  # 11 % at half time: green
    assert "█" in coloured.out  # a UTF-8 terminal gets the Unicode bar
    assert "\x1b[" not in cli("claude", "--no-color", tty=True, clock=clock).out


def test_no_color_environment_variable_disables_colour(cli, logged_in, mocked, monkeypatch):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in cli("claude", tty=True, clock=clock).out


def test_full_window_is_red_even_with_low_pace(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-sparse.json"))
    sparse_now = datetime(2026, 1, 17, 12, 0, tzinfo=timezone.utc)
    result = cli("claude", tty=True, clock=lambda: sparse_now)
    weekly = next(line for line in result.out.splitlines() if "Weekly" in line)
    assert "\x1b[31m" in weekly and "100%" in weekly


def test_quiet_prints_one_line_per_period(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    result = cli("-q", clock=clock)
    assert result.out.splitlines() == [
        "claude Session (5h): 11%, resets in 2h 30m",
        "claude Weekly: 9%, resets in 5d 11h",
        "claude Weekly (Fable): 5%, resets in 5d 11h",
    ]


def test_quiet_and_verbose_together_is_exit_4(cli):
    assert cli("-q", "-v").code == 4


def test_verbose_shows_plan_source_and_attempts(cli, logged_in, mocked):
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-models-extra.json"))
    result = cli("-v", clock=clock)
    assert "Plan: Max 5x" in result.out
    assert "Source: oauth" in result.out
    assert "Attempts: oauth ok in" in result.out
    assert "Extra usage: $5.50 of $100.00 used" in result.out


def test_absolute_reset_format_from_config(cli, logged_in, mocked, home):
    home.write_config('[display]\nreset_format = "absolute"\n')
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    result = cli("-q", clock=clock)
    assert "resets in" not in result.out
    assert "claude Session (5h): 11%, resets " in result.out


def test_progress_indicator_on_tty_stderr_is_erased(cli, home, monkeypatch):
    slow = fake_provider("slow", [FakeStrategy("slow", delay=0.6)])
    register(monkeypatch, slow)
    result = cli("slow", tty=True)
    assert "Fetching slow" in result.err
    assert result.err.endswith("\r\x1b[K")


def test_no_progress_indicator_with_json(cli, home, monkeypatch):
    slow = fake_provider("slow", [FakeStrategy("slow", delay=0.6)])
    register(monkeypatch, slow)
    result = cli("slow", "--json", tty=True)
    assert result.err == ""
    json.loads(result.out)


# --- concurrency and hangs ------------------------------------------------------------------------


def test_three_slow_providers_run_concurrently_through_the_cli(cli, home, monkeypatch):
    providers = [fake_provider(p, [FakeStrategy(p, delay=1.0)]) for p in ("a", "b", "c")]
    register(monkeypatch, *providers)
    started = time.monotonic()
    result = cli("--json")
    elapsed = time.monotonic() - started
    assert result.code == 0
    assert set(result.json()["providers"]) == {"a", "b", "c"}
    assert elapsed < 1.8, f"took {elapsed:.2f} s"


def test_hung_strategy_does_not_hold_the_command(cli, home, monkeypatch, release):
    hung = fake_provider("hung", [FakeStrategy("hung", hang=release)])
    fine = fake_provider("fine", [FakeStrategy("fine")])
    register(monkeypatch, hung, fine)
    started = time.monotonic()
    result = cli("--json", "--timeout", "1")
    assert time.monotonic() - started < 2.0
    document = result.json()
    assert "fine" in document["providers"]
    assert document["errors"]["hung"]["category"] == "network"
    assert result.code == 5


HANG_SCRIPT = """
import sys, threading
from tests.fakes import FakeStrategy, fake_provider
import vibeusage.providers
never = threading.Event()
provider = fake_provider("hung", [FakeStrategy("hung", hang=never)])
vibeusage.providers.all_providers = lambda: (provider,)
from vibeusage.cli import main
sys.exit(main(["hung", "--json", "--timeout", "1"]))
"""


def test_hung_strategy_does_not_keep_the_process_alive(home):
    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ, PYTHONPATH=str(root))
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", HANG_SCRIPT],
        capture_output=True,
        text=True,
        env=env,
        timeout=20,
        cwd=str(root),
    )
    elapsed = time.monotonic() - started
    assert proc.returncode == 3, proc.stderr
    assert json.loads(proc.stdout)["error"]["category"] == "network"
    assert elapsed < 1 + 1 + 1.5, f"process took {elapsed:.2f} s to exit"


def test_main_returns_a_plain_int_not_an_enum(home, monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["vibeusage", "--offline", "--json"])
    code = main()  # nothing cached: exit 3
    assert type(code) is int and code == 3


# --- what providers send never drives the terminal ------------------------------------------

HOSTILE = "Fable\x1b[2J\x1b]0;owned\x07\x9b31m\r\nForged row 99%"


def test_control_characters_from_a_provider_never_reach_the_terminal_or_the_json(
    cli, logged_in, mocked
):
    payload = load_fixture("claude/oauth-usage-limits.json")
    payload["limits"][2]["scope"]["model"]["display_name"] = HOSTILE
    mocked.get(USAGE_URL, json=payload)
    mocked.get(
        "https://api.anthropic.com/api/oauth/account",
        json={"email_address": HOSTILE, "organization": {"name": HOSTILE}},
    )
    table = cli("--verbose", clock=clock)
    assert table.code == 0, table.err
    for forbidden in ("\x1b[2J", "\x1b]", "\x07", "\x9b", "\r"):
        assert forbidden not in table.out + table.err
    assert "Forged row 99%" in table.out  # shown, as text, inside its own row
    assert not any(line.lstrip().startswith("Forged row") for line in table.out.splitlines())
    document = cli("--json", "--refresh", clock=clock).out
    assert "\x1b" not in document and "\x9b" not in document and "\x07" not in document
    json.loads(document)


def test_c1_controls_in_json_are_escaped():
    from vibeusage.views.json_dump import dumps

    assert dumps({"x": "a\x9bb\u2028c"}) == '{\n  "x": "a\\u009bb\\u2028c"\n}\n'
