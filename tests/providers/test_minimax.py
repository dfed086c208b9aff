"""MiniMax's pure parts: the ``remains`` parser on every real payload and each unit trap
(remaining counts and percents, ms times, placeholders, duplicates, boosts), the
``base_resp`` error table, and the format check of ``vibeusage key minimax set``."""

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List

import pytest

from tests.conftest import load_fixture
from vibeusage.errors import ErrorCategory, ExitCode, VibeusageError
from vibeusage.models import PeriodType, UsageSnapshot
from vibeusage.providers.minimax.api import key_problem
from vibeusage.providers.minimax.refusals import body_error
from vibeusage.providers.minimax.usage import lanes_of, parse_remains, plan_title

UTC = timezone.utc


def ms(value: int) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


def rows(snapshot: UsageSnapshot) -> List[Any]:
    return [(p.name, p.period_type, p.utilization, p.model) for p in snapshot.periods]


def answer(*lanes: Dict[str, Any], **data: Any) -> Dict[str, Any]:
    return {
        "base_resp": {"status_code": 0, "status_msg": "success"},
        "data": {"model_remains": list(lanes), **data},
    }


def lane(**fields: Any) -> Dict[str, Any]:
    entry: Dict[str, Any] = {
        "model_name": "general",
        "start_time": 1780279200000,
        "end_time": 1780297200000,
        "current_interval_total_count": 0,
        "current_interval_usage_count": 0,
        "current_interval_remaining_percent": 80,
    }
    entry.update(fields)
    return entry


#: Inside the interval windows of token-plan-normal.json (before both ends).
NORMAL_NOW = ms(1780290000000)


# --- the real payloads ------------------------------------------------------------------------


def test_normal_token_plan_inverts_the_remaining_percents_and_names_the_plan():
    snapshot = parse_remains(load_fixture("minimax/token-plan-normal.json"), NORMAL_NOW)
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 4, None),  # "96" remaining
        ("Weekly", PeriodType.WEEKLY, 1, None),  # "99" remaining
    ]
    assert [p.resets_at for p in snapshot.periods] == [ms(1780297200000), ms(1780848000000)]
    assert snapshot.identity is not None and snapshot.identity.plan == "Token Plan Plus"
    assert snapshot.identity.email is None and snapshot.identity.organization is None
    assert snapshot.notes == ("14000 points",)
    assert snapshot.source == "api_key" and snapshot.provider == "minimax"
    assert snapshot.overage is None and snapshot.status is None


def test_percent_root_fixture_reads_base_resp_at_the_root():
    payload = load_fixture("minimax/token-plan-percent-root.json")
    assert body_error(payload) is None
    snapshot = parse_remains(payload, NORMAL_NOW)
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 4, None),
        ("Weekly", PeriodType.WEEKLY, 1, None),
    ]
    assert snapshot.identity is None


def test_boosted_weekly_is_30_percent_used_with_a_note_and_the_video_placeholder_omitted():
    now = ms(1782050596464)  # end_time minus remains_time
    snapshot = parse_remains(load_fixture("minimax/token-plan-boosted-weekly.json"), now)
    assert rows(snapshot) == [
        ("Session (4h)", PeriodType.SESSION, 0, None),  # the fixture's window is 4 hours long
        ("Weekly", PeriodType.WEEKLY, 30, None),  # 70 % remaining of the boosted limit
    ]
    assert "Weekly limit boosted to 150 %" in snapshot.notes
    assert "video: not in this plan" in snapshot.notes
    assert all(p.model != "video" for p in snapshot.periods)


def test_legacy_counts_are_remaining_so_1500_of_1500_is_zero_used_and_duplicates_drop():
    now = ms(1771659803932)  # end_time minus remains_time
    snapshot = parse_remains(load_fixture("minimax/coding-plan-legacy-counts.json"), now)
    assert rows(snapshot) == [("Session (5h)", PeriodType.SESSION, 0, None)]
    assert snapshot.periods[0].resets_at == ms(1771668000000)


def test_music_cover_lane_is_daily_and_weekly_with_its_model():
    now = ms(1776094672532)  # end_time minus remains_time
    snapshot = parse_remains(load_fixture("minimax/token-plan-music-cover-counts.json"), now)
    assert rows(snapshot) == [
        ("Daily (music-cover)", PeriodType.DAILY, 7, "music-cover"),  # 93 remaining of 100
        ("Weekly (music-cover)", PeriodType.WEEKLY, 1, "music-cover"),  # 693 remaining of 700
    ]
    assert [p.resets_at for p in snapshot.periods] == [ms(1776096000000), ms(1776614400000)]


def test_answer_without_any_time_keeps_the_windows_without_resets():
    snapshot = parse_remains(load_fixture("minimax/token-plan-missing-reset.json"), NORMAL_NOW)
    assert rows(snapshot) == [
        ("Session", PeriodType.SESSION, 25, None),
        ("Weekly", PeriodType.WEEKLY, 40, None),
    ]
    assert [p.resets_at for p in snapshot.periods] == [None, None]
    assert snapshot.identity is not None and snapshot.identity.plan == "Token Plan Plus"


# --- unit traps ---------------------------------------------------------------------------------


def test_usage_count_is_what_is_left_not_what_was_used():
    entry = lane(current_interval_total_count=1500, current_interval_usage_count=1473)
    del entry["current_interval_remaining_percent"]
    snapshot = parse_remains(answer(entry), NORMAL_NOW)
    assert snapshot.periods[0].utilization == 1  # 27 of 1500 used, not 98 %


def test_remaining_percent_wins_over_the_counts():
    entry = lane(
        current_interval_total_count=100,
        current_interval_usage_count=10,
        current_interval_remaining_percent=75,
    )
    assert parse_remains(answer(entry), NORMAL_NOW).periods[0].utilization == 25


@pytest.mark.parametrize(
    "value, used", [(96, 4), ("96", 4), (95.5, 4), ("0", 100), (-3, 100), (120, 0)]
)
def test_remaining_percent_in_every_spelling_is_inverted_and_clamped(value, used):
    entry = lane(current_interval_remaining_percent=value)
    assert parse_remains(answer(entry), NORMAL_NOW).periods[0].utilization == used


def test_zero_total_without_percent_is_not_100_percent_used_but_no_window():
    entry = lane(current_interval_total_count=0, current_interval_usage_count=0)
    del entry["current_interval_remaining_percent"]
    with pytest.raises(VibeusageError) as caught:
        parse_remains(answer(entry), NORMAL_NOW)
    assert caught.value.category is ErrorCategory.PARSE


def test_unreadable_remaining_percent_is_noted_and_the_counts_are_used():
    entry = lane(
        current_interval_remaining_percent="lots",
        current_interval_total_count=200,
        current_interval_usage_count=150,
    )
    snapshot = parse_remains(answer(entry), NORMAL_NOW)
    assert snapshot.periods[0].utilization == 25
    assert "current_interval_remaining_percent could not be read" in snapshot.notes


def test_window_type_comes_from_the_real_interval_length():
    day = lane(start_time=1780243200000, end_time=1780329600000)  # 24 h
    assert rows(parse_remains(answer(day), NORMAL_NOW))[0][:2] == ("Daily", PeriodType.DAILY)
    no_times = lane(model_name="speech-hd")
    del no_times["start_time"], no_times["end_time"]
    assert rows(parse_remains(answer(lane(), no_times), NORMAL_NOW))[1][:2] == (
        "Daily (speech-hd)",
        PeriodType.DAILY,
    )


def test_reset_uses_remains_time_in_milliseconds_when_end_time_has_passed():
    now = ms(1780297200000) + timedelta(minutes=1)
    entry = lane(remains_time=60_000)  # one minute, in milliseconds (not a large number)
    period = parse_remains(answer(entry), now).periods[0]
    assert period.resets_at == now + timedelta(minutes=1)


def test_no_reset_when_end_time_is_over_and_nothing_remains():
    now = ms(1780297200000) + timedelta(minutes=1)
    assert parse_remains(answer(lane(remains_time=0)), now).periods[0].resets_at is None


def test_weekly_status_3_with_everything_left_is_no_weekly_cap():
    entry = lane(current_weekly_status=3, current_weekly_remaining_percent=100)
    snapshot = parse_remains(answer(entry), NORMAL_NOW)
    assert [p.period_type for p in snapshot.periods] == [PeriodType.SESSION]
    assert "no weekly cap" in snapshot.notes


def test_weekly_window_needs_a_percent_or_a_total():
    entry = lane(current_weekly_total_count=0, current_weekly_usage_count=0)
    assert [p.period_type for p in parse_remains(answer(entry), NORMAL_NOW).periods] == [
        PeriodType.SESSION
    ]


def test_lanes_that_differ_from_the_main_one_become_per_model_periods():
    main = lane(
        model_name="MiniMax-M2",
        current_interval_total_count=1500,
        current_interval_usage_count=1500,
    )
    other = lane(
        model_name="MiniMax-M2.5",
        current_interval_total_count=300,
        current_interval_usage_count=150,
    )
    for entry in (main, other):
        del entry["current_interval_remaining_percent"]
    snapshot = parse_remains(answer(main, other), NORMAL_NOW)
    assert rows(snapshot) == [
        ("Session (5h)", PeriodType.SESSION, 0, None),
        ("Session (5h) (MiniMax-M2.5)", PeriodType.SESSION, 50, "MiniMax-M2.5"),
    ]


def test_general_is_the_main_lane_wherever_it_is_listed():
    snapshot = parse_remains(
        answer(lane(model_name="image-01"), lane(current_interval_remaining_percent=50)), NORMAL_NOW
    )
    assert [(p.model, p.utilization) for p in snapshot.periods] == [(None, 50), ("image-01", 20)]


def test_placeholder_is_a_status_3_lane_with_no_counts_and_all_left():
    placeholder = lane(
        model_name="video", current_interval_status=3, current_interval_remaining_percent=100
    )
    in_use = lane(
        model_name="speech-hd", current_interval_status=3, current_interval_remaining_percent=60
    )
    snapshot = parse_remains(answer(lane(), placeholder, in_use), NORMAL_NOW)
    assert [p.model for p in snapshot.periods] == [None, "speech-hd"]
    assert snapshot.notes == ("video: not in this plan",)


def test_boost_spelled_permill_and_interval_boost_are_noted():
    entry = lane(
        interval_boost_permill=1250, current_weekly_remaining_percent=50, weekly_boost_permille=1000
    )
    snapshot = parse_remains(answer(entry), NORMAL_NOW)
    assert snapshot.notes == ("Session (5h) limit boosted to 125 %",)


@pytest.mark.parametrize(
    "payload",
    [{}, {"model_remains": None}, {"data": {"model_remains": {}}}, [], "x", answer()],
)
def test_no_lane_list_or_no_usable_lane_is_a_parse_error(payload):
    with pytest.raises(VibeusageError) as caught:
        parse_remains(payload, NORMAL_NOW)
    assert caught.value.category is ErrorCategory.PARSE


def test_lanes_are_found_at_the_root_or_in_data():
    assert lanes_of({"model_remains": [1]}) == [1]
    assert lanes_of({"data": {"model_remains": [2]}}) == [2]
    assert lanes_of({"data": None}) is None and lanes_of([]) is None


@pytest.mark.parametrize(
    "data, plan",
    [
        ({"current_subscribe_title": "Token Plan Max"}, "Token Plan Max"),
        ({"plan_name": "Plus"}, "Plus"),
        ({"combo_title": "Coding Plan Starter"}, "Coding Plan Starter"),
        ({"current_plan_title": "Pro"}, "Pro"),
        ({"current_combo_card": {"title": "Max"}}, "Max"),
        ({"current_interval_total_count": 5000}, None),  # never guessed from the counts
    ],
)
def test_plan_title_from_the_documented_fields_only(data, plan):
    assert plan_title(data) == plan


# --- base_resp: every row of the error table -------------------------------------------------


def error_of(payload: Any, **kwargs: Any) -> VibeusageError:
    error = body_error(payload, **kwargs)
    assert error is not None
    return error


@pytest.mark.parametrize(
    "name", ["error-cookie-missing-flat.json", "error-cookie-missing-base-resp.json"]
)
def test_cookie_missing_in_both_placements_is_a_key_rejection(name):
    error = error_of(load_fixture(f"minimax/{name}"), where="the key from MINIMAX_API_KEY")
    assert error.category is ErrorCategory.AUTHENTICATION and error.exit_code is ExitCode.AUTH
    assert error.message.startswith("MiniMax rejected the key from MINIMAX_API_KEY")
    assert "status_code 1004" in error.message
    assert 'region = "cn"' in error.remediation and "vibeusage key minimax set" in error.remediation


def test_rejection_of_a_pay_as_you_go_key_says_so():
    error = error_of(load_fixture("minimax/error-cookie-missing-flat.json"), pay_as_you_go=True)
    assert "pay-as-you-go key" in error.message and "sk-cp-" in error.message


@pytest.mark.parametrize(
    "payload",
    [
        {"base_resp": {"status_code": 2049, "status_msg": "?"}},
        {"base_resp": {"status_code": 1008, "status_msg": "invalid api key"}},
        {"data": {"base_resp": {"status_code": 1, "status_msg": "please login"}}},
        {"status_code": "1004", "status_msg": "token not match group"},
    ],
)
def test_other_key_rejections(payload):
    assert error_of(payload).category is ErrorCategory.AUTHENTICATION


def test_rate_limit_code_is_rate_limited_with_a_back_off():
    error = error_of(load_fixture("minimax/error-rate-limit.json"))
    assert error.category is ErrorCategory.RATE_LIMITED and error.exit_code is ExitCode.NETWORK
    assert error.retry_after == 300.0 and "status_code 1002" in error.message


@pytest.mark.parametrize("code", [1000, 1001])
def test_transient_codes_are_provider_errors(code):
    error = error_of({"base_resp": {"status_code": code, "status_msg": "timeout"}})
    assert error.category is ErrorCategory.PROVIDER and error.exit_code is ExitCode.ERROR


def test_other_codes_are_provider_errors_with_code_and_message():
    error = error_of({"base_resp": {"status_code": 2013, "status_msg": "invalid params"}})
    assert error.category is ErrorCategory.PROVIDER
    assert error.message == "MiniMax answered status_code 2013: invalid params"


def test_unreadable_status_code_is_a_parse_error():
    error = error_of({"base_resp": {"status_code": "NaN", "status_msg": "success"}})
    assert error.category is ErrorCategory.PARSE


@pytest.mark.parametrize(
    "payload",
    [
        {"base_resp": {"status_code": 0}},
        {"base_resp": {"status_code": "0", "status_msg": "success"}},
        {"model_remains": []},
        [],
        None,
    ],
)
def test_success_or_no_verdict_is_no_error(payload):
    assert body_error(payload) is None


# --- vibeusage key minimax set ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["sk-cp-" + "a1B2" * 10, "eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"])
def test_plan_keys_pass_the_format_check(value):
    assert key_problem(value) is None


@pytest.mark.parametrize(
    "value, problem",
    [
        ("Bearer sk-cp-" + "a" * 30, "paste only the key"),
        ("sk-api-" + "a" * 30, "pay-as-you-go key"),
        ("sk-" + "a" * 30, "starts with `sk-cp-`"),
        ("sk-cp-short", "looks truncated"),
        ("sk-cp-" + "a" * 10 + " " + "b" * 10, "looks truncated"),
    ],
)
def test_format_check_names_the_problem(value, problem):
    found = key_problem(value)
    assert found is not None and problem in found
