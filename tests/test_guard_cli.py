"""`vibeusage guard` from outside: exit codes, decision paths, freshness without requests, JSON."""

import json
import os
import re
import shlex
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator, List, Optional

import pytest

from tests.conftest import USAGE_URL, load_fixture
from tests.fakes import FakeStrategy, fake_provider, network_error
from tests.login_helpers import login_key_of
from vibeusage.cache import SnapshotCache
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot
from vibeusage.providers import claude, codex
from vibeusage.providers.base import FetchContext, FetchResult, Provider

NOW = datetime(2026, 9, 22, 14, 0, tzinfo=timezone.utc)
HOUR, DAY = 3600, 86400
WHAM_URL = "https://chatgpt.com/backend-api/wham/usage"
RESULT_KEYS = [
    "provider",
    "window",
    "period_type",
    "remaining_percent",
    "decision",
    "reason",
    "resets_at",
    "source",
    "stale",
    "eta_seconds",
    "for_check",
]


def clock() -> datetime:
    return NOW


def weekly(used: int, resets_in: float = 3 * DAY + 12 * HOUR, model: Optional[str] = None):
    name = "Weekly" if model is None else f"Weekly ({model})"
    return UsagePeriod(name, used, PeriodType.WEEKLY, NOW + timedelta(seconds=resets_in), model)


def session(used: int, resets_in: float = 2 * HOUR):
    return UsagePeriod("Session (5h)", used, PeriodType.SESSION, NOW + timedelta(seconds=resets_in))


def answering(pid: str, *periods: UsagePeriod, calls: Optional[List[str]] = None) -> Provider:
    """A provider whose one strategy answers ``periods``, fetched at the context's now."""

    def behaviour(ctx: FetchContext) -> FetchResult:
        if calls is not None:
            calls.append(pid)
        return FetchResult.ok(UsageSnapshot(pid, ctx.now(), periods, source="fake"))

    return fake_provider(pid, [FakeStrategy(pid, behaviour=behaviour)])


def failing(pid: str, error: Optional[VibeusageError] = None) -> Provider:
    return fake_provider(pid, [FakeStrategy(pid, error=error or network_error(f"{pid} down"))])


def register(monkeypatch, *providers: Provider) -> None:
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: tuple(providers))


def cache(home, pid: str, *periods: UsagePeriod, age: float, source: str = "oauth") -> None:
    """A snapshot cached for the provider's current login in ``home``."""
    from vibeusage.providers import PROVIDER_IDS

    snapshot = UsageSnapshot(pid, NOW - timedelta(seconds=age), periods, source=source)
    login = login_key_of(pid, home.root) if pid in PROVIDER_IDS else None
    SnapshotCache(home.cache_dir / "snapshots").save(snapshot, login)


@pytest.fixture
def release() -> Iterator[threading.Event]:
    event = threading.Event()
    yield event
    event.set()


# --- the decision and its exit codes ------------------------------------------------------------


def test_enough_left_is_exit_0_with_one_ok_line(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(63)))
    result = cli("guard", "alpha", clock=clock)
    assert (result.code, result.err) == (0, "")
    assert result.out == "alpha weekly: 37% remaining — OK (minimum 10%)\n"


def test_below_the_minimum_is_exit_1_blocked(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(94)))
    result = cli("guard", "alpha", clock=clock)
    assert result.code == 1
    assert result.out == "alpha weekly: 6% remaining — BLOCKED (minimum 10%)\n"


@pytest.mark.parametrize(
    ("used", "argv", "code"),
    [
        (85, ["--min-remaining", "15"], 0),  # exactly the minimum left: ok (inclusive)
        (86, ["--min-remaining", "15"], 1),
        (85, ["--min-remaining", "15.5"], 1),
        (80, ["--max-used", "80"], 0),  # exactly the maximum used: ok
        (81, ["--max-used", "80"], 1),
        (100, ["--min-remaining", "0"], 0),
        (0, ["--min-remaining", "100"], 0),
    ],
)
def test_thresholds_are_inclusive(cli, monkeypatch, used, argv, code):
    register(monkeypatch, answering("alpha", weekly(used)))
    assert cli("guard", "alpha", *argv, clock=clock).code == code


def test_max_used_reports_the_minimum_it_means(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(70)))
    result = cli("guard", "alpha", "--max-used", "62.5", "--json", clock=clock)
    assert result.code == 1
    document = result.json()
    assert document["min_remaining_percent"] == 37.5
    assert document["results"][0]["reason"] == "below_minimum"


def test_a_failed_fetch_is_unknown_exit_69_and_0_with_fail_open(cli, monkeypatch):
    register(monkeypatch, failing("alpha"))
    result = cli("guard", "alpha", clock=clock)
    assert result.code == 69
    assert result.out == "alpha: unknown — UNKNOWN (minimum 10%; fetch_failed)\n"
    opened = cli("guard", "alpha", "--fail-open", "--json", clock=clock)
    assert opened.code == 0
    document = opened.json()
    assert (document["decision"], document["exit_code"]) == ("unknown", 0)
    assert document["results"][0]["decision"] == "unknown"


def test_fail_open_never_hides_a_block(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(95)))
    assert cli("guard", "alpha", "--fail-open", clock=clock).code == 1


def test_blocked_beats_unknown_and_every_provider_gets_a_line(cli, monkeypatch):
    register(monkeypatch, failing("alpha"), answering("beta", weekly(97)), answering("gamma"))
    result = cli("guard", "alpha", "beta", "--provider", "gamma", clock=clock)
    assert result.code == 1
    assert result.out.splitlines() == [
        "alpha: unknown — UNKNOWN (minimum 10%; fetch_failed)",
        "beta weekly: 3% remaining — BLOCKED (minimum 10%)",
        "gamma: unknown — UNKNOWN (minimum 10%; window_unavailable)",
    ]


def test_positionals_and_provider_flags_add_up_without_repeats(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(10)), answering("beta", weekly(20)))
    result = cli("guard", "alpha", "--provider", "beta", "--provider", "alpha", clock=clock)
    assert result.code == 0
    assert [line.split(":")[0] for line in result.out.splitlines()] == [
        "alpha weekly",
        "beta weekly",
    ]


def test_without_names_guard_checks_the_usage_views_default(cli, monkeypatch):
    unconnected = fake_provider("beta", [FakeStrategy("beta", available=False)])
    register(monkeypatch, answering("alpha", weekly(50)), unconnected)
    result = cli("guard", clock=clock)
    assert result.code == 0
    assert result.out == "alpha weekly: 50% remaining — OK (minimum 10%)\n"


def test_no_provider_at_all_is_unknown_69(cli, monkeypatch):
    register(monkeypatch, fake_provider("alpha", [FakeStrategy("alpha", available=False)]))
    result = cli("guard", "--json", clock=clock)
    assert result.code == 69
    assert result.json()["results"] == [] and result.json()["decision"] == "unknown"
    text = cli("guard", clock=clock)
    assert (text.code, text.out) == (69, "")
    assert "no provider to check" in text.err
    assert cli("guard", "--fail-open", clock=clock).code == 0


def test_a_named_provider_without_credentials_is_no_credentials(cli, monkeypatch):
    register(monkeypatch, fake_provider("alpha", [FakeStrategy("alpha", available=False)]))
    result = cli("guard", "alpha", clock=clock)
    assert result.code == 69
    assert result.out == "alpha: unknown — UNKNOWN (minimum 10%; no_credentials)\n"


def test_a_provider_that_outlasts_the_timeout_is_unknown_timeout(cli, monkeypatch, release):
    hung = fake_provider("alpha", [FakeStrategy("alpha", hang=release)])
    register(monkeypatch, hung, answering("beta", weekly(20)))
    started = time.monotonic()
    result = cli("guard", "alpha", "beta", "--timeout", "0.5", "--json", clock=clock)
    assert time.monotonic() - started < 5
    assert result.code == 69
    reasons = [(r["provider"], r["reason"]) for r in result.json()["results"]]
    assert reasons == [("alpha", "timeout"), ("beta", None)]


def test_quiet_prints_nothing_but_keeps_the_exit_code(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(95)))
    result = cli("guard", "alpha", "--quiet", clock=clock)
    assert (result.code, result.out, result.err) == (1, "", "")


# --- windows --------------------------------------------------------------------------------------


def test_binding_is_the_window_that_stops_first_and_a_type_picks_that_window(cli, monkeypatch):
    # Session at 80 % with 2 h of 5 h left runs out first; the weekly one lasts.
    register(monkeypatch, answering("alpha", session(80), weekly(40)))
    binding = cli("guard", "alpha", "--json", clock=clock).json()["results"]
    assert [(r["window"], r["remaining_percent"]) for r in binding] == [("Session (5h)", 20)]
    assert binding[0]["eta_seconds"] is not None
    typed = cli("guard", "alpha", "--window", "weekly", clock=clock)
    assert typed.out == "alpha weekly: 60% remaining — OK (minimum 10%)\n"
    both = cli("guard", "alpha", "--window", "all", "--min-remaining", "30", clock=clock)
    assert both.code == 1
    assert both.out.splitlines() == [
        "alpha session: 20% remaining — BLOCKED (minimum 30%)",
        "alpha weekly: 60% remaining — OK (minimum 30%)",
    ]


def test_a_type_the_provider_lacks_is_window_unavailable(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(40)))
    result = cli("guard", "alpha", "--window", "daily", clock=clock)
    assert result.code == 69
    assert result.out == "alpha daily: unknown — UNKNOWN (minimum 10%; window_unavailable)\n"


def test_window_all_includes_per_model_windows(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(50), weekly(94, model="gpt-5-codex")))
    assert cli("guard", "alpha", clock=clock).code == 0  # binding: the all-model window
    result = cli("guard", "alpha", "--window", "all", clock=clock)
    assert result.code == 1
    assert result.out.splitlines()[1] == (
        "alpha weekly (gpt-5-codex): 6% remaining — BLOCKED (minimum 10%)"
    )


# --- --for -------------------------------------------------------------------------------------


def test_for_blocks_when_the_pace_would_cross_the_threshold_in_time(cli, monkeypatch):
    # 50 % used after 2.5 h of 5 h: 20 %/h. In 1 h 70 %, in 2 h exactly 90 % (ok), then over.
    register(monkeypatch, answering("alpha", session(50, resets_in=2.5 * HOUR)))
    ok = cli("guard", "alpha", "--for", "1h", "--json", clock=clock)
    assert ok.code == 0
    check = ok.json()["results"][0]["for_check"]
    assert check == {"duration_seconds": 3600, "projected_used_percent": 70, "ok": True}
    edge = cli("guard", "alpha", "--for", "2h", clock=clock)
    assert edge.code == 0  # 90 % projected: exactly the 10 % minimum left
    blocked = cli("guard", "alpha", "--for", "2h1m", "--json", clock=clock)
    assert blocked.code == 1
    result = blocked.json()["results"][0]
    assert (result["decision"], result["reason"]) == ("blocked", "forecast")
    assert result["for_check"]["ok"] is False
    text = cli("guard", "alpha", "--for", "7200s", "--min-remaining", "20", clock=clock)
    assert text.out == "alpha session: 50% remaining — BLOCKED (minimum 20%; forecast)\n"


def test_for_counts_only_the_time_before_the_reset(cli, monkeypatch):
    # 50 % after 2.5 h, reset in 2.5 h: a 2-day job projects to 100 %, not beyond.
    register(monkeypatch, answering("alpha", session(50, resets_in=2.5 * HOUR)))
    result = cli("guard", "alpha", "--for", "2d", "--min-remaining", "0", "--json", clock=clock)
    assert result.code == 0
    assert result.json()["results"][0]["for_check"]["projected_used_percent"] == 100


def test_for_without_a_pace_projects_nothing_and_decides_on_the_minimum(cli, monkeypatch):
    register(monkeypatch, answering("alpha", UsagePeriod("Weekly", 40, PeriodType.WEEKLY)))
    result = cli("guard", "alpha", "--for", "600", "--json", clock=clock)
    assert result.code == 0
    check = result.json()["results"][0]["for_check"]
    assert check == {"duration_seconds": 600, "projected_used_percent": None, "ok": None}


# --- freshness: --max-age, --offline, no requests -----------------------------------------------


def test_a_snapshot_within_max_age_is_used_without_fetching(cli, home, monkeypatch):
    calls: List[str] = []
    register(monkeypatch, answering("alpha", weekly(10), calls=calls))
    cache(home, "alpha", weekly(95), age=299)
    result = cli("guard", "alpha", "--json", clock=clock)
    assert calls == []
    assert result.code == 1
    assert result.json()["results"][0]["source"] == "oauth"


def test_max_age_is_inclusive_and_older_data_is_refreshed(cli, home, monkeypatch):
    calls: List[str] = []
    register(monkeypatch, answering("alpha", weekly(10), calls=calls))
    cache(home, "alpha", weekly(95), age=120)
    assert cli("guard", "alpha", "--max-age", "120", clock=clock).code == 1
    assert calls == []
    assert cli("guard", "alpha", "--max-age", "119", clock=clock).code == 0
    assert calls == ["alpha"]


def test_max_age_zero_always_asks_even_when_the_usage_view_would_serve_the_cache(
    cli, home, monkeypatch
):
    calls: List[str] = []
    register(monkeypatch, answering("alpha", weekly(10), calls=calls))
    cache(home, "alpha", weekly(95), age=5)  # within fetch.fresh_ttl (60 s)
    assert cli("guard", "alpha", "--max-age", "0", clock=clock).code == 0
    assert calls == ["alpha"]


def test_a_cached_snapshot_from_the_future_is_not_trusted(cli, home, monkeypatch):
    calls: List[str] = []
    register(monkeypatch, answering("alpha", weekly(10), calls=calls))
    cache(home, "alpha", weekly(95), age=-600)
    assert cli("guard", "alpha", clock=clock).code == 0
    assert calls == ["alpha"]


def test_old_data_whose_refresh_fails_is_stale_unknown(cli, home, monkeypatch):
    register(monkeypatch, failing("alpha"))
    cache(home, "alpha", weekly(30), age=3600)
    result = cli("guard", "alpha", "--json", clock=clock)
    assert result.code == 69
    [entry] = result.json()["results"]
    assert (entry["decision"], entry["reason"], entry["stale"]) == ("unknown", "stale", True)
    assert entry["remaining_percent"] == 70 and entry["window"] == "Weekly"


def test_offline_uses_fresh_cache_and_calls_older_data_stale(cli, home, monkeypatch):
    calls: List[str] = []
    register(monkeypatch, answering("alpha", weekly(10), calls=calls), answering("beta"))
    cache(home, "alpha", weekly(30), age=3600)
    result = cli("guard", "alpha", "--offline", clock=clock)
    assert result.code == 69
    assert result.out == "alpha weekly: 70% remaining — UNKNOWN (minimum 10%; stale)\n"
    assert cli("guard", "alpha", "--offline", "--max-age", "3600", clock=clock).code == 0
    nothing = cli("guard", "beta", "--offline", clock=clock)
    assert nothing.out == "beta: unknown — UNKNOWN (minimum 10%; stale)\n"
    assert calls == []


def test_offline_with_nothing_cached_and_no_names_is_unknown_69(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(10)))
    result = cli("guard", "--offline", clock=clock)
    assert result.code == 69


def test_the_failure_gate_holds_for_guard(cli, home, monkeypatch):
    limited = VibeusageError("429", ErrorCategory.RATE_LIMITED, retry_after=600)
    strategy = FakeStrategy("alpha", error=limited)
    register(monkeypatch, fake_provider("alpha", [strategy]))
    assert cli("guard", "alpha", clock=clock).code == 69
    assert strategy.calls == 1
    result = cli("guard", "alpha", clock=clock)  # Retry-After closed the gate: not asked again
    assert result.code == 69 and "fetch_failed" in result.out
    assert strategy.calls == 1


# --- real providers: no request within --max-age, Codex weekly-in-primary ------------------------


@pytest.fixture
def codex_home(home, monkeypatch) -> Path:
    root = home.root / ".codex"
    root.mkdir()
    (root / "auth.json").write_text(json.dumps(load_fixture("codex/auth.json")))
    monkeypatch.setenv("CODEX_HOME", str(root))
    return root


#: 200 s after the Codex log's last reading (12:54:37.952): weekly in the primary slot,
#: 12.4 % used, resets 2026-08-20.
LOG_NOW = datetime(2026, 8, 13, 12, 57, 57, 952000, tzinfo=timezone.utc)


def write_rollout(codex_root: Path, written: datetime) -> None:
    day = codex_root / "sessions" / "2026" / "08" / "13"
    day.mkdir(parents=True)
    path = day / "rollout-2026-08-13T12-00-00-guard.jsonl"
    source = Path(__file__).parent / "fixtures" / "codex" / "rollout-token-count.jsonl"
    path.write_bytes(source.read_bytes())
    os.utime(path, (written.timestamp(), written.timestamp()))


def test_codex_log_within_max_age_answers_with_no_request(cli, codex_home, monkeypatch, mocked):
    register(monkeypatch, codex.PROVIDER)
    write_rollout(codex_home, LOG_NOW - timedelta(seconds=150))
    result = cli("guard", "codex", "--json", clock=lambda: LOG_NOW)
    assert len(mocked.calls) == 0
    assert result.code == 0, result.err
    [entry] = result.json()["results"]
    assert entry["source"] == "local"
    assert (entry["window"], entry["period_type"], entry["remaining_percent"]) == (
        "Weekly",
        "weekly",
        88,
    )
    assert cli("guard", "codex", "--max-age", "200", clock=lambda: LOG_NOW).code == 0
    assert len(mocked.calls) == 0


def test_codex_log_older_than_max_age_is_refreshed_over_the_network(
    cli, codex_home, monkeypatch, mocked
):
    register(monkeypatch, codex.PROVIDER)
    write_rollout(codex_home, LOG_NOW - timedelta(seconds=150))
    payload = {
        "plan_type": "free",
        "rate_limit": {
            "primary_window": {
                "used_percent": 93,
                "limit_window_seconds": 604800,
                "reset_at": int((LOG_NOW + timedelta(days=2)).timestamp()),
            },
            "secondary_window": None,
        },
    }
    mocked.get(WHAM_URL, json=payload)
    argv = ("guard", "codex", "--max-age", "199")  # the log's reading is 200 s old
    result = cli(*argv, "--window", "weekly", clock=lambda: LOG_NOW)
    assert [call.request.url for call in mocked.calls] == [WHAM_URL]
    assert result.code == 1
    assert result.out == "codex weekly: 7% remaining — BLOCKED (minimum 10%)\n"
    session_only = cli(*argv, "--window", "session", clock=lambda: LOG_NOW)
    assert session_only.code == 69
    assert "window_unavailable" in session_only.out
    assert len(mocked.calls) == 1  # the second run found the fetched snapshot in the cache


def test_claude_cached_within_max_age_makes_zero_requests(cli, home, monkeypatch, mocked):
    home.write_claude_credentials()
    register(monkeypatch, claude.PROVIDER)
    cache(home, "claude", session(20), weekly(63), age=250)
    result = cli("guard", "claude", clock=clock)
    assert len(mocked.calls) == 0
    assert result.code == 0
    assert result.out == "claude weekly: 37% remaining — OK (minimum 10%)\n"


def test_guard_never_starts_a_delegated_refresh(cli, home, monkeypatch, mocked, tmp_path):
    expired = int((NOW - timedelta(hours=1)).timestamp() * 1000)
    home.write_claude_credentials(expiresAt=expired)
    home.write_config('[providers.claude]\nauth_source = "oauth"\n')
    tools = tmp_path / "tools"
    tools.mkdir()
    marker = tmp_path / "claude-ran"
    fake = tools / "claude"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    register(monkeypatch, claude.PROVIDER)
    mocked.get(USAGE_URL, status=401, json={"type": "error"})
    result = cli("guard", "claude", clock=clock)
    assert not marker.exists()
    assert len(mocked.calls) == 1  # the expired token is tried (and refused), never renewed
    assert result.code == 69
    assert result.out == "claude: unknown — UNKNOWN (minimum 10%; no_credentials)\n"


def test_claude_fetched_in_this_run_counts(cli, home, monkeypatch, mocked):
    home.write_claude_credentials()
    register(monkeypatch, claude.PROVIDER)
    mocked.get(USAGE_URL, json=load_fixture("claude/oauth-usage-limits.json"))
    now = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)  # half of the fixture's session
    result = cli("guard", "claude", "--window", "session", "--json", clock=lambda: now)
    assert result.code == 0, result.err
    [entry] = result.json()["results"]
    assert (entry["source"], entry["stale"], entry["reason"]) == ("oauth", False, None)


# --- JSON ----------------------------------------------------------------------------------------


def test_json_document_has_the_contract_keys_in_order(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(94, resets_in=DAY)))
    document = cli("guard", "alpha", "--json", "--for", "3h", clock=clock).json()
    assert list(document) == [
        "schema_version",
        "decision",
        "exit_code",
        "min_remaining_percent",
        "results",
    ]
    assert (document["schema_version"], document["decision"], document["exit_code"]) == (
        1,
        "blocked",
        1,
    )
    assert document["min_remaining_percent"] == 10
    [entry] = document["results"]
    assert list(entry) == RESULT_KEYS
    assert entry["provider"] == "alpha" and entry["window"] == "Weekly"
    assert entry["period_type"] == "weekly" and entry["remaining_percent"] == 6
    assert entry["resets_at"] == (NOW + timedelta(days=1)).isoformat()
    assert entry["source"] == "fake" and entry["stale"] is False
    assert isinstance(entry["eta_seconds"], int)
    assert list(entry["for_check"]) == ["duration_seconds", "projected_used_percent", "ok"]
    assert entry["for_check"]["duration_seconds"] == 10800


def test_json_for_check_is_null_without_for_and_reason_null_when_ok(cli, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(20)))
    [entry] = cli("guard", "alpha", "--json", clock=clock).json()["results"]
    assert (entry["decision"], entry["reason"], entry["for_check"]) == ("ok", None, None)


# --- usage errors: 64 ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["--bogus"],
        ["--window", "hourly"],
        ["--min-remaining", "101"],
        ["--min-remaining", "-1"],
        ["--min-remaining", "nan"],
        ["--min-remaining", "inf"],
        ["--min-remaining", "ten"],
        ["--max-used", "150"],
        ["--min-remaining", "10", "--max-used", "80"],
        ["--for", "soon"],
        ["--for", "1x"],
        ["--for", ""],
        ["--max-age", "-1"],
        ["--max-age", "nan"],
        ["--timeout", "0"],
        ["--timeout", "-5"],
        ["--json", "--quiet"],
        ["nosuch"],
        ["--provider", "nosuch"],
    ],
)
def test_every_usage_error_exits_64(cli, monkeypatch, argv):
    register(monkeypatch, answering("alpha", weekly(20)))
    result = cli("guard", "alpha", *argv, clock=clock)
    assert result.code == 64, result.err
    assert result.out == ""
    assert result.err.startswith("vibeusage: ")


def test_a_broken_configuration_exits_64(cli, home, monkeypatch):
    register(monkeypatch, answering("alpha", weekly(20)))
    home.write_config("[fetch\ntimeout = 'x'\n")
    assert cli("guard", "alpha", clock=clock).code == 64
    home.write_config("")
    monkeypatch.setenv("VIBEUSAGE_ENABLED_PROVIDERS", "nosuch")
    assert cli("guard", clock=clock).code == 64


def test_the_usage_view_keeps_exit_4_for_its_own_usage_errors(cli):
    assert cli("--bogus").code == 4


def test_help_exits_0_and_lists_the_exit_codes(cli):
    result = cli("guard", "--help")
    assert result.code == 0
    assert "64 usage error" in result.out and "--min-remaining PCT" in result.out


# --- the README's recipes -------------------------------------------------------------------------


def readme_guard_commands() -> List[List[str]]:
    """Every ``vibeusage guard ...`` command line of the README (not the synopsis)."""
    readme = (Path(__file__).resolve().parent.parent / "README.rst").read_text(encoding="utf-8")
    found = []
    for match in re.finditer(r"vibeusage guard([^;|&\n`]*)", readme):
        rest = match.group(1).strip()
        if "[" not in rest:
            found.append(shlex.split(rest))
    return found


def test_the_readme_has_the_guard_recipes():
    commands = readme_guard_commands()
    assert ["claude", "--min-remaining", "10", "--quiet"] in commands
    assert any("--for" in argv for argv in commands)
    assert len(commands) >= 5


@pytest.mark.parametrize("argv", readme_guard_commands(), ids=" ".join)
def test_every_readme_guard_command_runs(cli, monkeypatch, argv):
    register(monkeypatch, answering("claude", weekly(40)), answering("codex", weekly(40)))
    result = cli("guard", *argv, clock=clock)
    assert result.code == 0, result.err
    if "--json" in argv:
        assert result.json()["decision"] == "ok"


def test_a_codexbar_guard_line_ports_by_renaming_the_binary(cli, monkeypatch):
    line = ("guard", "--provider", "claude", "--min-remaining", "15")
    register(monkeypatch, answering("claude", weekly(80)))
    assert cli(*line, clock=clock).code == 0
    register(monkeypatch, answering("claude", weekly(90)))
    assert cli(*line, clock=clock).code == 0  # the first answer is still in the cache
    later = NOW + timedelta(seconds=1)
    assert cli(*line, "--max-age", "0", clock=lambda: later).code == 1


def test_an_older_log_reading_never_replaces_a_newer_cached_snapshot(
    cli, home, codex_home, monkeypatch, mocked
):
    register(monkeypatch, codex.PROVIDER)
    write_rollout(codex_home, LOG_NOW - timedelta(seconds=150))  # its reading: 200 s old
    newer = UsageSnapshot("codex", LOG_NOW - timedelta(seconds=100), (weekly(50),), source="oauth")
    login = login_key_of("codex", home.root)
    SnapshotCache(home.cache_dir / "snapshots").save(newer, login)
    mocked.get(WHAM_URL, status=503)
    result = cli("guard", "codex", "--max-age", "60", "--json", clock=lambda: LOG_NOW)
    [entry] = result.json()["results"]
    assert (entry["reason"], entry["source"], entry["remaining_percent"]) == ("stale", "oauth", 50)
    assert SnapshotCache(home.cache_dir / "snapshots").load("codex", login) == newer
