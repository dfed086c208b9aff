"""The capture's merge rules (FEATURES.md §5.2), one test per rule, on Claude Code's real shape."""

import copy
import json
import random
from datetime import datetime, timezone

import pytest

from tests.conftest import load_fixture
from vibeusage.pace.percent import clean_used_percent
from vibeusage.statusline.capture import normalise, read_capture, window_identity
from vibeusage.statusline.merge import MAX_SESSIONS, incoming_windows, merge
from vibeusage.statusline.values import clean_percent, epoch_seconds, iso_utc, utc_iso_epoch
from vibeusage.timeparse import parse_iso

#: 2026-09-20T13:12:00Z: the fixture's five-hour window (resets 16:00) is 2h48m from its end.
NOW = datetime(2026, 9, 20, 13, 12, tzinfo=timezone.utc).timestamp()
FIVE_RESET = 1789920000  # 2026-09-20T16:00:00Z
WEEK_RESET = 1790400000  # 2026-09-26T05:20:00Z
CONFIG_DIR = "/home/u/.claude"


def payload(**rate_limits):
    """The real fixture, its rate_limits replaced when given (None drops the key)."""
    data = load_fixture("claude/statusline-rate-limits.json")
    if rate_limits:
        data["rate_limits"] = {k: v for k, v in rate_limits.items() if v is not None}
    return data


def window(used, resets):
    return {"used_percentage": used, "resets_at": resets}


def captured(data, now=NOW, previous=None):
    return merge(previous, data, now, CONFIG_DIR)


def test_first_payload_keeps_the_windows_cleaned_and_nothing_private():
    capture = captured(payload())
    assert capture["windows"] == {
        "five_hour": {
            "used_percent": 57.0,
            "resets_at": FIVE_RESET,
            "observed_at": "2026-09-20T13:12:00+00:00",
            "last_seen_at": "2026-09-20T13:12:00+00:00",
        },
        "seven_day": {
            "used_percent": 14.0,
            "resets_at": WEEK_RESET,
            "observed_at": "2026-09-20T13:12:00+00:00",
            "last_seen_at": "2026-09-20T13:12:00+00:00",
        },
    }
    assert capture["v"] == 1
    assert capture["config_dir"] == CONFIG_DIR
    assert capture["claude_code_version"] == "2.1.197"
    text = json.dumps(capture)
    for private in ("ce0066a7", "transcript", "/home/u/src/app", "Opus", "0.000235", "effort"):
        assert private not in text
    (session,) = capture["sessions"].values()
    assert session == {"api_ms": 130, "out_tokens": 7, "seen": "2026-09-20T13:12:00+00:00"}
    assert len(next(iter(capture["sessions"]))) == 12


@pytest.mark.parametrize(
    "used, kept",
    [
        (56.99999999999999, 57.0),
        (14.000000000000002, 14.0),
        (100.4, 100.0),
        (101.0, 100.0),
        (0, 0.0),
        ("42.5", 42.5),
        (1789920000, None),  # an epoch leaked into the percent
        (101.01, None),
        (-1, None),
        (float("nan"), None),
        (float("inf"), None),
        (True, None),
        (None, None),
        ("lots", None),
        ([42], None),
    ],
)
def test_percent_is_validated_like_everywhere_else(used, kept):
    found = incoming_windows(payload(five_hour=window(used, FIVE_RESET)), NOW)
    assert found.get("five_hour", (None,))[0] == kept
    expected = clean_used_percent(used) if not isinstance(used, list) else None
    assert kept == (None if expected is None else float(expected))


@pytest.mark.parametrize(
    "resets, kept",
    [
        (FIVE_RESET, FIVE_RESET),
        (FIVE_RESET * 1000, FIVE_RESET),  # milliseconds
        ("2026-09-20T16:00:00Z", FIVE_RESET),
        (str(FIVE_RESET), FIVE_RESET),
        (int(NOW), None),  # not after now
        (int(NOW) - 60, None),  # passed
        (int(NOW) + 5 * 3600 + 600, int(NOW) + 5 * 3600 + 600),  # D + 600 s is the limit
        (int(NOW) + 5 * 3600 + 601, None),
        (None, None),
        (True, None),
        ("soon", None),
    ],
)
def test_reset_must_lie_within_the_window_ahead(resets, kept):
    found = incoming_windows(payload(five_hour=window(42, resets)), NOW)
    assert found.get("five_hour", (None, None))[1] == kept


def test_an_unknown_window_may_reset_up_to_eight_days_ahead():
    eight_days = int(NOW) + 8 * 86400 + 600
    found = incoming_windows(payload(seven_day_opus=window(3, eight_days)), NOW)
    assert found == {"seven_day_opus": (3.0, eight_days)}
    assert window_identity("seven_day_opus") == ("Weekly (Opus)", "weekly", "opus")
    assert not incoming_windows(payload(seven_day=window(3, eight_days)), NOW)


def test_a_dropped_window_leaves_the_others_and_the_old_entry():
    first = captured(payload())
    later = payload(five_hour=window(1e12 + 5, FIVE_RESET), seven_day=window(20, WEEK_RESET))
    capture = captured(later, NOW + 60, first)
    assert capture["windows"]["five_hour"] == first["windows"]["five_hour"]
    assert capture["windows"]["seven_day"]["used_percent"] == 20.0


@pytest.mark.parametrize("missing", ["key", "empty", "not an object"])
def test_a_session_start_or_clear_never_erases_the_capture(missing):
    first = captured(payload())
    start = load_fixture("claude/statusline-session-start.json")
    start["session_id"] = "a9e1f3b5-7c2d-4e6f-8a0b-1c3d5e7f9a2b"  # /clear starts a new session
    if missing == "empty":
        start["rate_limits"] = {}
    elif missing == "not an object":
        start["rate_limits"] = "none"
    capture = captured(start, NOW + 30, first)
    assert capture["windows"] == first["windows"]
    assert len(capture["sessions"]) == 2


def test_entries_past_their_reset_are_dropped():
    first = captured(payload())
    capture = captured(payload(seven_day=window(15, WEEK_RESET)), FIVE_RESET + 1, first)
    assert list(capture["windows"]) == ["seven_day"]


def test_within_one_instance_a_stale_terminal_cannot_lower_the_value():
    first = captured(payload())
    idle = payload(five_hour=window(40, FIVE_RESET + 90), seven_day=window(14, WEEK_RESET))
    capture = captured(idle, NOW + 120, first)
    five = capture["windows"]["five_hour"]
    assert five["used_percent"] == 57.0
    assert five["resets_at"] == FIVE_RESET
    assert five["observed_at"] == first["windows"]["five_hour"]["observed_at"]
    assert five["last_seen_at"] == iso_utc(NOW + 120)


def test_a_later_instance_replaces_the_old_one():
    first = captured(payload())
    # 200 s later than the old reset: beyond the 120 s that make one instance.
    capture = captured(payload(five_hour=window(3, FIVE_RESET + 200)), NOW + 60, first)
    assert capture["windows"]["five_hour"]["used_percent"] == 3.0
    assert capture["windows"]["five_hour"]["resets_at"] == FIVE_RESET + 200
    assert capture["windows"]["five_hour"]["observed_at"] == iso_utc(NOW + 60)


def test_an_earlier_instance_needs_evidence_of_a_new_response():
    first = captured(payload())
    earlier = payload(five_hour=window(5, FIVE_RESET - 3600))
    kept = captured(earlier, NOW + 60, first)
    assert kept["windows"]["five_hour"]["resets_at"] == FIVE_RESET
    assert kept["windows"]["five_hour"]["last_seen_at"] == iso_utc(NOW + 60)
    earlier["cost"]["total_api_duration_ms"] += 900
    replaced = captured(earlier, NOW + 60, first)
    assert replaced["windows"]["five_hour"]["resets_at"] == FIVE_RESET - 3600
    assert replaced["windows"]["five_hour"]["used_percent"] == 5.0


def test_observed_at_moves_only_on_evidence_of_a_new_response():
    first = captured(payload())
    again = captured(payload(), NOW + 300, first)  # an idle terminal re-sends the same
    assert again["windows"]["seven_day"]["observed_at"] == iso_utc(NOW)
    assert again["windows"]["seven_day"]["last_seen_at"] == iso_utc(NOW + 300)

    api = payload()
    api["cost"]["total_api_duration_ms"] += 1
    assert captured(api, NOW + 300, again)["windows"]["seven_day"]["observed_at"] == iso_utc(
        NOW + 300
    )

    tokens = payload()
    tokens["context_window"]["total_output_tokens"] += 1
    assert captured(tokens, NOW + 300, again)["windows"]["seven_day"]["observed_at"] == iso_utc(
        NOW + 300
    )

    other_session = payload()
    other_session["session_id"] = "ffffffff-0000-4000-8000-000000000000"
    renewed = captured(other_session, NOW + 300, again)
    assert renewed["windows"]["seven_day"]["observed_at"] == iso_utc(NOW + 300)

    went_up = payload(five_hour=window(58, FIVE_RESET), seven_day=window(14, WEEK_RESET))
    up = captured(went_up, NOW + 300, again)
    assert up["windows"]["five_hour"]["observed_at"] == iso_utc(NOW + 300)
    assert up["windows"]["seven_day"]["observed_at"] == iso_utc(NOW)


def test_a_payload_without_session_or_numbers_is_no_evidence():
    first = captured(payload())
    bare = {"rate_limits": payload()["rate_limits"]}
    capture = captured(bare, NOW + 60, first)
    assert capture["windows"]["five_hour"]["observed_at"] == iso_utc(NOW)
    assert capture["sessions"] == first["sessions"]


def test_at_most_sixteen_sessions_the_least_recently_seen_go():
    capture = None
    for index in range(MAX_SESSIONS + 3):
        data = payload()
        data["session_id"] = f"session-{index}"
        capture = captured(data, NOW + index, capture)
    assert len(capture["sessions"]) == MAX_SESSIONS
    seen = [s["seen"] for s in capture["sessions"].values()]
    assert min(seen) == iso_utc(NOW + 3)


def test_the_version_is_kept_when_a_payload_lacks_it():
    first = captured(payload())
    data = payload()
    del data["version"]
    assert captured(data, NOW + 1, first)["claude_code_version"] == "2.1.197"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "{",
        "[]",
        '"capture"',
        '{"v": 2, "windows": {}, "sessions": {}}',
        '{"v": true, "windows": {}, "sessions": {}}',
        '{"v": 1, "windows": [], "sessions": {}}',
        '{"v": 1, "windows": {}}',
        "\xff\xfe",
    ],
)
def test_a_garbage_capture_reads_as_absent(tmp_path, text):
    path = tmp_path / "statusline-0123456789ab.json"
    path.write_bytes(text.encode("latin-1"))
    assert read_capture(str(path)) is None
    assert read_capture(str(tmp_path / "missing.json")) is None


def test_unreadable_entries_are_dropped_and_the_rest_kept():
    good = captured(payload())
    data = copy.deepcopy(good)
    data["windows"]["five_hour"]["used_percent"] = "a lot"
    data["windows"]["bogus"] = {"used_percent": 5, "resets_at": FIVE_RESET, "observed_at": 3}
    data["sessions"]["short"] = {"seen": iso_utc(NOW)}
    data["sessions"]["abcdefabcdef"] = {"seen": "yesterday"}
    clean = normalise(data)
    assert list(clean["windows"]) == ["seven_day"]
    assert clean["sessions"] == good["sessions"]


def test_merging_onto_garbage_starts_afresh():
    capture = captured(payload(), NOW, normalise({"v": 1, "windows": {}, "sessions": {}}))
    assert set(capture["windows"]) == {"five_hour", "seven_day"}


@pytest.mark.parametrize(
    "value, seconds",
    [(1789920000, 1789920000.0), (1789920000123, 1789920000.123), (0, None), (-5, None)],
)
def test_epochs_above_1e11_are_milliseconds(value, seconds):
    assert epoch_seconds(value) == seconds


@pytest.mark.parametrize("used", [0.125, 12.345, 99.995, 33.333333, 7.0, 50, 1e-7, 5e-324, 0.005])
def test_percent_rounding_matches_the_pace_module(used):
    assert clean_percent(used) == float(clean_used_percent(used))


def test_percent_rounding_matches_the_pace_module_everywhere():
    rng = random.Random(19)
    values = [rng.uniform(0, 101) for _ in range(20000)]
    values += [round(rng.uniform(0, 100), 3) for _ in range(20000)]  # exact half-way texts
    values += [rng.randint(0, 10000) / 100 * 1.0000000000000002 for _ in range(5000)]
    for used in values:
        assert clean_percent(used) == float(clean_used_percent(used)), used


def test_fast_iso_reading_agrees_with_timeparse():
    rng = random.Random(21)
    for _ in range(2000):
        moment = datetime.fromtimestamp(rng.uniform(0, 4e9), timezone.utc)
        for text in (moment.isoformat(), moment.replace(microsecond=0).isoformat()):
            assert utc_iso_epoch(text) == pytest.approx(parse_iso(text).timestamp(), abs=1e-6)
            assert utc_iso_epoch(text.replace("+00:00", "Z")) == pytest.approx(
                parse_iso(text).timestamp(), abs=1e-6
            )
    for bad in ("2026-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-01-01T24:00:00Z"):
        assert utc_iso_epoch(bad) is None
        assert parse_iso(bad) is None
    assert utc_iso_epoch("2024-02-29T00:00:00Z") == parse_iso("2024-02-29T00:00:00Z").timestamp()
    assert utc_iso_epoch("2026-09-20T15:12:00+02:00") is None  # left to timeparse
