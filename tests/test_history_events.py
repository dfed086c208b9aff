"""Events derived from hand-written ledgers (FEATURES.md §3.2), each rule both ways."""

from datetime import timedelta

import pytest

from tests.history_helpers import at, line, records
from vibeusage.history.events import detect_events

R1 = at(days=7)
R2 = at(days=14)
SINCE = at(days=-30)  # the ledger was read whole from long before these lines


def kinds(lines, complete_since=SINCE):
    return [(e.event, e.reason) for e in detect_events(records(lines), complete_since)]


def test_a_reset_after_the_reset_time_is_scheduled():
    events = detect_events(
        records([line(at(days=6), 80, R1), line(R1 + timedelta(minutes=10), 3, R2)]), SINCE
    )
    assert [(e.event, e.reason, e.before, e.after) for e in events] == [
        ("reset", "scheduled", R1, R2)
    ]
    assert events[0].window == "Weekly" and events[0].observed_at == R1 + timedelta(minutes=10)


def test_a_reset_time_moving_under_120_seconds_is_no_reset():
    jitter = R1 + timedelta(seconds=120)
    assert kinds([line(at(days=6), 80, R1), line(at(days=6, hours=1), 81, jitter)]) == []


def test_a_reset_seen_within_120_seconds_before_the_reset_time_is_scheduled():
    seen = R1 - timedelta(seconds=100)
    assert kinds([line(at(days=6), 80, R1), line(seen, 0, R2)]) == [("reset", "scheduled")]


def test_a_reset_well_before_the_reset_time_is_early():
    seen = R1 - timedelta(seconds=200)
    assert kinds([line(at(days=6), 80, R1), line(seen, 0, R2)]) == [("reset", "early")]


def test_a_large_drop_under_the_same_reset_time_is_a_silent_reset():
    events = detect_events(records([line(at(days=3), 60, R1), line(at(days=4), 35, R1)]), SINCE)
    assert [(e.event, e.reason, e.before, e.after) for e in events] == [("reset", "silent", 60, 35)]


def test_a_drop_under_20_points_is_no_reset():
    assert kinds([line(at(days=3), 60, R1), line(at(days=4), 40.5, R1)]) == []


def test_a_drop_with_a_new_reset_time_is_not_also_silent():
    assert kinds([line(at(days=6), 80, R1), line(R1, 0, R2)]) == [("reset", "scheduled")]


def test_a_drop_without_any_reset_time_is_a_silent_reset():
    lines = [line(at(hours=1), 50, None), line(at(hours=2), 10, None)]
    assert kinds(lines) == [("reset", "silent")]


def test_a_reset_time_moving_back_is_reported():
    events = detect_events(records([line(at(days=1), 10, R2), line(at(days=2), 12, R1)]), SINCE)
    assert [(e.event, e.reason, e.before, e.after) for e in events] == [
        ("window_moved_back", None, R2, R1)
    ]


def test_a_reset_time_moving_back_under_120_seconds_is_not():
    assert (
        kinds([line(at(days=1), 10, R1), line(at(days=2), 12, R1 - timedelta(seconds=119))]) == []
    )


def test_a_reset_across_an_idle_window_without_reset_time_is_still_seen():
    session_end = at(hours=5)
    lines = [
        line(at(hours=4), 80, session_end, window="Session", period_type="session"),
        line(at(hours=6), 0, None, window="Session", period_type="session"),
        line(at(hours=9), 4, at(hours=14), window="Session", period_type="session"),
    ]
    events = detect_events(records(lines), SINCE)
    assert [(e.event, e.reason, e.observed_at) for e in events] == [
        ("reset", "scheduled", at(hours=9))
    ]


def test_a_plan_change_of_the_account_is_one_event():
    lines = [
        line(at(hours=1), 10, R1, plan="Pro"),
        line(at(hours=1), 5, at(hours=5), window="Session", plan="Pro"),
        line(at(hours=2), 11, R1, plan="Max 5x"),
        line(at(hours=2), 6, at(hours=5), window="Session", plan="Max 5x"),
    ]
    events = detect_events(records(lines), SINCE)
    assert [(e.event, e.window, e.before, e.after) for e in events] == [
        ("plan_changed", None, "Pro", "Max 5x")
    ]


def test_an_unknown_plan_in_between_is_no_change():
    lines = [
        line(at(hours=1), 10, R1, plan="Pro"),
        line(at(hours=2), 11, R1, plan=None),
        line(at(hours=3), 12, R1, plan="Pro"),
    ]
    assert kinds(lines) == []


def test_plans_of_different_accounts_are_not_compared():
    lines = [
        line(at(hours=1), 10, R1, plan="Pro", account="aaaaaaaaaaaaaaaa"),
        line(at(hours=2), 11, R1, plan="Max 5x", account="bbbbbbbbbbbbbbbb"),
    ]
    assert kinds(lines) == []


def test_a_limit_change_is_reported():
    lines = [
        line(at(hours=1), 10, R1, limit=500),
        line(at(hours=2), 11, R1, limit=None),
        line(at(hours=3), 12, R1, limit=1500),
    ]
    events = detect_events(records(lines), SINCE)
    assert [(e.event, e.window, e.before, e.after) for e in events] == [
        ("limit_changed", "Weekly", 500, 1500)
    ]


def test_an_unchanged_limit_is_not():
    assert kinds([line(at(hours=1), 10, R1, limit=500), line(at(hours=2), 11, R1, limit=500)]) == []


def heartbeats(window, start_minutes, end_minutes, used=10, resets=R1):
    return [
        line(at(minutes=m), used, resets, window=window)
        for m in range(start_minutes, end_minutes + 1, 30)
    ]


def test_a_window_appearing_after_fetches_without_it_is_added():
    lines = heartbeats("Weekly", 0, 180) + heartbeats("Weekly (Opus)", 120, 180)
    events = detect_events(records(lines), at())
    assert [(e.event, e.window, e.observed_at) for e in events] == [
        ("window_added", "Weekly (Opus)", at(minutes=120))
    ]


def test_windows_starting_together_are_not_added():
    lines = heartbeats("Weekly", 0, 180) + heartbeats("Session", 0, 180)
    assert kinds(lines, at()) == []


def test_a_window_first_seen_within_a_heartbeat_of_the_start_of_the_data_is_not_added():
    lines = heartbeats("Weekly", 0, 180) + heartbeats("Weekly (Opus)", 20, 170)
    assert kinds(lines, at()) == []
    assert kinds(lines, at(minutes=-60)) == [("window_added", None)]


def test_a_window_absent_from_two_fetches_after_a_heartbeat_is_removed():
    lines = heartbeats("Weekly", 0, 180) + heartbeats("Weekly (Opus)", 0, 60)
    events = detect_events(records(lines), at())
    # last line at 60 min; fetches at 120 and 150 lack it (90 is within a heartbeat)
    assert [(e.event, e.window, e.observed_at) for e in events] == [
        ("window_removed", "Weekly (Opus)", at(minutes=150))
    ]


def test_one_fetch_without_a_window_is_not_a_removal():
    lines = heartbeats("Weekly", 0, 120) + heartbeats("Weekly (Opus)", 0, 60)
    assert kinds(lines, at()) == []


def test_a_window_of_an_account_no_longer_fetched_is_not_removed():
    lines = heartbeats("Weekly", 0, 60) + heartbeats("Weekly (Opus)", 0, 60)
    assert kinds(lines, at()) == []


def test_events_come_out_in_time_order():
    lines = [
        line(at(days=6), 80, R1, window="B"),
        line(at(days=1), 60, R1, window="A"),
        line(at(days=2), 10, R1, window="A"),
        line(R1, 0, R2, window="B"),
    ]
    events = detect_events(records(lines), SINCE)
    assert [(e.window, e.event, e.reason) for e in events] == [
        ("A", "reset", "silent"),
        ("B", "window_added", None),  # the account was fetched on days 1 and 2 without B
        ("A", "window_removed", None),  # fetched without A on day 6 and at R1
        ("B", "reset", "scheduled"),  # also at R1: same time, by window
    ]
    assert [e.observed_at for e in events] == sorted(e.observed_at for e in events)


@pytest.mark.parametrize("before_limit", [None, 500])
def test_the_first_limit_seen_is_no_change(before_limit):
    lines = [line(at(hours=1), 10, R1, limit=before_limit), line(at(hours=2), 10, R1, limit=500)]
    assert kinds(lines) == []
