"""Trends and window instances from hand-written series (FEATURES.md §3.2)."""

from datetime import datetime, timedelta, timezone

import pytest

from tests.history_helpers import at, line, records
from vibeusage.history.series import elapsed_fraction, split_instances, window_duration
from vibeusage.history.trends import series_trend

R1 = at(days=7)
R2 = at(days=14)
NOW = at(days=10)

TWO_WEEKS = [
    line(at(days=1), 10, R1),
    line(at(days=3), 38, R1),
    line(at(days=5), 100, R1),
    line(at(days=6), 97, R1),
    line(at(days=7, hours=1), 2, R2),
    line(at(days=9), 20, R2),
    line(at(days=10), 42, R2),
]


def test_the_worked_two_week_series():
    trend = series_trend(records(TWO_WEEKS), NOW)
    # 40 points over 2 days 23 hours
    assert trend.burn_per_day == round(40 / (71 / 24), 2) == 13.52
    assert trend.same_point_last_period == 38  # 3/7 into the window, as on day 3
    assert trend.delta_vs_last_period == 4
    last = trend.last_complete
    assert (last.resets_at, last.final_used_percent, last.max_used_percent) == (R1, 97, 100)
    assert last.hit_limit is True
    assert (trend.windows_completed, trend.windows_hit_limit) == (1, 1)


def test_burn_needs_an_hour_of_the_current_window():
    lines = [line(at(days=1), 10, R1), line(at(days=1, minutes=59), 12, R1)]
    assert series_trend(records(lines), NOW).burn_per_day is None
    lines[1] = line(at(days=1, hours=1), 12, R1)
    assert series_trend(records(lines), NOW).burn_per_day == 48


def test_without_a_previous_window_there_is_no_comparison():
    trend = series_trend(records(TWO_WEEKS[4:]), NOW)
    assert trend.last_complete is None
    assert trend.same_point_last_period is None and trend.delta_vs_last_period is None
    assert (trend.windows_completed, trend.windows_hit_limit) == (0, 0)


def test_the_same_point_must_be_within_five_hundredths_of_the_window():
    sparse = [line(at(days=1), 10, R1), line(at(days=5), 80, R1), line(at(days=10), 42, R2)]
    trend = series_trend(records(sparse), NOW)
    assert trend.same_point_last_period is None  # 3/7 is far from 1/7 and 5/7
    near = sparse[:1] + [line(at(days=3, hours=7), 30, R1)] + sparse[1:]  # 0.47 vs 0.43
    assert series_trend(records(near), NOW).same_point_last_period == 30


def test_a_window_below_99_5_did_not_hit_its_limit():
    lines = [line(at(days=6), 99.4, R1), line(at(days=8), 5, R2)]
    trend = series_trend(records(lines), NOW)
    assert trend.last_complete.hit_limit is False and trend.windows_hit_limit == 0
    lines[0] = line(at(days=6), 99.5, R1)
    assert series_trend(records(lines), NOW).last_complete.hit_limit is True


def test_the_current_window_counts_as_completed_once_its_reset_passed():
    lines = [line(at(days=1), 10, R1), line(at(days=6), 100, R1)]
    assert series_trend(records(lines), at(days=6, hours=1)).windows_completed == 0
    assert series_trend(records(lines), R1 + timedelta(minutes=1)).windows_hit_limit == 1


def test_an_idle_stretch_without_reset_time_is_not_the_last_window():
    lines = [
        line(at(hours=1), 70, at(hours=5), window="Session", period_type="session"),
        line(at(hours=6), 0, None, window="Session", period_type="session"),
        line(at(hours=9), 5, at(hours=14), window="Session", period_type="session"),
    ]
    trend = series_trend(records(lines), at(hours=9))
    assert trend.last_complete.resets_at == at(hours=5)
    assert trend.windows_completed == 1


def test_instances_tolerate_reset_jitter_but_split_on_a_real_move():
    lines = [
        line(at(days=1), 10, R1),
        line(at(days=2), 11, R1 + timedelta(seconds=90)),
        line(at(days=3), 12, R1 + timedelta(seconds=170)),  # 80 s after the previous one
        line(at(days=4), 13, R1 + timedelta(seconds=300)),
        line(at(days=5), 14, None),
        line(at(days=6), 15, None),
    ]
    sizes = [len(i) for i in split_instances(records(lines))]
    assert sizes == [3, 1, 2]


@pytest.mark.parametrize(
    "period_type, resets, days",
    [
        ("session", None, 5 / 24),
        ("daily", None, 1),
        ("weekly", None, 7),
        ("monthly", datetime(2026, 3, 31, tzinfo=timezone.utc), 31),  # back to 28 Feb
        ("monthly", datetime(2027, 3, 15, tzinfo=timezone.utc), 28),
        ("monthly", datetime(2028, 3, 15, tzinfo=timezone.utc), 29),
        ("monthly", datetime(2026, 1, 10, tzinfo=timezone.utc), 31),
        ("monthly", None, 30),
    ],
)
def test_window_durations(period_type, resets, days):
    assert window_duration(period_type, resets) == timedelta(days=days)


def test_the_elapsed_fraction_of_a_line():
    (record,) = records([line(at(days=3, hours=12), 40, R1)])
    assert elapsed_fraction(record) == 0.5
    (idle,) = records([line(at(days=3), 0, None)])
    assert elapsed_fraction(idle) is None
