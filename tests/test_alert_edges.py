"""Alert edges (§6): one event per crossing and instance, re-arming, lanes, thresholds."""

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.alert_helpers import NOW, WEEK_RESET, fresh, minutes, session, snapshot, stale, weekly
from tests.fakes import fake_provider, network_error
from vibeusage.alert.edges import FORGET_AFTER, LaneState, evaluate, same_instance
from vibeusage.alert.lanes import lane_key, observations
from vibeusage.alert.thresholds import merge_thresholds, parse_thresholds, threshold_key
from vibeusage.history.record import account_id

AT = (Decimal(80), Decimal(95))
CLAUDE = fake_provider("claude", [])


def run(lanes, *windows, at=AT, when=NOW, email=None):
    """One alert run over a fresh Claude snapshot with ``windows``: (lanes, fired thresholds)."""
    seen = observations([fresh(CLAUDE, snapshot("claude", windows, when, email=email))])
    lanes, crossings = evaluate(lanes, seen, at, when)
    return lanes, [(c.observation.period.name, c.threshold) for c in crossings]


def test_a_first_observation_above_a_threshold_fires_it():
    _, fired = run({}, weekly(83))
    assert fired == [("Weekly", 80)]


def test_a_first_observation_below_every_threshold_fires_nothing_but_is_kept():
    lanes, fired = run({}, weekly(40))
    assert fired == []
    assert lanes["claude|-|Weekly"].used_percent == 40


def test_only_the_highest_threshold_reached_fires_and_the_lower_ones_are_marked():
    lanes, fired = run({}, weekly(97))
    assert fired == [("Weekly", 95)]
    assert set(lanes["claude|-|Weekly"].fired) == {"80", "95"}
    _, again = run(lanes, weekly(98), when=minutes(5))
    assert again == []


def test_a_threshold_fires_once_per_instance():
    lanes, first = run({}, weekly(81))
    lanes, second = run(lanes, weekly(84), when=minutes(5))
    lanes, third = run(lanes, weekly(90), when=minutes(10))
    assert (first, second, third) == ([("Weekly", 80)], [], [])


def test_a_higher_threshold_fires_when_reached_later():
    lanes, _ = run({}, weekly(81))
    _, fired = run(lanes, weekly(96), when=minutes(5))
    assert fired == [("Weekly", 95)]


@pytest.mark.parametrize("dip, rearmed", [(76, False), (75, True), (60, True)])
def test_a_threshold_rearms_only_five_points_below_it(dip, rearmed):
    lanes, _ = run({}, weekly(82))
    lanes, dipped = run(lanes, weekly(dip), when=minutes(5))
    _, back = run(lanes, weekly(81), when=minutes(10))
    assert dipped == []
    assert back == ([("Weekly", 80)] if rearmed else [])


def test_the_rearm_rule_is_on_the_new_used_percent_not_the_stored_one():
    lanes = {"claude|-|Weekly": LaneState(WEEK_RESET, Decimal("75.5"), {"80": "t"})}
    _, fired = run(lanes, weekly(76))
    assert fired == []
    lanes2, _ = run(lanes, weekly(75))
    assert "80" not in lanes2["claude|-|Weekly"].fired


def test_a_new_instance_rearms_every_threshold():
    lanes, _ = run({}, weekly(97))
    later = WEEK_RESET + timedelta(days=7)
    _, fired = run(lanes, weekly(96, later), when=WEEK_RESET + timedelta(minutes=1))
    assert fired == [("Weekly", 95)]


def test_a_reset_time_moved_within_120_s_is_the_same_instance():
    lanes, _ = run({}, weekly(81))
    _, fired = run(lanes, weekly(82, WEEK_RESET + timedelta(seconds=120)), when=minutes(5))
    assert fired == []
    _, moved = run(lanes, weekly(82, WEEK_RESET + timedelta(seconds=121)), when=minutes(5))
    assert moved == [("Weekly", 80)]


def test_a_window_without_reset_time_is_one_instance_until_it_gets_one():
    lanes, first = run({}, weekly(85, None))
    lanes, second = run(lanes, weekly(86, None), when=minutes(5))
    _, third = run(lanes, weekly(86), when=minutes(10))
    assert (first, second, third) == ([("Weekly", 80)], [], [("Weekly", 80)])


def test_same_instance_rules():
    assert same_instance(None, None)
    assert not same_instance(None, WEEK_RESET)
    assert not same_instance(WEEK_RESET, None)
    assert same_instance(WEEK_RESET, WEEK_RESET - timedelta(seconds=120))


def test_each_lane_fires_on_its_own():
    _, fired = run({}, weekly(83), session(96))
    assert sorted(fired) == [("Session (5h)", 95), ("Weekly", 80)]


def test_lanes_are_per_account_and_the_account_is_hashed():
    lanes, _ = run({}, weekly(83), email="Ada@example.com")
    lanes, fired = run(lanes, weekly(83), email="bob@example.com", when=minutes(5))
    assert fired == [("Weekly", 80)]
    ada = account_id(snapshot("claude", [], email="ada@example.com"))
    assert lane_key("claude", ada, "Weekly") in lanes
    assert not any("example.com" in key for key in lanes)


def test_stale_or_failed_data_neither_fires_nor_rearms():
    lanes, _ = run({}, weekly(82))
    dropped = snapshot("claude", [weekly(10)], minutes(5))
    results = [
        stale(CLAUDE, dropped, network_error()),
        fake_result_error(),
    ]
    seen = observations(results)
    assert seen == []
    after, crossings = evaluate(lanes, seen, AT, minutes(5))
    assert crossings == [] and after == lanes
    _, fired = run(after, weekly(83), when=minutes(10))
    assert fired == []


def fake_result_error():
    from vibeusage.pipeline import ProviderResult

    return ProviderResult(fake_provider("codex", []), error=network_error())


def test_lanes_whose_reset_passed_long_ago_are_forgotten_and_others_kept():
    old = LaneState(NOW - FORGET_AFTER - timedelta(seconds=1), Decimal(90), {"80": "t"})
    recent = LaneState(NOW - timedelta(days=1), Decimal(90), {"80": "t"})
    endless = LaneState(None, Decimal(90), {"80": "t"})
    lanes = {"a|-|W": old, "b|-|W": recent, "c|-|W": endless}
    after, _ = evaluate(lanes, [], AT, NOW)
    assert set(after) == {"b|-|W", "c|-|W"}


def test_thresholds_given_in_any_order_fire_the_highest():
    _, fired = run({}, weekly(99), at=(Decimal(95), Decimal(50), Decimal(80)))
    assert fired == [("Weekly", 95)]


def test_a_threshold_of_100_fires_at_the_limit_only():
    _, below = run({}, weekly(99), at=(Decimal(100),))
    _, full = run({}, weekly(100), at=(Decimal(100),))
    assert (below, full) == ([], [("Weekly", 100)])


# -- thresholds -------------------------------------------------------------------------------


def test_thresholds_parse_sorted_without_repeats():
    assert parse_thresholds("95, 80,80.0") == (Decimal(80), Decimal(95))
    assert [threshold_key(v) for v in parse_thresholds("82.50,100,1e1")] == ["10", "82.5", "100"]
    assert merge_thresholds([(Decimal(95),), (Decimal(80), Decimal(95))]) == (80, 95)


@pytest.mark.parametrize("text", ["0", "-5", "100.01", "abc", "", "80,", "nan", "inf", "1e400"])
def test_bad_thresholds_are_refused(text):
    with pytest.raises(ValueError):
        parse_thresholds(text)
