"""Guard's decision (FEATURES.md §2): thresholds, window choice, --for, exit codes, output."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from vibeusage.guard.decision import (
    EXIT_BLOCKED,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    Decision,
    GuardSubject,
    evaluate,
)
from vibeusage.guard.output import outcome_document, outcome_text, percent_text, result_line
from vibeusage.guard.policy import GuardPolicy, GuardUsageError, build_policy, parse_duration
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot

NOW = datetime(2026, 9, 22, 14, 0, tzinfo=timezone.utc)
HOUR = 3600
DAY = 86400
SESSION, DAILY, WEEKLY, MONTHLY = (
    PeriodType.SESSION,
    PeriodType.DAILY,
    PeriodType.WEEKLY,
    PeriodType.MONTHLY,
)


def period(name, used, resets_in, period_type=WEEKLY, model=None):
    resets_at = None if resets_in is None else NOW + timedelta(seconds=resets_in)
    return UsagePeriod(name, used, period_type, resets_at, model)


def subject(provider, *periods, source="oauth", reason=None):
    snapshot = UsageSnapshot(provider, NOW, tuple(periods), source=source)
    return GuardSubject(provider, snapshot, reason)


def decide(*subjects, fail_open=False, **policy):
    return evaluate(subjects, GuardPolicy(**policy), NOW, fail_open)


def weekly(used, resets_in=3 * DAY + 12 * HOUR, model=None):
    return period("Weekly" if model is None else f"Weekly ({model})", used, resets_in,
                  WEEKLY, model)  # fmt: skip


# --- thresholds ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "used, minimum, decision",
    [
        (89, "10", Decision.OK),  # 11 remaining
        (90, "10", Decision.OK),  # 10 remaining: the minimum is inclusive
        (91, "10", Decision.BLOCKED),  # 9 remaining
        (100, "0", Decision.OK),  # nothing left, nothing required
        (0, "100", Decision.OK),
        (1, "100", Decision.BLOCKED),
        (88, "12.5", Decision.BLOCKED),  # 12 < 12.5
        (87, "12.5", Decision.OK),
    ],
)
def test_minimum_remaining_is_inclusive(used, minimum, decision):
    outcome = decide(subject("claude", weekly(used)), min_remaining=Decimal(minimum))
    assert outcome.decision is decision
    assert outcome.results[0].reason == (None if decision is Decision.OK else "below_minimum")


def test_default_minimum_is_10_percent_remaining():
    assert build_policy().min_remaining == 10
    assert decide(subject("claude", weekly(91))).decision is Decision.BLOCKED


@pytest.mark.parametrize("used, decision", [(79, Decision.OK), (80, Decision.OK),
                                            (81, Decision.BLOCKED)])  # fmt: skip
def test_max_used_is_a_minimum_of_100_minus_it_inclusive(used, decision):
    policy = build_policy(max_used="80")
    assert policy.min_remaining == 20
    assert evaluate([subject("claude", weekly(used))], policy, NOW).decision is decision


@pytest.mark.parametrize("text", ["0", "100", "10", "12.5", " 15 "])
def test_percent_options_accept_finite_values_from_0_to_100(text):
    assert build_policy(min_remaining=text).min_remaining == Decimal(text.strip())
    assert build_policy(max_used=text).min_remaining == 100 - Decimal(text.strip())


@pytest.mark.parametrize("text", ["-1", "100.01", "nan", "inf", "-inf", "ten", "", "1e400"])
def test_percent_options_reject_anything_else(text):
    with pytest.raises(GuardUsageError):
        build_policy(min_remaining=text)
    with pytest.raises(GuardUsageError):
        build_policy(max_used=text)


def test_min_remaining_and_max_used_together_are_a_usage_error():
    with pytest.raises(GuardUsageError, match="together"):
        build_policy(min_remaining="10", max_used="90")


def test_unknown_window_choice_is_a_usage_error():
    with pytest.raises(GuardUsageError):
        build_policy(window="hourly")


@pytest.mark.parametrize(
    "text, seconds",
    [
        ("45s", 45),
        ("90m", 5400),
        ("3h", 10800),
        ("2d", 172800),
        ("1h30m", 5400),
        ("1d2h3m4s", 93784),
        ("600", 600),
        ("0", 0),
        (" 3H ", 10800),
    ],
)
def test_for_durations_in_every_documented_spelling(text, seconds):
    assert parse_duration(text) == seconds
    assert build_policy(for_duration=text).for_seconds == seconds


@pytest.mark.parametrize("text", ["", "h", "1.5h", "3x", "-5", "30m1h", "1h 30m", "٣", "3 h"])
def test_for_rejects_other_durations(text):
    with pytest.raises(GuardUsageError):
        parse_duration(text)


# --- exit codes ------------------------------------------------------------------------------


def test_all_ok_exits_0():
    outcome = decide(subject("claude", weekly(20)), subject("codex", weekly(30)))
    assert (outcome.decision, outcome.exit_code) == (Decision.OK, EXIT_OK)


def test_any_blocked_exits_1():
    outcome = decide(subject("claude", weekly(20)), subject("codex", weekly(95)))
    assert (outcome.decision, outcome.exit_code) == (Decision.BLOCKED, EXIT_BLOCKED)
    assert [r.decision for r in outcome.results] == [Decision.OK, Decision.BLOCKED]


def test_unknown_without_blocked_exits_69():
    failed = GuardSubject("codex", None, "fetch_failed")
    outcome = decide(subject("claude", weekly(20)), failed)
    assert (outcome.decision, outcome.exit_code) == (Decision.UNKNOWN, EXIT_UNAVAILABLE)


def test_fail_open_turns_unknown_into_exit_0_but_keeps_the_decision():
    outcome = decide(GuardSubject("claude", None, "timeout"), fail_open=True)
    assert (outcome.decision, outcome.exit_code) == (Decision.UNKNOWN, EXIT_OK)
    assert outcome_document(outcome)["exit_code"] == 0
    assert outcome_document(outcome)["decision"] == "unknown"


@pytest.mark.parametrize("fail_open", [False, True])
def test_blocked_beats_unknown_even_with_fail_open(fail_open):
    outcome = decide(
        GuardSubject("claude", None, "no_credentials"),
        subject("codex", weekly(99)),
        fail_open=fail_open,
    )
    assert (outcome.decision, outcome.exit_code) == (Decision.BLOCKED, EXIT_BLOCKED)


def test_no_provider_at_all_is_unknown():
    outcome = decide()
    assert (outcome.decision, outcome.exit_code) == (Decision.UNKNOWN, EXIT_UNAVAILABLE)
    assert outcome.results == ()


@pytest.mark.parametrize("reason", ["no_credentials", "fetch_failed", "timeout"])
def test_a_provider_without_data_is_one_unknown_result_with_its_reason(reason):
    outcome = decide(GuardSubject("claude", None, reason), window="session")
    (result,) = outcome.results
    assert (result.decision, result.reason, result.period_type) == (
        Decision.UNKNOWN,
        reason,
        "session",
    )
    assert result.remaining_percent is None and result.period is None


# --- staleness -------------------------------------------------------------------------------


def test_stale_data_is_unknown_even_below_the_minimum_and_says_it_is_stale():
    outcome = decide(subject("claude", weekly(97), source="statusline", reason="stale"))
    (result,) = outcome.results
    assert (result.decision, result.reason, result.stale) == (Decision.UNKNOWN, "stale", True)
    assert result.remaining_percent == 3  # the windows are still named
    assert outcome.exit_code == EXIT_UNAVAILABLE


def test_fresh_data_is_not_stale_and_carries_its_source():
    (result,) = decide(subject("claude", weekly(20), source="statusline")).results
    assert (result.stale, result.source) == (False, "statusline")


# --- which windows (--window) ----------------------------------------------------------------


def claude_like():
    """A session that runs out soon (binding) and a weekly window that lasts but is fuller."""
    session = period("Session (5h)", 30, 4 * HOUR + 30 * 60, SESSION)  # 30 % in 30 min
    week = weekly(85, resets_in=16 * HOUR + 48 * 60)  # 85 % at 90 % elapsed: lasts
    return subject("claude", session, week)


def test_binding_window_is_the_default_and_is_the_snapshots_binding_period():
    (result,) = decide(claude_like(), min_remaining=Decimal(20)).results
    assert result.period.name == "Session (5h)"
    assert result.decision is Decision.OK  # 70 remaining


def test_binding_window_follows_the_forecast_not_the_first_window():
    session = period("Session (5h)", 10, 2 * HOUR, SESSION)  # lasts
    week = weekly(99, resets_in=50 * HOUR)  # runs out in about an hour
    (result,) = decide(subject("claude", session, week)).results
    assert (result.period.name, result.decision) == ("Weekly", Decision.BLOCKED)


def test_a_period_type_selects_that_window_instead_of_the_binding_one():
    (result,) = decide(claude_like(), min_remaining=Decimal(20), window="weekly").results
    assert result.period.name == "Weekly"
    assert (result.decision, result.remaining_percent) == (Decision.BLOCKED, 15)


def test_codex_weekly_only_account_is_found_by_type():
    codex = subject("codex", weekly(40))  # its only window arrived in the primary slot
    (result,) = decide(codex, window="weekly").results
    assert (result.period_type, result.decision) == ("weekly", Decision.OK)


def test_a_missing_window_type_is_unknown_window_unavailable():
    (result,) = decide(subject("codex", weekly(40)), window="session").results
    assert (result.decision, result.reason) == (Decision.UNKNOWN, "window_unavailable")
    assert result.period_type == "session"
    assert result.source == "oauth"


def test_type_selection_takes_the_lowest_remaining_candidate_of_that_type():
    first = period("Monthly A", 30, 10 * DAY, MONTHLY)
    second = period("Monthly B", 70, 10 * DAY, MONTHLY)
    tied = period("Monthly C", 70, 10 * DAY, MONTHLY)
    (result,) = decide(subject("cursor", first, second, tied), window="monthly").results
    assert result.period.name == "Monthly B"  # the tie with C goes to display order


def test_type_selection_ignores_per_model_windows_while_all_model_ones_exist():
    snapshot = subject("claude", weekly(20), weekly(99, model="opus"))
    (result,) = decide(snapshot, window="weekly").results
    assert (result.period.name, result.decision) == ("Weekly", Decision.OK)


def test_all_checks_every_window_per_model_included():
    snapshot = subject("claude", weekly(20), weekly(99, model="opus"))
    outcome = decide(snapshot, window="all")
    assert [r.period.name for r in outcome.results] == ["Weekly", "Weekly (opus)"]
    assert outcome.decision is Decision.BLOCKED


def test_a_snapshot_without_windows_is_window_unavailable():
    for window in ("binding", "all", "weekly"):
        (result,) = decide(subject("claude"), window=window).results
        assert (result.decision, result.reason) == (Decision.UNKNOWN, "window_unavailable")


def test_every_provider_gets_its_results_in_order():
    outcome = decide(claude_like(), subject("codex", weekly(40)), window="all")
    assert [(r.provider, r.period.name) for r in outcome.results] == [
        ("claude", "Session (5h)"),
        ("claude", "Weekly"),
        ("codex", "Weekly"),
    ]


# --- the --for forecast check ----------------------------------------------------------------


def half_week(used):
    """A weekly window at exactly half its length (3.5 days elapsed, 3.5 days to go)."""
    return subject("claude", weekly(used, resets_in=3 * DAY + 12 * HOUR))


def test_for_blocks_when_the_projection_passes_the_limit():
    # 50 % in 84 h; over the next 42 h another 25 % -> 75 % > 70 % allowed.
    outcome = decide(half_week(50), min_remaining=Decimal(30), for_seconds=42 * HOUR)
    (result,) = outcome.results
    assert (result.decision, result.reason) == (Decision.BLOCKED, "forecast")
    assert result.for_check.projected_used_percent == 75
    assert result.for_check.ok is False


def test_for_passes_when_the_projection_stays_within_the_limit():
    outcome = decide(half_week(50), min_remaining=Decimal(30), for_seconds=3 * HOUR)
    (result,) = outcome.results
    assert (result.decision, result.for_check.ok) == (Decision.OK, True)


def test_for_projection_exactly_at_the_limit_is_ok():
    outcome = decide(half_week(50), min_remaining=Decimal(0), for_seconds=84 * HOUR)
    (result,) = outcome.results
    assert result.for_check.projected_used_percent == 100
    assert result.decision is Decision.OK


def test_for_counts_only_the_time_before_the_reset():
    outcome = decide(half_week(50), min_remaining=Decimal(0), for_seconds=30 * DAY)
    (result,) = outcome.results
    assert result.for_check.projected_used_percent == 100  # as far as the reset, no further
    assert result.decision is Decision.OK


def test_for_without_a_pace_projects_nothing_and_does_not_block():
    idle = subject("claude", period("Session (5h)", 0, None, SESSION))
    (result,) = decide(idle, for_seconds=3 * HOUR).results
    assert (result.for_check.projected_used_percent, result.for_check.ok) == (None, None)
    assert result.decision is Decision.OK


def test_below_minimum_is_the_reason_when_both_checks_fail():
    (result,) = decide(half_week(95), for_seconds=3 * HOUR).results
    assert result.reason == "below_minimum"
    assert result.for_check.ok is False


def test_without_for_there_is_no_for_check():
    (result,) = decide(half_week(50)).results
    assert result.for_check is None
    assert outcome_document(decide(half_week(50)))["results"][0]["for_check"] is None


# --- output (§2.2) ---------------------------------------------------------------------------


def test_human_lines_match_the_documented_examples():
    claude = subject("claude", weekly(63))
    codex = subject("codex", weekly(20), weekly(94, model="gpt-5-codex"))
    outcome = decide(claude, codex, GuardSubject("claude", None, "fetch_failed"), window="all")
    text = outcome_text(decide(claude, window="weekly")) + outcome_text(outcome)
    assert text.splitlines() == [
        "claude weekly: 37% remaining — OK (minimum 10%)",
        "claude weekly: 37% remaining — OK (minimum 10%)",
        "codex weekly: 80% remaining — OK (minimum 10%)",
        "codex weekly (gpt-5-codex): 6% remaining — BLOCKED (minimum 10%)",
        "claude: unknown — UNKNOWN (minimum 10%; fetch_failed)",
    ]


def test_human_line_of_an_unknown_typed_window_names_the_type():
    outcome = decide(GuardSubject("claude", None, "fetch_failed"), window="session")
    line = "claude session: unknown — UNKNOWN (minimum 10%; fetch_failed)"
    assert outcome_text(outcome) == line + "\n"


def test_human_line_names_the_forecast_and_stale_reasons():
    blocked = decide(half_week(50), min_remaining=Decimal(30), for_seconds=42 * HOUR)
    line = "claude weekly: 50% remaining — BLOCKED (minimum 30%; forecast)"
    assert outcome_text(blocked) == line + "\n"
    stale = decide(subject("claude", weekly(63), reason="stale"))
    assert outcome_text(stale) == "claude weekly: 37% remaining — UNKNOWN (minimum 10%; stale)\n"


def test_human_line_falls_back_to_ascii():
    (result,) = decide(subject("claude", weekly(63))).results
    assert result_line(result, Decimal(10), unicode=False) == (
        "claude weekly: 37% remaining - OK (minimum 10%)"
    )


@pytest.mark.parametrize(
    "number, text",
    [
        ("37", "37"),
        ("12.5", "12.5"),
        ("37.25", "37.3"),
        ("99.96", "100"),
        ("0", "0"),
        ("10.0", "10"),
    ],  # fmt: skip
)
def test_human_percents_are_whole_without_decimals_else_one(number, text):
    assert percent_text(Decimal(number)) == text


def test_json_document_has_the_documented_shape_and_values():
    resets_at = datetime(2026, 9, 25, 9, tzinfo=timezone.utc)
    # 94 % used 73.2 h into the week: 6 % more takes 4 h 40 min, before the reset.
    now = resets_at - timedelta(days=7) + timedelta(seconds=263_200)
    statusline = UsageSnapshot(
        "claude", now, (UsagePeriod("Weekly", 94, WEEKLY, resets_at),), source="statusline"
    )
    outcome = evaluate([GuardSubject("claude", statusline)], GuardPolicy(for_seconds=10800), now)
    document = json.loads(json.dumps(outcome_document(outcome)))
    assert document == {
        "schema_version": 1,
        "decision": "blocked",
        "exit_code": 1,
        "min_remaining_percent": 10,
        "results": [
            {
                "provider": "claude",
                "window": "Weekly",
                "period_type": "weekly",
                "remaining_percent": 6,
                "decision": "blocked",
                "reason": "below_minimum",
                "resets_at": "2026-09-25T09:00:00+00:00",
                "source": "statusline",
                "stale": False,
                "eta_seconds": 16800,
                "for_check": {
                    "duration_seconds": 10800,
                    "projected_used_percent": 97.9,
                    "ok": False,
                },
            }
        ],
    }


def test_json_document_of_an_unknown_provider_has_nulls_not_zeros():
    outcome = decide(GuardSubject("claude", None, "no_credentials"), for_seconds=60)
    (result,) = outcome_document(outcome)["results"]
    assert result == {
        "provider": "claude",
        "window": None,
        "period_type": None,
        "remaining_percent": None,
        "decision": "unknown",
        "reason": "no_credentials",
        "resets_at": None,
        "source": None,
        "stale": False,
        "eta_seconds": None,
        "for_check": None,
    }


def test_json_minimum_keeps_its_decimals():
    outcome = decide(subject("claude", weekly(20)), min_remaining=Decimal("12.5"))
    assert outcome_document(outcome)["min_remaining_percent"] == 12.5
