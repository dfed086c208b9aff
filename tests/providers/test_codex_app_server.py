"""Codex's cli strategy: the app-server parser, and the JSON-RPC exchange with a fake ``codex``.

The fake is a Python script generated in ``tmp_path`` (``FAKE_CODEX`` in test_codex.py); its
mode decides how it answers. After every exchange the child must be reaped and whatever it
started must be gone, whichever way the exchange ended.
"""

import copy
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest

from tests.conftest import Home, load_fixture
from tests.providers.test_codex import (
    NOW,
    CodexEnv,
    at,
    check_parser_on_mutations,
    gone_within,
    make_codex_env,
    reaped,
    rows,
)
from vibeusage import __version__
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity
from vibeusage.providers.base import FetchResult
from vibeusage.providers.codex.app_server import CALL_TIMEOUT, INIT_TIMEOUT, CodexAppServer
from vibeusage.providers.codex.usage import parse_app_server

pytestmark = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="fake tools are #! scripts; Popen groups are POSIX"
)

#: Short limits so that the timeout paths keep the suite fast.
FAST = 0.6


@pytest.fixture
def codex(home: Home, tmp_path: Path) -> Iterator[CodexEnv]:
    env = make_codex_env(home, tmp_path)
    env.write_auth()  # present on disk: the app-server path must leave it alone too
    try:
        yield env
        env.check_auth()
    finally:
        env.kill_leftovers()


def ratelimits() -> Dict[str, Any]:
    data: Dict[str, Any] = load_fixture("codex/app-server-ratelimits.json")
    return data


def run(codex: CodexEnv, mode: str, *, timeout: float = 5.0, fast: bool = True) -> FetchResult:
    codex.fake_codex(app=mode)
    strategy = CodexAppServer(FAST, FAST) if fast else CodexAppServer()
    return strategy.fetch(codex.ctx(timeout=timeout))


def assert_all_gone(codex: CodexEnv) -> None:
    pids = codex.pids()
    assert pids, "the fake codex was never started"
    for pid in pids:
        assert reaped(pid), f"codex app-server (pid {pid}) was left running or unreaped"
    for pid in codex.grandchildren():
        assert gone_within(pid, 1.0), f"a process started by codex (pid {pid}) survived"


def error_of(result: FetchResult) -> VibeusageError:
    assert not result.success
    assert result.snapshot is None
    assert result.error is not None
    return result.error


# --- parse_app_server ---------------------------------------------------------------------------

FIXTURE_ROWS = [
    ("Session (5h)", 57, PeriodType.SESSION, at(1772196220), None),
    ("Weekly", 79, PeriodType.WEEKLY, at(1772606381), None),
]


def test_fixture_windows_come_from_window_duration_minutes() -> None:
    snapshot = parse_app_server(ratelimits(), NOW)
    assert rows(snapshot) == FIXTURE_ROWS
    assert snapshot.source == "cli"
    assert snapshot.fetched_at == NOW


def test_fixture_string_balance_is_a_credit_overage_and_plan_the_identity() -> None:
    snapshot = parse_app_server(ratelimits(), NOW)
    assert snapshot.overage == OverageUsage(
        None, None, "credits", True, balance=Decimal("1348.7450000000")
    )
    assert snapshot.identity == ProviderIdentity(plan="Plus")


def test_account_read_gives_email_and_a_plan_when_rate_limits_have_none() -> None:
    result = ratelimits()
    del result["rateLimits"]["planType"]
    account = {"account": {"type": "chatgpt", "email": "cli@example.com", "planType": "pro"}}
    snapshot = parse_app_server(result, NOW, account=account)
    assert snapshot.identity == ProviderIdentity(email="cli@example.com", plan="Pro")


def test_free_plan_weekly_primary_and_null_secondary() -> None:
    result = {
        "rateLimits": {
            "limitId": "codex",
            "primary": {"usedPercent": 64, "windowDurationMins": 10080, "resetsAt": 1772606381},
            "secondary": None,
            "credits": None,
            "planType": "free",
        }
    }
    snapshot = parse_app_server(result, NOW)
    assert rows(snapshot) == [("Weekly", 64, PeriodType.WEEKLY, at(1772606381), None)]
    assert snapshot.overage is None


def test_rate_limits_by_limit_id_codex_is_main_and_others_become_model_periods() -> None:
    spark = {
        "limitId": "codex_bengalfox",
        "limitName": "GPT-5.3-Codex-Spark",
        "primary": {"usedPercent": 10, "windowDurationMins": 300, "resetsAt": 1772200000},
        "secondary": None,
    }
    main = dict(ratelimits()["rateLimits"], limitId="codex")
    result = {
        "rateLimits": {"limitId": "stale-single-bucket", "primary": {"usedPercent": 99}},
        "rateLimitsByLimitId": {"codex_bengalfox": spark, "codex": main},
        "rateLimitResetCredits": {"availableCount": 1},
        "brandNewField": [1],
    }
    snapshot = parse_app_server(result, NOW)
    assert rows(snapshot) == [
        FIXTURE_ROWS[0],
        (
            "Session (GPT-5.3-Codex-Spark)",
            10,
            PeriodType.SESSION,
            at(1772200000),
            "GPT-5.3-Codex-Spark",
        ),
        FIXTURE_ROWS[1],
    ]


def test_unlimited_credits_without_balance_are_said_not_invented() -> None:
    result = ratelimits()
    result["rateLimits"]["credits"] = {"hasCredits": True, "unlimited": True, "balance": None}
    snapshot = parse_app_server(result, NOW)
    assert snapshot.overage is not None and snapshot.overage.unlimited
    assert snapshot.overage.balance is None and snapshot.overage.used is None
    assert snapshot.identity == ProviderIdentity(plan="Plus")


@pytest.mark.parametrize(
    "result",
    [None, [], "x", {}, {"rateLimits": None}, {"rateLimitsByLimitId": {"codex": 3}}],
)
def test_answer_without_rate_limits_is_a_parse_error(result: Any) -> None:
    with pytest.raises(VibeusageError) as info:
        parse_app_server(result, NOW)
    assert info.value.category is ErrorCategory.PARSE


# --- the strategy with a fake codex -------------------------------------------------------------


def test_available_only_with_codex_on_path_and_an_existing_codex_home(codex: CodexEnv) -> None:
    assert CodexAppServer().available(codex.ctx()) is False
    codex.fake_codex()
    assert CodexAppServer().available(codex.ctx()) is True
    missing_home = codex.ctx(CODEX_HOME=str(codex.root / "missing"))
    assert CodexAppServer().available(missing_home) is False  # Codex never used here
    assert codex.pids() == []  # availability never starts anything


def test_normal_exchange_skips_notifications_and_returns_limits_and_identity(
    codex: CodexEnv,
) -> None:
    result = run(codex, "normal")
    assert result.success, result.error
    snapshot = result.snapshot
    assert snapshot is not None
    assert rows(snapshot) == FIXTURE_ROWS  # not the 99 % sent for another id
    assert snapshot.source == "cli"
    assert snapshot.identity == ProviderIdentity(email="cli@example.com", plan="Plus")
    assert snapshot.overage is not None
    assert snapshot.overage.balance == Decimal("1348.7450000000")
    assert_all_gone(codex)


def test_exchange_launches_read_only_app_server_and_speaks_the_protocol(codex: CodexEnv) -> None:
    assert run(codex, "normal").success
    (start,) = codex.records("starts")
    assert start["argv"] == ["-s", "read-only", "-a", "never", "app-server"]
    assert not Path(start["cwd"]).exists(), "the app-server's working directory was left behind"
    received = codex.records("received")
    assert received[0] == {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {"clientInfo": {"name": "vibeusage", "version": __version__}},
    }
    assert received[1] == {"jsonrpc": "2.0", "method": "initialized"}
    assert [(m.get("id"), m["method"]) for m in received[2:]] == [
        (2, "account/rateLimits/read"),
        (3, "account/read"),
    ]


def test_authentication_required_error_is_an_authentication_error(codex: CodexEnv) -> None:
    error = error_of(run(codex, "auth_error"))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "`codex login`" in (error.remediation or "")
    assert "authentication required" in error.message
    assert_all_gone(codex)


def test_other_json_rpc_error_is_a_provider_error_with_its_message(codex: CodexEnv) -> None:
    error = error_of(run(codex, "rpc_error"))
    assert error.category is ErrorCategory.PROVIDER
    assert "backend unavailable" in error.message
    assert_all_gone(codex)


def test_garbage_lines_including_non_utf8_bytes_are_skipped(codex: CodexEnv) -> None:
    result = run(codex, "garbage")
    assert result.success, result.error
    assert result.snapshot is not None
    assert rows(result.snapshot) == FIXTURE_ROWS
    assert_all_gone(codex)


def test_nothing_but_garbage_is_a_parse_error_after_the_timeout(codex: CodexEnv) -> None:
    started = time.monotonic()
    error = error_of(run(codex, "garbage_only"))
    elapsed = time.monotonic() - started
    assert error.category is ErrorCategory.PARSE
    assert "`initialize`" in error.message
    assert elapsed < FAST + 2.0
    assert_all_gone(codex)


def test_silence_times_out_and_kills_the_child_and_its_children(codex: CodexEnv) -> None:
    started = time.monotonic()
    error = error_of(run(codex, "silence"))
    elapsed = time.monotonic() - started
    assert error.category is ErrorCategory.NETWORK
    assert "did not answer `initialize` in time" in error.message
    assert FAST - 0.1 <= elapsed < FAST + 2.0
    assert codex.grandchildren(), "the fake did not start its helper"
    assert_all_gone(codex)


def test_child_ignoring_sigterm_is_killed(codex: CodexEnv) -> None:
    error = error_of(run(codex, "stubborn"))
    assert error.category is ErrorCategory.NETWORK
    assert_all_gone(codex)


def test_early_exit_is_reported_at_once_with_its_exit_code(codex: CodexEnv) -> None:
    started = time.monotonic()
    error = error_of(run(codex, "exit", fast=False))
    elapsed = time.monotonic() - started
    assert error.category is ErrorCategory.PROVIDER
    assert "exited before answering `initialize`" in error.message
    assert "exit code 3" in error.message
    assert elapsed < 3.0  # not the 8 s initialise limit
    assert_all_gone(codex)


def test_exit_after_initialize_names_the_rate_limits_call(codex: CodexEnv) -> None:
    error = error_of(run(codex, "exit_after_init"))
    assert "exited before answering `account/rateLimits/read`" in error.message
    assert "exit code 4" in error.message
    assert_all_gone(codex)


def test_unanswered_account_read_costs_the_identity_not_the_limits(codex: CodexEnv) -> None:
    started = time.monotonic()
    result = run(codex, "no_account")
    elapsed = time.monotonic() - started
    assert result.success, result.error
    assert result.snapshot is not None
    assert result.snapshot.identity == ProviderIdentity(plan="Plus")
    assert FAST - 0.1 <= elapsed < FAST + 2.0
    assert_all_gone(codex)


def test_default_limits_are_8_and_3_seconds_but_the_strategy_budget_caps_them(
    codex: CodexEnv,
) -> None:
    assert (INIT_TIMEOUT, CALL_TIMEOUT) == (8.0, 3.0)
    strategy = CodexAppServer()
    assert (strategy.init_timeout, strategy.call_timeout) == (8.0, 3.0)
    started = time.monotonic()
    error = error_of(run(codex, "silence", timeout=1.5, fast=False))
    elapsed = time.monotonic() - started
    assert error.category is ErrorCategory.NETWORK
    assert elapsed < 1.5 + 0.5, "the child outlived the strategy's time budget"
    assert_all_gone(codex)


def test_real_unauthenticated_transcript_is_an_authentication_error(codex: CodexEnv) -> None:
    """The captured session of a logged-out Codex CLI 0.169.0, replayed byte for byte."""
    error = error_of(run(codex, "transcript"))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "codex account authentication required to read rate limits" in error.message
    assert "`codex login`" in (error.remediation or "")
    methods = [m["method"] for m in codex.records("received")]
    assert methods[:3] == ["initialize", "initialized", "account/rateLimits/read"]
    assert_all_gone(codex)


def test_parse_app_server_on_mutated_fixture_returns_a_snapshot_or_raises_parse_error() -> None:
    result = ratelimits()
    result["rateLimitsByLimitId"] = {
        "codex": copy.deepcopy(result["rateLimits"]),
        "codex_bengalfox": {
            "limitId": "codex_bengalfox",
            "limitName": "Spark",
            "primary": {"usedPercent": 1, "windowDurationMins": 300, "resetsAt": 1772200000},
        },
    }
    assert check_parser_on_mutations(lambda r: parse_app_server(r, NOW), result) > 100
