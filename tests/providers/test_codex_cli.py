"""``vibeusage codex`` end to end: the fallback order oauth -> cli -> local, seen in --verbose.

The registry is patched to hold Claude and Codex (registering Codex for real is the lead's
change); CODEX_HOME and PATH point into ``tmp_path``, so neither the real Codex CLI nor the
real ``~/.codex`` is ever used.
"""

import json
import os
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from responses import matchers

from tests.conftest import CliResult, Home, load_fixture
from tests.providers.test_codex import (
    ACCESS,
    SECRETS,
    STATUS_URL,
    USAGE_URL,
    CodexEnv,
    make_codex_env,
    posix_only,
    reaped,
)
from vibeusage.providers import claude
from vibeusage.providers import codex as codex_provider

UTC = timezone.utc
NOW = datetime(2026, 8, 13, 14, 0, 0, tzinfo=UTC)
OBSERVED = NOW - timedelta(minutes=10)
WEEKLY_RESET = NOW + timedelta(days=3)


@pytest.fixture
def codex(home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CodexEnv]:
    env = make_codex_env(home, tmp_path)
    monkeypatch.setattr(
        "vibeusage.providers.all_providers", lambda: (claude.PROVIDER, codex_provider.PROVIDER)
    )
    for key, value in env.environ().items():
        if key != "HOME":
            monkeypatch.setenv(key, value)
    try:
        yield env
        env.check_auth()
    finally:
        env.kill_leftovers()


def use_fake_codex(codex: CodexEnv, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    codex.fake_codex(app=mode)
    for key, value in codex.env.items():
        monkeypatch.setenv(key, value)


def oauth_rejected(codex: CodexEnv, home: Home, mocked: Any) -> None:
    """A login that the endpoint rejects, with delegated refresh switched off."""
    home.write_config("[providers.codex]\ncli_refresh = false\n")
    codex.write_auth()
    mocked.get(
        USAGE_URL,
        status=401,
        json={"detail": "Could not validate your credentials"},
        match=[matchers.header_matcher({"Authorization": f"Bearer {ACCESS}"})],
    )
    mocked.get(STATUS_URL, json=load_fixture("status/statuspage-minor.json"))


def session_log(codex: CodexEnv) -> None:
    """Today's rollout with a reading from ten minutes ago."""
    event = {
        "timestamp": OBSERVED.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "type": "event_msg",
        "payload": {
            "type": "token_count",
            "info": None,
            "rate_limits": {
                "primary": {
                    "used_percent": 27.0,
                    "window_minutes": 10080,
                    "resets_at": int(WEEKLY_RESET.timestamp()),
                },
                "secondary": None,
                "credits": {"has_credits": True, "unlimited": False, "balance": "42.5"},
                "plan_type": "plus",
            },
        },
    }
    folder = codex.root / "sessions" / NOW.strftime("%Y/%m/%d")
    folder.mkdir(parents=True)
    path = folder / "rollout-2026-08-13T13-00-00-0198a11b.jsonl"
    path.write_text(json.dumps(event) + "\n", encoding="utf-8")
    stamp = OBSERVED.timestamp()
    os.utime(path, (stamp, stamp))


def attempts_line(result: CliResult) -> str:
    lines = [line for line in result.out.splitlines() if "Attempts:" in line]
    assert len(lines) == 1, result.out + result.err
    return lines[0]


def assert_no_secrets(result: CliResult) -> None:
    for secret in SECRETS:
        assert secret not in result.out + result.err


def run_codex(cli: Callable[..., CliResult], *args: str) -> CliResult:
    return cli("codex", *args, clock=lambda: NOW)


def usage_calls(mocked: Any) -> int:
    return len([c for c in mocked.calls if c.request.url == USAGE_URL])


def test_oauth_401_without_refresh_then_no_cli_then_local_succeeds_in_verbose(
    codex: CodexEnv, home: Home, mocked: Any, cli: Callable[..., CliResult]
) -> None:
    oauth_rejected(codex, home, mocked)
    session_log(codex)

    result = run_codex(cli, "--verbose")

    assert result.code == 0, result.out + result.err
    assert "Weekly" in result.out
    assert "27%" in result.out
    assert "Credits: 42.50 left" in result.out
    assert "Source: local" in result.out
    attempts = attempts_line(result)
    assert re.search(
        r"Attempts: oauth failed in \d+ ms: Codex rejected the credentials \(HTTP 401\)"
        r"[^;]*; local ok in \d+ ms$",
        attempts,
    ), attempts
    assert "cli" not in attempts  # no `codex` on PATH: the strategy was not available
    assert codex.pids() == []  # neither a refresh nor an app-server was started
    assert usage_calls(mocked) == 1
    assert_no_secrets(result)


@posix_only
def test_all_three_attempts_show_when_codex_is_installed_but_logged_out(
    codex: CodexEnv,
    home: Home,
    mocked: Any,
    cli: Callable[..., CliResult],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    oauth_rejected(codex, home, mocked)
    session_log(codex)
    use_fake_codex(codex, monkeypatch, "auth_error")

    result = run_codex(cli, "--verbose")

    assert result.code == 0, result.out + result.err
    attempts = attempts_line(result)
    parts = attempts.split("Attempts: ", 1)[1].split("; ")
    assert [part.split(" ", 2)[:2] for part in parts] == [
        ["oauth", "failed"],
        ["cli", "failed"],
        ["local", "ok"],
    ]
    assert "authentication required" in parts[1]
    # Only the app-server was started (cli_refresh is off), and it is gone.
    starts = codex.records("starts")
    assert [s["argv"][-1] for s in starts] == ["app-server"]
    assert all(reaped(s["pid"]) for s in starts)
    assert_no_secrets(result)


def test_json_of_the_local_fallback_names_its_source_and_observation_time(
    codex: CodexEnv, home: Home, mocked: Any, cli: Callable[..., CliResult]
) -> None:
    oauth_rejected(codex, home, mocked)
    session_log(codex)

    result = run_codex(cli, "--json")

    assert result.code == 0, result.err
    document = result.json()
    assert document["provider"] == "codex"
    assert document["source"] == "local"
    assert document["fetched_at"] == OBSERVED.isoformat()
    assert [(p["name"], p["utilization"], p["period_type"]) for p in document["periods"]] == [
        ("Weekly", 27, "weekly")
    ]
    assert document["overage"] == {
        "used": None,
        "limit": None,
        "currency": "credits",
        "is_enabled": True,
        "balance": "42.50",
        "unlimited": False,
    }
    assert document["identity"]["plan"] == "Plus"


def test_when_every_strategy_fails_the_error_is_the_oauth_login_error(
    codex: CodexEnv, home: Home, mocked: Any, cli: Callable[..., CliResult]
) -> None:
    oauth_rejected(codex, home, mocked)
    (codex.root / "sessions").mkdir()  # Codex was used, but never logged a reading

    result = run_codex(cli, "--verbose")

    assert result.code == 2, result.out + result.err
    text = result.out + result.err
    assert "Codex rejected the credentials (HTTP 401)" in text
    assert "`codex login`" in text
    tried = [line for line in text.splitlines() if "tried:" in line]
    assert len(tried) == 1
    assert re.search(r"tried: oauth \(\d+ ms\): .*, local \(\d+ ms\): No Codex session", tried[0])
    assert_no_secrets(result)


def test_cli_refresh_must_be_a_boolean_in_the_config(
    codex: CodexEnv, home: Home, cli: Callable[..., CliResult]
) -> None:
    home.write_config('[providers.codex]\ncli_refresh = "no"\n')
    result = run_codex(cli)
    assert result.code == 4
    assert "cli_refresh" in result.out + result.err
