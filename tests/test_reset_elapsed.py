"""A window whose reset time has passed is shown as reset, never as current usage (issue 13 #2).

From outside: Claude answers with a session window that reset six hours before the run.
"""

from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import USAGE_URL, load_fixture

ACCOUNT_URL = "https://api.anthropic.com/api/oauth/account"
NOW = datetime(2026, 7, 3, 6, 30, tzinfo=timezone.utc)
RESET = NOW - timedelta(hours=6)


def clock() -> datetime:
    return NOW


@pytest.fixture
def answered(home, mocked):
    home.write_claude_credentials(accessToken="sk-ant-oat01-ResetElapsedTestToken0123456789")
    payload = {
        "five_hour": {"utilization": 62.0, "resets_at": RESET.isoformat()},
        "seven_day": {"utilization": 9.0, "resets_at": "2026-07-08T09:00:00+00:00"},
    }
    mocked.get(USAGE_URL, json=payload)
    mocked.get(ACCOUNT_URL, json=load_fixture("claude/oauth-account.json"))
    return mocked


def test_json_keeps_the_reset_window_marked_reset_elapsed(cli, answered):
    result = cli("--json", "claude", clock=clock)
    assert result.code == 0, result.err
    session, weekly = result.json()["periods"]
    assert (session["name"], session["utilization"], session["reset_elapsed"]) == (
        "Session (5h)",
        62,
        True,
    )
    assert session["pace"] is None and session["pace_ratio"] is None
    assert weekly["reset_elapsed"] is False


def test_table_shows_an_empty_bar_and_the_last_reading(cli, answered):
    result = cli("claude", clock=clock)
    assert result.code == 0, result.err
    row = next(line for line in result.out.splitlines() if "Session" in line)
    assert "reset 6h 0m ago, was 62%" in row
    assert "█" not in row and "#" not in row
    assert " 0%" in row and "62%" not in row.split("reset")[0]
    assert "reset due" not in result.out


def test_quiet_line_does_not_present_the_old_percent_as_current(cli, answered):
    result = cli("-q", "claude", clock=clock)
    line = next(line for line in result.out.splitlines() if "Session" in line)
    assert line == "claude Session (5h): 0%, reset 6h 0m ago, was 62%"


def test_prometheus_counts_the_reset_window_as_unused(cli, answered):
    result = cli("--format", "prometheus", "claude", clock=clock)
    assert result.code == 0, result.err
    sample = next(
        line
        for line in result.out.splitlines()
        if line.startswith("vibeusage_window_used_percent") and "Session" in line
    )
    assert sample.endswith(" 0")


def test_guard_decides_on_the_reset_window_as_empty(cli, answered):
    result = cli("guard", "claude", "--window", "session", "--json", clock=clock)
    assert result.code == 0, result.out + result.err
    decision = result.json()["results"][0]
    assert decision["decision"] == "ok"
    assert decision["remaining_percent"] == 100


def test_alert_does_not_fire_on_the_last_reading_of_a_reset_window(cli, home, mocked):
    home.write_claude_credentials(accessToken="sk-ant-oat01-ResetElapsedTestToken0123456789")
    payload = {
        "five_hour": {"utilization": 97.0, "resets_at": RESET.isoformat()},
        "seven_day": {"utilization": 9.0, "resets_at": "2026-07-08T09:00:00+00:00"},
    }
    mocked.get(USAGE_URL, json=payload)
    mocked.get(ACCOUNT_URL, json=load_fixture("claude/oauth-account.json"))
    result = cli("alert", clock=clock)
    assert (result.code, result.out) == (0, ""), result.err
