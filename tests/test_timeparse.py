"""Tolerant timestamp parsing: ISO strings in every shape providers send, epoch s and ms."""

from datetime import datetime, timedelta, timezone

import pytest

from vibeusage.timeparse import from_epoch, parse_iso, utcnow

BASE = datetime(2026, 1, 16, 10, 30, tzinfo=timezone.utc)


def assert_aware_utc(value):
    assert value is not None
    assert value.tzinfo is timezone.utc
    assert value.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2026-01-16T10:30:00Z", BASE),
        ("2026-01-16T10:30:00z", BASE),
        ("2026-01-16T10:30:00+00:00", BASE),
        ("2026-01-16T12:30:00+02:00", BASE),
        ("2026-01-16T05:00:00-05:30", BASE),
        ("2026-01-16 10:30:00+00:00", BASE),
        ("  2026-01-16T10:30:00Z  ", BASE),
        ("2026-01-16T10:30Z", BASE),
        ("2026-01-16T10:30:00.123456Z", BASE.replace(microsecond=123456)),
        ("2026-01-16T10:30:00.123456+00:00", BASE.replace(microsecond=123456)),
        ("2026-01-16T10:30:00.123Z", BASE.replace(microsecond=123000)),
        ("2026-01-16T10:30:00.5Z", BASE.replace(microsecond=500000)),
        ("2026-01-16T10:30:00.1234567Z", BASE.replace(microsecond=123456)),
        ("2026-01-16T10:30:00.123456789Z", BASE.replace(microsecond=123456)),
        ("2026-01-16T12:30:00.123456789+02:00", BASE.replace(microsecond=123456)),
    ],
)
def test_parse_iso_accepts_provider_timestamp_shapes(text, expected):
    result = parse_iso(text)
    assert result == expected
    assert_aware_utc(result)


def test_parse_iso_takes_a_value_without_offset_as_utc():
    result = parse_iso("2026-01-16T10:30:00")
    assert result == BASE
    assert_aware_utc(result)


def test_parse_iso_takes_a_date_only_value_as_utc_midnight():
    result = parse_iso("2026-01-16")
    assert result == datetime(2026, 1, 16, tzinfo=timezone.utc)
    assert_aware_utc(result)


def test_parse_iso_accepts_an_offset_without_colon_on_every_python():
    # Python 3.11+ parses "+0000" natively; 3.9 and 3.10 do not, and parse_iso does not
    # normalise it, so the same provider answer gives a time or None depending on Python.
    assert parse_iso("2026-01-16T10:30:00+0000") == BASE
    assert parse_iso("2026-01-16T12:30:00+0200") == BASE


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "   ",
        "garbage",
        "2026-13-45T10:30:00Z",
        "2026-01-16T25:00:00Z",
        "yesterday at noon",
        "Z",
        1768559400,
        1768559400.0,
        b"2026-01-16T10:30:00Z",
        ["2026-01-16T10:30:00Z"],
        {"at": "2026-01-16T10:30:00Z"},
        True,
    ],
)
def test_parse_iso_returns_none_for_garbage_and_non_strings(value):
    assert parse_iso(value) is None


def test_utcnow_is_aware_utc_and_current():
    before = datetime.now(timezone.utc)
    now = utcnow()
    after = datetime.now(timezone.utc)
    assert_aware_utc(now)
    assert before <= now <= after


# --- from_epoch -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (0, datetime(1970, 1, 1, tzinfo=timezone.utc)),
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc)),
        (1768559400, BASE),
        (1768559400.5, BASE.replace(microsecond=500000)),
        ("1768559400", BASE),
        (" 1768559400 ", BASE),
        ("1768559400.25", BASE.replace(microsecond=250000)),
    ],
)
def test_from_epoch_converts_seconds(value, expected):
    result = from_epoch(value)
    assert result == expected
    assert_aware_utc(result)


@pytest.mark.parametrize(
    "value, expected",
    [
        (1768559400000, BASE),
        (1768559400123, BASE.replace(microsecond=123000)),
        ("1768559400000", BASE),
        (1768559400000.0, BASE),
    ],
)
def test_from_epoch_converts_milliseconds(value, expected):
    result = from_epoch(value, unit="ms")
    assert result == expected
    assert_aware_utc(result)


def test_from_epoch_milliseconds_read_as_seconds_differ_from_ms():
    assert from_epoch(1768559400, unit="ms") == datetime(
        1970, 1, 21, 11, 15, 59, 400000, tzinfo=timezone.utc
    )


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        False,
        "",
        "abc",
        "nan",
        "inf",
        float("nan"),
        float("inf"),
        float("-inf"),
        1e20,
        10**30,
        10**400,
        -(10**400),
        "1e300",
        [],
        {},
    ],
)
def test_from_epoch_returns_none_for_bools_none_non_finite_and_huge(value):
    assert from_epoch(value) is None


@pytest.mark.parametrize("value", [True, None, float("nan"), 1e25])
def test_from_epoch_returns_none_for_bad_milliseconds(value):
    assert from_epoch(value, unit="ms") is None
