"""Z.ai's pure parts: the quota parser on every real payload and each unit trap, the error
table of the body's ``code``, and the format check of ``vibeusage key zai set``."""

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest

from tests.conftest import load_fixture
from vibeusage.errors import ErrorCategory, ExitCode, VibeusageError
from vibeusage.models import PeriodType, UsageSnapshot
from vibeusage.providers.zai.api import key_problem
from vibeusage.providers.zai.refusals import body_error, is_success
from vibeusage.providers.zai.usage import parse_quota, plan_name, reset_time, window_seconds

UTC = timezone.utc
#: Before every reset time of the fixtures.
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def rows(snapshot: UsageSnapshot) -> List[Any]:
    return [(p.name, p.period_type, p.utilization, p.model) for p in snapshot.periods]


def envelope(*limits: Dict[str, Any], **data: Any) -> Dict[str, Any]:
    return {
        "code": 200,
        "msg": "Operation successful",
        "success": True,
        "data": {"limits": list(limits), **data},
    }


def session(**fields: Any) -> Dict[str, Any]:
    entry: Dict[str, Any] = {"type": "TOKENS_LIMIT", "unit": 3, "number": 5}
    entry.update(fields)
    return entry


# --- the real payloads ------------------------------------------------------------------------


def test_pro_fixture_gives_session_weekly_and_tools_with_resets_and_plan():
    snapshot = parse_quota(load_fixture("zai/quota-limit-pro.json"), NOW)
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 25, None),
        ("Weekly", PeriodType.WEEKLY, 9, None),
        ("Tools (monthly)", PeriodType.MONTHLY, 22, None),
    ]
    session_, weekly, tools = snapshot.periods
    assert session_.resets_at == ms(1785816000000)
    assert weekly.resets_at == ms(1786291200000)
    assert tools.resets_at is None  # the entry has no nextResetTime
    assert snapshot.identity is not None and snapshot.identity.plan == "Pro"
    assert snapshot.identity.email is None and snapshot.identity.organization is None
    assert snapshot.source == "api_key" and snapshot.provider == "zai"
    assert snapshot.overage is None and snapshot.status is None
    assert snapshot.notes == ("tool calls: search-prime 210",)


def test_over_limit_credit_plan_clamps_to_100_and_counts_the_weekly_from_current_value():
    snapshot = parse_quota(load_fixture("zai/quota-limit-v3-credit-over-limit.json"), NOW)
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 100, None),  # 2005 of 2000
        ("Weekly", PeriodType.WEEKLY, 20, None),  # 2005 of 10000
    ]
    assert snapshot.identity is not None and snapshot.identity.plan == "Lite"
    assert snapshot.periods[0].resets_at == ms(1786624439633)


def test_percent_only_live_shape_uses_percentage_and_tools_from_current_plus_remaining():
    snapshot = parse_quota(load_fixture("zai/quota-limit-percent-only-live.json"), NOW)
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 1, None),
        ("Weekly", PeriodType.WEEKLY, 2, None),
        ("Tools (monthly)", PeriodType.MONTHLY, 0, None),
    ]
    assert [p.resets_at for p in snapshot.periods] == [
        ms(1788455420775),
        ms(1789005906998),
        ms(1790733906999),
    ]
    assert snapshot.identity is not None and snapshot.identity.plan == "Pro"


def test_v3_credit_pro_prefers_current_value_over_remaining_that_does_not_add_up():
    snapshot = parse_quota(load_fixture("zai/quota-limit-v3-credit-pro.json"), NOW)
    # 402 of 12000 is 3.35 %: 3. (12000 - 11615) / 12000 would say 3 too, but on the weekly
    # (60000 - 58791) / 60000 = 2.01 and 1226 / 60000 = 2.04: both 2; the counts come first.
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 3, None),
        ("Weekly", PeriodType.WEEKLY, 2, None),
    ]


def test_china_fixture_with_chinese_message_parses_and_notes_the_tool_breakdown():
    payload = load_fixture("zai/quota-limit-cn-lite.json")
    assert body_error(payload) is None  # "操作成功" with code 200
    snapshot = parse_quota(payload, NOW)
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 1, None),
        ("Tools (monthly)", PeriodType.MONTHLY, 28, None),
    ]
    assert snapshot.identity is not None and snapshot.identity.plan == "Lite"
    assert snapshot.notes == ("tool calls: search-prime 67 · web-reader 33 · zread 0",)


def test_pro_tools_fixture_without_weekly_window():
    snapshot = parse_quota(load_fixture("zai/quota-limit-pro-tools.json"), NOW)
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 1, None),
        ("Tools (monthly)", PeriodType.MONTHLY, 0, None),
    ]
    assert snapshot.periods[1].resets_at == ms(1773596236985)


@pytest.mark.parametrize(
    "name",
    [
        "quota-limit-pro.json",
        "quota-limit-pro-tools.json",
        "quota-limit-percent-only-live.json",
        "quota-limit-v3-credit-over-limit.json",
        "quota-limit-v3-credit-pro.json",
        "quota-limit-cn-lite.json",
    ],
)
def test_every_success_fixture_is_a_success_envelope(name):
    payload = load_fixture(f"zai/{name}")
    assert is_success(payload) and body_error(payload) is None


# --- unit traps ---------------------------------------------------------------------------------


def test_usage_is_the_allowance_and_current_value_the_amount_used():
    snapshot = parse_quota(envelope(session(usage=800, currentValue=200, percentage=99)), NOW)
    assert snapshot.periods[0].utilization == 25  # not 75, and counts beat the percentage


def test_remaining_is_used_only_without_current_value():
    snapshot = parse_quota(envelope(session(usage=1000, remaining=900, percentage=99)), NOW)
    assert snapshot.periods[0].utilization == 10


def test_remaining_larger_than_the_allowance_clamps_to_zero():
    snapshot = parse_quota(envelope(session(usage=12000, remaining=12017)), NOW)
    assert snapshot.periods[0].utilization == 0


def test_fractional_percentage_is_floored_not_rejected():
    snapshot = parse_quota(
        envelope(session(percentage=42.5), session(unit=6, number=1, percentage="4.2")), NOW
    )
    assert [p.utilization for p in snapshot.periods] == [42, 4]


def test_numbers_as_strings_are_read():
    snapshot = parse_quota(
        envelope(session(unit="3", number="5", usage="2000", currentValue="500")), NOW
    )
    assert rows(snapshot) == [("Session (5h)", PeriodType.SESSION, 25, None)]


def test_zero_allowance_falls_back_to_the_percentage():
    snapshot = parse_quota(envelope(session(usage=0, currentValue=0, percentage=7)), NOW)
    assert snapshot.periods[0].utilization == 7


def test_tools_without_anything_used_or_left_is_zero_percent():
    tools = {"type": "TIME_LIMIT", "unit": 5, "number": 1, "currentValue": 0, "remaining": 0}
    snapshot = parse_quota(envelope(tools), NOW)
    assert rows(snapshot) == [("Tools (monthly)", PeriodType.MONTHLY, 0, None)]


def test_next_reset_time_is_milliseconds_and_zero_or_junk_is_unknown():
    assert reset_time(1785816000000) == datetime(2026, 8, 4, 4, 0, tzinfo=UTC)
    assert reset_time("1785816000000") == datetime(2026, 8, 4, 4, 0, tzinfo=UTC)
    for value in (0, None, "soon", -5, True, 10**30):
        assert reset_time(value) is None


@pytest.mark.parametrize(
    "unit, number, seconds",
    [(3, 5, 5 * 3600), (6, 1, 7 * 86400), (5, 1, 30 * 86400), (4, 1, 86400), (3, 1, 3600)],
)
def test_window_length_from_unit_and_number(unit, number, seconds):
    assert window_seconds(unit, number) == seconds


def test_unit_codes_decide_the_period_not_the_slot():
    weekly_first = envelope(session(unit=6, number=1, percentage=9), session(percentage=25))
    assert [p.period_type for p in parse_quota(weekly_first, NOW).periods] == [
        PeriodType.SESSION,
        PeriodType.WEEKLY,
    ]
    daily = parse_quota(envelope(session(unit=4, number=1, percentage=3)), NOW)
    assert rows(daily) == [("Daily", PeriodType.DAILY, 3, None)]
    monthly = parse_quota(envelope(session(unit=5, number=1, percentage=3)), NOW)
    assert rows(monthly) == [("Monthly", PeriodType.MONTHLY, 3, None)]


def test_unknown_unit_is_classified_by_the_time_to_the_reset_and_noted():
    reset = NOW + timedelta(days=6, hours=20)
    entry = session(unit=9, number=1, percentage=9, nextResetTime=int(reset.timestamp() * 1000))
    snapshot = parse_quota(envelope(entry), NOW)
    assert rows(snapshot) == [("Weekly", PeriodType.WEEKLY, 9, None)]
    assert any("unit 9 unknown" in note and "weekly" in note for note in snapshot.notes)


def test_unknown_unit_without_a_reset_is_left_out_with_a_note():
    snapshot = parse_quota(
        envelope(session(unit=1, number=1, percentage=9), session(percentage=2)), NOW
    )
    assert rows(snapshot) == [("Session (5h)", PeriodType.SESSION, 2, None)]
    assert any("unit 1" in note for note in snapshot.notes)


def test_entry_without_any_figure_is_skipped_with_a_note():
    snapshot = parse_quota(
        envelope(session(percentage="lots"), session(unit=6, number=1, percentage=5)), NOW
    )
    assert rows(snapshot) == [("Weekly", PeriodType.WEEKLY, 5, None)]
    assert "TOKENS_LIMIT: no readable usage figure" in snapshot.notes


def test_only_unknown_limit_types_is_a_parse_error_not_no_plan():
    with pytest.raises(VibeusageError) as caught:
        parse_quota(envelope({"type": "QUOTA_V4", "percentage": 5}), NOW)
    assert caught.value.category is ErrorCategory.PARSE
    assert "QUOTA_V4" in caught.value.message


def test_unknown_limit_types_and_unreadable_entries_are_not_periods():
    payload = envelope({"type": "SOMETHING_NEW", "percentage": 50}, "junk", session(percentage=1))
    snapshot = parse_quota(payload, NOW)
    assert rows(snapshot) == [("Session (5h)", PeriodType.SESSION, 1, None)]
    assert "limit 2 could not be read" in snapshot.notes


def test_known_limits_none_of_which_can_be_read_are_a_parse_error():
    with pytest.raises(VibeusageError) as caught:
        parse_quota(envelope(session(percentage=None), session(unit=6, number=1)), NOW)
    assert caught.value.category is ErrorCategory.PARSE


def test_success_without_limits_is_an_empty_snapshot_for_the_strategy_to_explain():
    assert parse_quota(envelope(), NOW).periods == ()


@pytest.mark.parametrize(
    "payload",
    [{}, {"data": None}, {"data": {"limits": "none"}}, {"data": {"limits": None}}, [], "x"],
)
def test_limits_that_are_not_a_list_are_a_parse_error(payload):
    with pytest.raises(VibeusageError) as caught:
        parse_quota(payload, NOW)
    assert caught.value.category is ErrorCategory.PARSE


def test_abridged_body_with_only_data_is_accepted():
    payload = {"data": {"limits": [session(percentage=3)], "level": "max"}}
    assert body_error(payload) is None
    snapshot = parse_quota(payload, NOW)
    assert snapshot.identity is not None and snapshot.identity.plan == "Max"


@pytest.mark.parametrize(
    "data, plan",
    [
        ({"planName": "GLM Coding Max"}, "GLM Coding Max"),
        ({"plan": "Pro", "level": "lite"}, "Pro"),
        ({"plan_type": "Lite"}, "Lite"),
        ({"planType": " Max "}, "Max"),
        ({"packageName": "GLM Coding Pro"}, "GLM Coding Pro"),
        ({"level": "lite"}, "Lite"),
        ({"level": "max"}, "Max"),
        ({"level": "enterprise"}, "Enterprise"),
        ({"planName": "  ", "level": "pro"}, "Pro"),
        ({}, None),
    ],
)
def test_plan_name_from_the_name_fields_then_the_level(data, plan):
    assert plan_name(data) == plan


# --- the body's code: every row of the error table -------------------------------------------


def error_of(payload: Any, **kwargs: Any) -> VibeusageError:
    error = body_error(payload, **kwargs)
    assert error is not None
    return error


@pytest.mark.parametrize("code", [401, 1000, 1001, 1002, 1003, 1004, "401"])
def test_key_codes_are_authentication_errors_with_zais_message(code):
    error = error_of({"code": code, "msg": "token expired or incorrect", "success": False})
    assert error.category is ErrorCategory.AUTHENTICATION
    assert error.exit_code is ExitCode.AUTH
    assert error.message.startswith("Z.ai rejected the API key")
    assert "token expired or incorrect" in error.message
    assert "z.ai/manage-apikey/apikey-list" in error.remediation
    assert 'region = "cn"' in error.remediation and "vibeusage key zai set" in error.remediation


def test_recorded_bad_key_and_missing_header_bodies_are_rejections():
    for name in ("error-token-expired.json", "error-no-auth-header.json"):
        error = error_of(load_fixture(f"zai/{name}"), where="the key from ZAI_API_KEY")
        assert error.category is ErrorCategory.AUTHENTICATION
        assert "the key from ZAI_API_KEY" in error.message


@pytest.mark.parametrize("code", [1110, 1111, 1112, 1113, 1120, 1121])
def test_account_codes_are_authorization_errors_carrying_the_code(code):
    error = error_of({"code": code, "msg": "account problem", "success": False})
    assert error.category is ErrorCategory.AUTHORIZATION and error.exit_code is ExitCode.AUTH
    assert f"code {code}" in error.message and "account problem" in error.message
    assert "billing, lock" in error.remediation


def test_account_in_arrears_fixture_names_the_code_and_zais_message():
    error = error_of(load_fixture("zai/error-account-arrears.json"))
    assert error.category is ErrorCategory.AUTHORIZATION
    assert "code 1113" in error.message and "in arrears" in error.message


def test_expired_plan_fixture_says_there_is_no_active_coding_plan():
    error = error_of(load_fixture("zai/error-plan-expired.json"), region="cn")
    assert error.category is ErrorCategory.AUTHORIZATION and error.exit_code is ExitCode.AUTH
    assert error.message.startswith("No active GLM Coding Plan on this account")
    assert "code 1309" in error.message
    assert error.remediation.index("bigmodel.cn/claude-code") < error.remediation.index(
        "z.ai/subscribe"
    )


def test_any_failure_mentioning_the_coding_plan_is_the_no_plan_error():
    error = error_of({"code": 1500, "msg": "No Coding Plan subscription", "success": False})
    assert error.category is ErrorCategory.AUTHORIZATION
    assert "No active GLM Coding Plan" in error.message


@pytest.mark.parametrize("code", [1302, 1303, 1305])
def test_rate_codes_are_rate_limited_with_the_default_back_off(code):
    error = error_of({"code": code, "msg": "too frequent", "success": False})
    assert error.category is ErrorCategory.RATE_LIMITED and error.exit_code is ExitCode.NETWORK
    assert error.retry_after == 300.0
    assert "rate limiting usage reads" in error.message and f"code {code}" in error.message


@pytest.mark.parametrize(
    "payload, shown",
    [
        ({"code": 500, "msg": "internal", "success": False}, "Z.ai answered code 500: internal"),
        ({"code": 1214, "msg": "bad request", "success": False}, "code 1214: bad request"),
        ({"code": 200, "msg": "odd", "success": False}, "code 200: odd"),
        ({"success": False}, "code ?"),
        ({"code": "x", "success": False, "msg": "odd"}, "code ?: odd"),
    ],
)
def test_other_failures_are_provider_errors_with_code_and_message(payload, shown):
    error = error_of(payload)
    assert error.category is ErrorCategory.PROVIDER and error.exit_code is ExitCode.ERROR
    assert shown in error.message


def test_control_characters_in_zais_message_are_not_passed_to_the_terminal():
    error = error_of({"code": 500, "msg": "bad\x1b[2J\x00news\nline", "success": False})
    assert "\x1b" not in error.message and "\x00" not in error.message
    assert "bad [2J news line" in error.message


def test_success_flag_with_an_unreadable_code_is_a_parse_error_not_a_verdict():
    error = error_of({"code": "2OO", "success": True, "data": {"limits": []}})
    assert error.category is ErrorCategory.PARSE


def test_a_null_code_counts_as_absent():
    assert body_error({"code": None, "success": True, "data": {"limits": []}}) is None


def test_non_object_body_is_a_parse_error():
    assert error_of([1, 2]).category is ErrorCategory.PARSE


# --- vibeusage key zai set -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["3f9c0b1e8a7d4c2f9e6b5a4d3c2b1a0e.QmFzZTY0U2VjcmV0", "any-other-shape-of-key-123456"],
)
def test_key_format_check_accepts_any_long_enough_value(value):
    assert key_problem(value) is None


@pytest.mark.parametrize(
    "value, problem",
    [
        ("Bearer 3f9c0b1e8a7d4c2f9e6b5a4d3c2b1a0e.QmFzZTY0", "paste only the key"),
        ("bearer 3f9c0b1e8a7d4c2f9e6b5a4d3c2b1a0e.QmFzZTY0", "paste only the key"),
        ("3f9c0b1e8a7d.QmFz", "looks truncated"),
        ("3f9c0b1e8a7d4c2f9e6b 5a4d3c2b1a0e.QmFzZTY0", "looks truncated"),
    ],
)
def test_key_format_check_names_the_problem(value, problem):
    found = key_problem(value)
    assert found is not None and problem in found
