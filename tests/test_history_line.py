"""The ledger line format (FEATURES.md §3.1) and what the reader refuses (§3.2)."""

import json
from datetime import timedelta

import pytest

from tests.history_helpers import MACHINE, at, line
from vibeusage.history.line import (
    MAX_LINE_BYTES,
    MAX_TEXT,
    LineParser,
    Record,
    encode_line,
    json_number,
)

NOW = at(days=20)


def parse(data):
    return LineParser(NOW).parse(json.dumps(data).encode() + b"\n")


def sample_record(**overrides):
    fields = dict(
        ts=at(days=19, hours=10, minutes=15, seconds=3),
        machine=MACHINE,
        provider="claude",
        account="a1b2c3d4e5f6a7b8",
        window="Weekly",
        period_type="weekly",
        model=None,
        used_percent=42.0,
        resets_at=at(days=24, hours=9),
        observed_at=at(days=19, hours=10, minutes=14, seconds=58),
        source="oauth",
        plan="Max 5x",
    )
    fields.update(overrides)
    return Record(**fields)


def test_a_line_has_the_documented_keys_in_order():
    data = json.loads(encode_line(sample_record()))
    assert list(data) == [
        "v",
        "ts",
        "machine",
        "provider",
        "account",
        "window",
        "period_type",
        "model",
        "used_percent",
        "resets_at",
        "observed_at",
        "source",
        "plan",
    ]
    assert data["v"] == 1 and data["used_percent"] == 42 and data["model"] is None
    assert data["ts"] == "2026-09-20T10:15:03+00:00"
    assert data["resets_at"] == "2026-09-25T09:00:00+00:00"


def test_a_line_is_compact_utf8_and_newline_terminated():
    raw = encode_line(sample_record(window="Wöchentlich ✓"))
    assert raw.endswith(b"\n") and raw.count(b"\n") == 1
    assert "Wöchentlich ✓".encode() in raw
    assert b", " not in raw and b": " not in raw


def test_a_line_round_trips_through_the_parser():
    record = sample_record(used_percent=42.57, used=1234.0, limit=5000.0, unit="requests")
    assert LineParser(NOW).parse(encode_line(record)) == record


def test_absolute_quotas_are_written_only_when_known():
    assert "limit" not in json.loads(encode_line(sample_record()))
    data = json.loads(encode_line(sample_record(used=10.0, limit=50.0, unit="requests")))
    assert (data["used"], data["limit"], data["unit"]) == (10, 50, "requests")


def test_a_line_that_would_reach_4_kib_is_refused():
    with pytest.raises(ValueError):
        encode_line(sample_record(window="\x01" * 700))


def test_clipped_text_always_fits_in_4_kib():
    worst = "\x01" * MAX_TEXT  # each character escapes to six bytes
    record = sample_record(window=worst, model=worst, source=worst, plan=worst, provider=worst)
    assert len(encode_line(record)) < MAX_LINE_BYTES


@pytest.mark.parametrize("value, expected", [(42.0, 42), (42.5, 42.5), (14.000000000000002, 14)])
def test_percents_are_written_as_whole_numbers_or_two_decimals(value, expected):
    assert json_number(value) == expected
    assert type(json_number(value)) is type(expected)


def test_unknown_keys_are_ignored():
    record = parse(line(at(days=1), 42, at(days=7), future_field={"x": 1}))
    assert record is not None and record.used_percent == 42


def test_null_keys_may_be_omitted():
    data = {"v": 1, "ts": at(days=1).isoformat(), "provider": "claude", "window": "Weekly"}
    data["used_percent"] = 5
    record = parse(data)
    assert record is not None
    assert (record.account, record.resets_at, record.model, record.plan) == (None,) * 4
    assert record.observed_at == at(days=1)  # observed_at falls back to ts


@pytest.mark.parametrize(
    "change",
    [
        {"v": 2},
        {"v": None},
        {"v": "1"},
        {"v": True},
        {"ts": None},
        {"ts": "yesterday"},
        {"provider": None},
        {"provider": ""},
        {"window": None},
        {"window": 5},
        {"used_percent": None},
        {"used_percent": "42"},
        {"used_percent": True},
        {"used_percent": -1},
        {"used_percent": 101.5},
        {"used_percent": 1.7e9},
        {"observed_at": "not a time"},
        {"resets_at": "not a time"},
        {"resets_at": 1790000000},
    ],
)
def test_a_line_that_cannot_be_trusted_is_refused(change):
    data = line(at(days=1), 42, at(days=7))
    data.update(change)
    assert parse(data) is None


@pytest.mark.parametrize("key", ["v", "ts", "provider", "window", "used_percent"])
def test_a_line_missing_a_required_key_is_refused(key):
    data = line(at(days=1), 42, at(days=7))
    del data[key]
    assert parse(data) is None


@pytest.mark.parametrize("raw", [b"", b"   ", b"[1, 2]", b'"text"', b"{not json", b"\xff\xfe{}"])
def test_garbage_is_refused(raw):
    assert LineParser(NOW).parse(raw) is None


def test_non_finite_used_percent_is_refused():
    raw = json.dumps(line(at(days=1), 1, at(days=7))).replace(
        '"used_percent": 1', '"used_percent": NaN'
    )
    assert LineParser(NOW).parse(raw.encode()) is None


def test_a_percent_just_above_100_is_100():
    assert parse(line(at(days=1), 100.6, at(days=7))).used_percent == 100


def test_lines_more_than_five_minutes_ahead_are_refused():
    assert parse(line(NOW + timedelta(minutes=4), 1, None)) is not None
    assert parse(line(NOW + timedelta(minutes=6), 1, None)) is None
    observed_ahead = line(NOW, 1, None)
    observed_ahead["observed_at"] = (NOW + timedelta(minutes=6)).isoformat()
    assert parse(observed_ahead) is None


def test_times_with_z_or_another_offset_are_read_as_utc():
    data = line(at(days=1), 1, None)
    data["ts"] = "2026-09-02T02:00:00+02:00"
    data["observed_at"] = "2026-09-02T00:00:00Z"
    record = parse(data)
    assert record.ts == at(days=1) and record.observed_at == at(days=1)


def test_an_unknown_period_type_is_read_as_none():
    assert parse(line(at(days=1), 1, None, period_type="fortnightly")).period_type is None
