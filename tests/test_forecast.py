"""Pace and forecast (FEATURES.md §1): every field of the pace object, its null rules, binding."""

import decimal
import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from vibeusage.models import PeriodType, UsagePeriod
from vibeusage.pace.document import json_number, pace_document, snapshot_pace_keys
from vibeusage.pace.forecast import Stage, compute_pace, pace_of
from vibeusage.pace.percent import clean_used_percent
from vibeusage.pace.snapshot import snapshot_pace
from vibeusage.pace.text import countdown, pace_line, summary
from vibeusage.pace.window import candidates, one_month_before, window_seconds
from vibeusage.providers.codex.usage import window_period

NOW = datetime(2026, 9, 22, 14, 0, tzinfo=timezone.utc)
MINUTE = 60
HOUR = 3600
DAY = 86400
SESSION_S = 5 * HOUR
WEEK_S = 7 * DAY
SESSION, DAILY, WEEKLY, MONTHLY = (
    PeriodType.SESSION,
    PeriodType.DAILY,
    PeriodType.WEEKLY,
    PeriodType.MONTHLY,
)
LENGTHS = {SESSION: SESSION_S, DAILY: DAY, WEEKLY: WEEK_S}


def pace_at(used, elapsed, period_type=WEEKLY):
    """The pace of a fixed-length window used ``used`` % after ``elapsed`` seconds."""
    resets_at = NOW + timedelta(seconds=LENGTHS[period_type] - elapsed)
    return compute_pace(used, resets_at, period_type, NOW)


def period(name, used, resets_in, period_type=WEEKLY, model=None):
    resets_at = None if resets_in is None else NOW + timedelta(seconds=resets_in)
    return UsagePeriod(name, used, period_type, resets_at, model)


def document_at(used, elapsed, period_type=WEEKLY):
    return pace_document(pace_at(used, elapsed, period_type))


# --- the worked example of §1.1 ---------------------------------------------------------------


def test_worked_example_weekly_88_percent_resetting_in_67h_gives_every_documented_value():
    weekly = period("Weekly", 88, 67 * HOUR)
    assert pace_document(pace_of(weekly, NOW)) == {
        "elapsed_fraction": 0.601,
        "expected_used_percent": 60.1,
        "delta_percent": 27.9,
        "stage": "far_deficit",
        "pace_ratio": 1.46,
        "rate_percent_per_hour": 0.871,
        "will_last_to_reset": False,
        "eta_seconds": 49582,
        "exhausts_at": (NOW + timedelta(seconds=49582)).isoformat(),
        "pause_to_on_pace_seconds": 168624,
        "safe_rate_percent_per_hour": 0.179,
        "summary": "28% in deficit · runs out in 13h 46m",
    }


def test_worked_example_document_serialises_to_the_documented_json_text():
    text = json.dumps(pace_document(pace_of(period("Weekly", 88, 67 * HOUR), NOW)))
    for fragment in ('"elapsed_fraction": 0.601,', '"expected_used_percent": 60.1,',
                     '"pace_ratio": 1.46,', '"eta_seconds": 49582,'):  # fmt: skip
        assert fragment in text


def test_worked_example_table_line_names_the_window_and_its_reset():
    weekly = period("Weekly", 88, 67 * HOUR)
    line = pace_line(weekly.name, pace_of(weekly, NOW))
    assert line == "Pace (Weekly): 28% in deficit · runs out in 13h 46m (resets in 2d 19h)"


# --- the stage, on the unrounded delta -------------------------------------------------------


@pytest.mark.parametrize(
    "delta, stage",
    [
        ("0", Stage.ON_PACE),
        ("2", Stage.ON_PACE),
        ("-2", Stage.ON_PACE),
        ("2.01", Stage.SLIGHT_DEFICIT),
        ("-2.01", Stage.SLIGHT_RESERVE),
        ("6", Stage.SLIGHT_DEFICIT),
        ("-6", Stage.SLIGHT_RESERVE),
        ("6.0001", Stage.DEFICIT),
        ("-6.0001", Stage.RESERVE),
        ("12", Stage.DEFICIT),
        ("-12", Stage.RESERVE),
        ("12.01", Stage.FAR_DEFICIT),
        ("-12.01", Stage.FAR_RESERVE),
        ("100", Stage.FAR_DEFICIT),
    ],
)
def test_stage_boundaries_are_inclusive_at_2_6_and_12_points(delta, stage):
    assert Stage.of(Decimal(delta)) is stage


def test_stage_uses_the_unrounded_delta_not_the_one_decimal_json_value():
    # u = 52.04 at half the window: Δ = 2.04 shows as 2.0 but is past the on-pace band.
    pace = pace_at("52.04", WEEK_S // 2)
    assert pace_document(pace)["delta_percent"] == 2
    assert pace.stage is Stage.SLIGHT_DEFICIT


# --- every row of §1.1 -----------------------------------------------------------------------


def test_elapsed_fraction_and_expected_are_rounded_half_up_to_3_and_1_decimals():
    # e = 1/8 of the week: f = 0.125 exactly, expected 12.5.
    document = document_at(20, WEEK_S // 8)
    assert document["elapsed_fraction"] == 0.125
    assert document["expected_used_percent"] == 12.5
    # e = 2/3 of a session: f = 0.6666… -> 0.667, expected 66.666… -> 66.7.
    document = document_at(50, 2 * SESSION_S // 3, SESSION)
    assert (document["elapsed_fraction"], document["expected_used_percent"]) == (0.667, 66.7)


def test_delta_is_positive_for_a_deficit_and_negative_for_a_reserve():
    assert document_at(80, WEEK_S // 2)["delta_percent"] == 30
    assert document_at(20, WEEK_S // 2)["delta_percent"] == -30


def test_delta_that_rounds_to_zero_is_written_as_zero_never_minus_zero():
    # f = 9007 / 18000 = 0.50038…: Δ = −0.0389 -> 0, not -0.0.
    document = document_at(50, 9007, SESSION)
    assert json.dumps(document["delta_percent"]) == "0"


def test_pace_ratio_is_used_over_expected_with_two_decimals():
    assert document_at(60, WEEK_S // 2)["pace_ratio"] == 1.2
    assert document_at(10, WEEK_S // 3)["pace_ratio"] == 0.3


def test_pace_ratio_is_null_under_3_percent_elapsed_while_the_pace_itself_exists():
    document = document_at(40, 600, SESSION)  # f = 0.033 -> ratio; 540 s -> f = 0.03 exactly
    assert document["pace_ratio"] is not None
    assert document_at(40, 540, SESSION)["pace_ratio"] is not None
    early = document_at(40, 539, SESSION)
    assert early is not None and early["pace_ratio"] is None


def test_window_pace_ratio_of_the_period_keeps_its_own_10_percent_rule():
    session = period("Session (5h)", 40, SESSION_S - 900, SESSION)  # 5 % elapsed
    assert session.pace_ratio(NOW) is None
    assert pace_document(pace_of(session, NOW))["pace_ratio"] == 8


def test_rate_is_the_wall_clock_average_percent_per_hour_with_three_decimals():
    assert document_at(30, 2 * HOUR, SESSION)["rate_percent_per_hour"] == 15
    assert document_at(10, 3 * HOUR, SESSION)["rate_percent_per_hour"] == 3.333


def test_a_window_that_runs_out_before_its_reset_has_an_eta_and_an_exhaustion_time():
    # 40 % in 1 h: 60 % more takes 1.5 h, the reset is 4 h away.
    pace = pace_at(40, HOUR, SESSION)
    assert (pace.will_last_to_reset, pace.eta_seconds) == (False, 5400)
    assert pace.exhausts_at == NOW + timedelta(seconds=5400)
    assert pace_document(pace)["exhausts_at"] == "2026-09-22T15:30:00+00:00"


def test_eta_rounds_half_a_second_up():
    # 40 % in 3601 s: 60 % more takes 5401.5 s.
    assert pace_at(40, 3601, SESSION).eta_seconds == 5402


def test_a_window_whose_runway_equals_the_time_to_reset_lasts():
    # 50 % at half the window: exactly 100 % at the reset.
    pace = pace_at(50, WEEK_S // 2)
    assert (pace.will_last_to_reset, pace.eta_seconds, pace.exhausts_at) == (True, None, None)
    assert summary(pace) == "On pace · lasts until reset"


def test_a_window_one_second_short_of_lasting_runs_out():
    pace = pace_at(50, WEEK_S // 2 - 1)
    assert pace.will_last_to_reset is False
    assert pace.eta_seconds == WEEK_S // 2 - 1


def test_pause_is_the_zero_usage_wait_until_back_on_pace():
    # 30 % after 1 h of 5: on pace again when 30 % of the window (1.5 h) has passed.
    assert pace_at(30, HOUR, SESSION).pause_to_on_pace_seconds == 1800
    assert pace_at(10, HOUR, SESSION).pause_to_on_pace_seconds == 0


def test_safe_rate_spreads_what_is_left_over_the_time_to_reset():
    assert document_at(30, HOUR, SESSION)["safe_rate_percent_per_hour"] == 17.5
    assert document_at(88, WEEK_S - 67 * HOUR)["safe_rate_percent_per_hour"] == 0.179


def test_document_numbers_are_ints_when_whole_and_short_floats_otherwise():
    document = document_at(60, 2 * HOUR, SESSION)
    assert document["rate_percent_per_hour"] == 30
    assert isinstance(document["rate_percent_per_hour"], int)
    assert document["eta_seconds"] == 4800
    assert isinstance(document["pause_to_on_pace_seconds"], int)
    assert json.dumps(json_number(Decimal("0.1") + Decimal("0.2"), 3)) == "0.3"


@pytest.mark.parametrize("period_type", [SESSION, DAILY, WEEKLY, MONTHLY])
def test_every_period_type_has_a_pace_halfway_through_its_window(period_type):
    resets_at = datetime(2026, 10, 1, tzinfo=timezone.utc)  # September: 30 days
    length = {SESSION: SESSION_S, DAILY: DAY, WEEKLY: WEEK_S, MONTHLY: 30 * DAY}[period_type]
    now = resets_at - timedelta(seconds=length // 2)
    pace = compute_pace(50, resets_at, period_type, now)
    assert pace is not None
    assert pace.elapsed_fraction == Decimal("0.5")
    assert pace.window_seconds == length


# --- u: exact, zero, exhausted, bad input ----------------------------------------------------


def test_zero_used_lasts_to_reset_with_no_eta_and_a_reserve():
    pace = pace_at(0, WEEK_S // 2)
    document = pace_document(pace)
    assert document["will_last_to_reset"] is True
    assert document["eta_seconds"] is None and document["exhausts_at"] is None
    assert document["rate_percent_per_hour"] == 0
    assert document["pause_to_on_pace_seconds"] == 0
    assert document["stage"] == "far_reserve"
    assert document["summary"] == "50% in reserve · lasts until reset"


def test_exhausted_window_exhausts_now_with_no_safe_rate():
    pace = pace_at(100, 3 * HOUR, SESSION)
    document = pace_document(pace)
    assert document["eta_seconds"] == 0
    assert document["exhausts_at"] == NOW.isoformat()
    assert document["will_last_to_reset"] is False
    assert document["safe_rate_percent_per_hour"] == 0
    assert document["pause_to_on_pace_seconds"] == 2 * HOUR  # the rest of the window
    assert document["summary"] == "Exhausted · available again in 2h 0m"


def test_percent_just_over_100_counts_as_exhausted():
    pace = pace_at(100.4, 3 * HOUR, SESSION)
    assert pace is not None and pace.used_percent == 100 and pace.eta_seconds == 0


@pytest.mark.parametrize(
    "value, expected",
    [
        (14.000000000000002, Decimal(14)),
        (42.126, Decimal("42.13")),
        ("37.5", Decimal("37.5")),
        (0, Decimal(0)),
        (-0.0, Decimal(0)),
        (100, Decimal(100)),
        (100.4, Decimal(100)),
        (101, Decimal(100)),
        (101.01, None),
        (1.7e9, None),
        (-1, None),
        (float("nan"), None),
        (float("inf"), None),
        (float("-inf"), None),
        (True, None),
        (None, None),
        ("lots", None),
        ([50], None),
    ],
)
def test_used_percent_input_hygiene(value, expected):
    assert clean_used_percent(value) == expected


def test_clean_used_percent_never_keeps_a_negative_zero_or_trailing_zeros():
    assert [str(clean_used_percent(v)) for v in (-0.0, "0.001", "14.00", 100.4)] == [
        "0",
        "0",
        "14",
        "100",
    ]


@pytest.mark.parametrize("bad", [1.7e9, float("nan"), float("inf"), -3, True, "n/a", None])
def test_untrustworthy_used_percent_gives_no_pace(bad):
    assert pace_at(bad, WEEK_S // 2) is None


def test_exact_used_percent_with_decimals_is_used_as_is():
    pace = pace_at("60.25", WEEK_S // 2)
    assert pace is not None and pace.used_percent == Decimal("60.25")
    assert pace_document(pace)["delta_percent"] == 10.3


# --- when pace is null (§1.3) ----------------------------------------------------------------


def test_no_reset_time_means_no_pace():
    assert pace_of(period("Weekly", 50, None), NOW) is None


def test_claudes_idle_session_window_has_no_pace():
    assert pace_of(period("Session (5h)", 0, None, SESSION), NOW) is None


@pytest.mark.parametrize("resets_in", [0, -1, -HOUR, -400 * DAY])
def test_a_window_whose_reset_time_has_passed_has_no_pace(resets_in):
    assert pace_of(period("Session (5h)", 40, resets_in, SESSION), NOW) is None


def test_a_reset_in_the_past_by_a_microsecond_has_no_pace():
    past = UsagePeriod("Weekly", 40, WEEKLY, NOW - timedelta(microseconds=1))
    assert pace_of(past, NOW) is None


@pytest.mark.parametrize("period_type", [SESSION, DAILY, WEEKLY])
def test_a_reset_more_than_120_s_beyond_the_window_length_has_no_pace(period_type):
    # Elapsed time clamps to 0 there too, so the just-started rule agrees.
    length = LENGTHS[period_type]
    assert pace_of(period("w", 40, length + 121, period_type), NOW) is None


def test_a_reset_up_to_120_s_beyond_the_window_length_clamps_elapsed_to_zero():
    # Within the tolerance e clamps to 0 (not negative), then the just-started rule applies.
    assert pace_of(period("w", 40, SESSION_S + 120, SESSION), NOW) is None
    assert pace_of(period("w", 40, SESSION_S - 60, SESSION), NOW) is not None


@pytest.mark.parametrize("elapsed, has_pace", [(0, False), (59, False), (60, True)])
def test_a_window_younger_than_a_minute_has_no_pace(elapsed, has_pace):
    assert (pace_at(50, elapsed, SESSION) is not None) is has_pace


@pytest.mark.parametrize(
    "used, elapsed, has_pace",
    [
        (4, 539, False),  # f < 0.03, u < 5: whole-percent steps dominate
        ("4.99", 539, False),
        (5, 539, True),  # u ≥ 5 has a pace (without a ratio)
        (4, 540, True),  # f = 0.03 exactly is enough
        (1, 540, True),
    ],
)
def test_under_3_percent_elapsed_only_windows_used_at_least_5_percent_have_a_pace(
    used, elapsed, has_pace
):
    assert (pace_at(used, elapsed, SESSION) is not None) is has_pace


@pytest.mark.parametrize(
    "used, elapsed, has_pace",
    [
        (95, 299, False),  # the old window's number repeated with the new reset time
        (100, 299, False),
        (95, 300, True),
        (100, 300, True),
        ("94.99", 299, True),
    ],
)
def test_95_percent_or_more_in_the_first_5_minutes_has_no_pace(used, elapsed, has_pace):
    assert (pace_at(used, elapsed, SESSION) is not None) is has_pace


def test_an_exhausted_window_under_3_percent_elapsed_has_a_pace_but_no_ratio():
    document = document_at(100, 400, SESSION)
    assert document is not None
    assert document["pace_ratio"] is None and document["eta_seconds"] == 0


# --- window length D (§0.2) ------------------------------------------------------------------


@pytest.mark.parametrize(
    "period_type, seconds", [(SESSION, SESSION_S), (DAILY, DAY), (WEEKLY, WEEK_S)]
)
def test_fixed_window_lengths_come_from_the_period_type(period_type, seconds):
    assert window_seconds(period_type, NOW) == seconds
    assert window_seconds(period_type, None) == seconds


@pytest.mark.parametrize(
    "resets_at, days",
    [
        (datetime(2026, 3, 31, 9, tzinfo=timezone.utc), 31),  # back to 28 Feb (clamped)
        (datetime(2026, 3, 15, 9, tzinfo=timezone.utc), 28),  # non-leap February
        (datetime(2028, 3, 15, 9, tzinfo=timezone.utc), 29),  # leap February
        (datetime(2026, 5, 15, 9, tzinfo=timezone.utc), 30),  # April
        (datetime(2026, 5, 31, 9, tzinfo=timezone.utc), 31),  # back to 30 Apr (clamped)
        (datetime(2026, 8, 15, 9, tzinfo=timezone.utc), 31),  # July
        (datetime(2027, 1, 15, 9, tzinfo=timezone.utc), 31),  # December of the year before
    ],
)
def test_monthly_window_is_the_calendar_month_before_the_reset(resets_at, days):
    assert window_seconds(MONTHLY, resets_at) == days * DAY


def test_monthly_window_length_is_taken_in_utc_not_the_resets_offset():
    # 1 Mar 01:00 +02:00 is 28 Feb 23:00 UTC: the month before is 28 Jan -> 31 days.
    resets_at = datetime(2026, 3, 1, 1, tzinfo=timezone(timedelta(hours=2)))
    assert window_seconds(MONTHLY, resets_at) == 31 * DAY


def test_monthly_window_without_reset_time_is_30_days():
    assert window_seconds(MONTHLY, None) == 30 * DAY


def test_monthly_reset_in_year_1_january_has_no_previous_month():
    assert one_month_before(datetime(1, 1, 15, tzinfo=timezone.utc)) is None
    assert window_seconds(MONTHLY, datetime(1, 1, 15, tzinfo=timezone.utc)) is None


@pytest.mark.parametrize("days, resets_at", [(28, "2026-03-15"), (30, "2026-05-15"),
                                             (31, "2026-03-31")])  # fmt: skip
def test_monthly_pace_uses_the_calendar_month_length(days, resets_at):
    reset = datetime.fromisoformat(resets_at + "T09:00:00+00:00")
    now = reset - timedelta(days=days) + timedelta(days=7)  # a week into the window
    pace = compute_pace(50, reset, MONTHLY, now)
    assert pace is not None
    assert pace.window_seconds == days * DAY
    assert pace.elapsed_fraction == Decimal(7) / days


def test_monthly_28_day_window_rejects_a_reset_more_than_28_days_ahead():
    reset = datetime(2026, 3, 15, 9, tzinfo=timezone.utc)
    assert compute_pace(50, reset, MONTHLY, reset - timedelta(days=29)) is None
    assert compute_pace(50, reset, MONTHLY, reset - timedelta(days=27)) is not None


def test_codex_weekly_window_in_the_primary_slot_uses_seven_days():
    # A plan whose only limit is weekly sends it as the primary window; its API length decides.
    payload = {"used_percent": 30, "limit_window_seconds": 604800, "reset_after_seconds": 6 * DAY}
    found = window_period(payload, "primary", NOW)
    assert found is not None
    weekly, api_seconds = found
    assert (weekly.period_type, api_seconds) == (WEEKLY, 604800)
    pace = pace_of(weekly, NOW)
    assert pace is not None
    assert pace.window_seconds == WEEK_S
    assert pace_document(pace)["elapsed_fraction"] == 0.143  # 1 day of 7


def test_a_window_classified_weekly_is_not_paced_as_the_session_its_slot_suggests():
    # Six days to the reset would be beyond any five-hour window (no pace at all).
    weekly_in_primary = period("Weekly", 30, 6 * DAY, WEEKLY)
    assert pace_of(weekly_in_primary, NOW) is not None
    assert pace_of(period("Session (5h)", 30, 6 * DAY, SESSION), NOW) is None


# --- arithmetic --------------------------------------------------------------------------------


def test_forecast_ignores_the_callers_decimal_context():
    expected = pace_document(pace_at(88, WEEK_S - 67 * HOUR))
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert pace_document(pace_at(88, WEEK_S - 67 * HOUR)) == expected


def test_reset_times_with_microseconds_are_exact():
    resets_at = NOW + timedelta(hours=4, microseconds=500_000)  # e = 3599.5 s
    pace = compute_pace(40, resets_at, SESSION, NOW)
    assert pace is not None and pace.elapsed_seconds == Decimal("3599.5")


# --- text -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, text",
    [
        (0, "<1m"),
        (59, "<1m"),
        (60, "1m"),
        (3599, "59m"),
        (3600, "1h 0m"),
        (49582, "13h 46m"),
        (DAY - 1, "23h 59m"),
        (DAY, "1d 0h"),
        (4 * DAY + 12 * HOUR + 59 * MINUTE, "4d 12h"),
        (Decimal("119.9"), "1m"),
    ],
)
def test_countdown_matches_the_tables_format(seconds, text):
    assert countdown(seconds) == text


@pytest.mark.parametrize(
    "used, elapsed, period_type, text",
    [
        (52, WEEK_S // 2, WEEKLY, "On pace · runs out in 3d 5h"),
        (48, WEEK_S // 2, WEEKLY, "On pace · lasts until reset"),
        ("52.5", WEEK_S // 2, WEEKLY, "3% in deficit · runs out in 3d 4h"),  # N: half up
        ("47.5", WEEK_S // 2, WEEKLY, "3% in reserve · lasts until reset"),
        (20, WEEK_S // 2, WEEKLY, "30% in reserve · lasts until reset"),
        (60, SESSION_S // 2, SESSION, "10% in deficit · runs out in 1h 40m"),
    ],
)
def test_summary_says_where_usage_stands_and_how_it_ends(used, elapsed, period_type, text):
    assert summary(pace_at(used, elapsed, period_type)) == text


def test_summary_of_an_on_pace_window_that_still_runs_out_says_so():
    # Δ = 1.5: on pace, yet a hair over the line runs out before the reset.
    assert summary(pace_at("51.5", WEEK_S // 2)) == "On pace · runs out in 3d 7h"


def test_summary_takes_an_ascii_separator():
    assert summary(pace_at(50, WEEK_S // 2), separator="-") == "On pace - lasts until reset"


def test_pace_line_of_a_window_that_lasts_has_no_reset_part():
    line = pace_line("Weekly", pace_at(50, WEEK_S // 2))
    assert line == "Pace (Weekly): On pace · lasts until reset"


def test_pace_line_of_an_exhausted_window_says_when_it_is_available_again():
    line = pace_line("Session (5h)", pace_at(100, 3 * HOUR, SESSION))
    assert line == "Pace (Session (5h)): Exhausted · available again in 2h 0m"


def test_pace_line_uses_the_tables_own_reset_text_or_none():
    pace = pace_at(88, WEEK_S - 67 * HOUR)
    absolute = pace_line("Weekly", pace, "resets Fri 25 Sep 09:00")
    assert absolute.endswith("runs out in 13h 46m (resets Fri 25 Sep 09:00)")
    assert pace_line("Weekly", pace, "").endswith("runs out in 13h 46m")


# --- candidates, binding window, availability (§1.4) ----------------------------------------


def test_candidates_are_the_all_model_windows_when_there_are_any():
    periods = [period("Weekly", 10, DAY), period("Weekly (Opus)", 99, DAY, model="opus")]
    assert candidates(periods) == (0,)


def test_candidates_are_every_window_when_each_has_a_model():
    periods = [period("Pro", 10, DAY, DAILY, "pro"), period("Flash", 99, DAY, DAILY, "flash")]
    assert candidates(periods) == (0, 1)


def test_binding_is_the_window_that_runs_out_first_session_before_weekly():
    session = period("Session (5h)", 60, 4 * HOUR, SESSION)  # 60 % in 1 h: out in 40 min
    weekly = period("Weekly", 88, 67 * HOUR)  # out in 13h 46m
    result = snapshot_pace([session, weekly], NOW)
    assert result.binding == session
    assert snapshot_pace_keys(result) == {"binding_period": "Session (5h)",
                                          "available_again_at": None}  # fmt: skip


def test_binding_is_the_window_that_runs_out_first_weekly_before_session():
    session = period("Session (5h)", 50, 3 * HOUR, SESSION)  # 50 % in 2 h: out in 2 h
    weekly = period("Weekly", 99, 50 * HOUR)  # 99 % in 118 h: out in 1h 11m
    result = snapshot_pace([session, weekly], NOW)
    assert result.binding == weekly
    assert result.binding_pace is result.paces[1]


def test_binding_ties_on_exhaustion_time_go_to_display_order():
    first = period("Session (5h)", 40, 4 * HOUR, SESSION)
    second = period("Session (5h) bis", 40, 4 * HOUR, SESSION)
    assert snapshot_pace([first, second], NOW).binding_index == 0


def test_an_exhausted_window_binds_before_one_that_runs_out_later():
    session = period("Session (5h)", 60, 4 * HOUR, SESSION)
    weekly = period("Weekly", 100, 67 * HOUR)
    assert snapshot_pace([session, weekly], NOW).binding == weekly


def test_when_both_are_exhausted_the_later_reset_binds_and_sets_availability():
    session = period("Session (5h)", 100, 2 * HOUR, SESSION)
    weekly = period("Weekly", 100, 67 * HOUR)
    result = snapshot_pace([session, weekly], NOW)
    assert result.binding == weekly
    assert result.available_again_at == weekly.resets_at
    assert snapshot_pace_keys(result) == {
        "binding_period": "Weekly",
        "available_again_at": (NOW + timedelta(hours=67)).isoformat(),
    }


def test_exhausted_windows_with_equal_resets_go_to_display_order():
    first = period("Daily A", 100, 2 * HOUR, DAILY)
    second = period("Daily B", 100, 2 * HOUR, DAILY)
    assert snapshot_pace([first, second], NOW).binding_index == 0


def test_an_exhausted_window_without_pace_still_binds():
    # Exhausted two minutes into a new session: no pace, but it stops the user now.
    session = period("Session (5h)", 100, SESSION_S - 120, SESSION)
    weekly = period("Weekly", 88, 67 * HOUR)
    result = snapshot_pace([session, weekly], NOW)
    assert result.paces[0] is None
    assert result.binding == session
    assert result.available_again_at == session.resets_at


def test_an_exhausted_window_without_reset_time_binds_and_leaves_availability_unknown():
    session = period("Session (5h)", 100, 2 * HOUR, SESSION)
    monthly = period("Monthly", 100, None, MONTHLY)
    result = snapshot_pace([session, monthly], NOW)
    assert result.binding == monthly
    assert result.available_again_at is None


def test_when_nothing_runs_out_the_lowest_remaining_binds():
    session = period("Session (5h)", 10, 2 * HOUR, SESSION)
    weekly = period("Weekly", 40, 2 * DAY)
    assert snapshot_pace([session, weekly], NOW).binding == weekly


def test_when_nothing_runs_out_a_window_without_pace_can_bind():
    idle = period("Session (5h)", 0, None, SESSION)
    monthly = period("Monthly", 3, None, MONTHLY)
    result = snapshot_pace([idle, monthly], NOW)
    assert result.binding == monthly and result.binding_pace is None


def test_lowest_remaining_ties_go_to_display_order():
    session = period("Session (5h)", 20, 2 * HOUR, SESSION)
    weekly = period("Weekly", 20, 2 * DAY)
    assert snapshot_pace([session, weekly], NOW).binding == session


def test_a_per_model_window_does_not_bind_while_all_model_windows_exist():
    weekly = period("Weekly", 20, 2 * DAY)
    opus = period("Weekly (Opus)", 100, 2 * DAY, model="opus")
    result = snapshot_pace([weekly, opus], NOW)
    assert result.binding == weekly
    assert result.available_again_at is None


def test_per_model_windows_bind_when_every_window_has_a_model():
    pro = period("Gemini Pro", 100, 5 * HOUR, DAILY, "gemini-2.5-pro")
    flash = period("Gemini Flash", 30, 5 * HOUR, DAILY, "gemini-2.5-flash")
    result = snapshot_pace([flash, pro], NOW)
    assert result.binding == pro


def test_a_snapshot_without_periods_has_no_binding_and_no_availability():
    result = snapshot_pace([], NOW)
    assert snapshot_pace_keys(result) == {"binding_period": None, "available_again_at": None}
    assert result.binding_pace is None


def test_snapshot_pace_lists_a_pace_or_none_for_every_period_in_order():
    idle = period("Session (5h)", 0, None, SESSION)
    weekly = period("Weekly", 88, 67 * HOUR)
    result = snapshot_pace([idle, weekly], NOW)
    assert [pace_document(p) is None for p in result.paces] == [True, False]
