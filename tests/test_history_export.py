"""``history export`` (CSV, JSONL) and the ``--since`` argument (FEATURES.md §3.1, §3.3)."""

import csv
import io
import json
from datetime import timedelta

import pytest

from tests.history_helpers import MACHINE, at, line, write_ledger
from vibeusage.history.export import (
    CSV_COLUMNS,
    export_csv,
    export_jsonl,
    export_records,
    export_text,
)
from vibeusage.history.reader import read_ledger
from vibeusage.history.since import parse_since

R1 = at(days=7)
NOW = at(days=10)


LONG_AGO = at(days=-60)


def exported(tmp_path, since=LONG_AGO):
    write_ledger(
        tmp_path,
        [
            line(at(days=2), 20.5, R1, plan="Pro"),
            line(at(days=-3), 10, R1, model="opus"),
            line(at(days=1), 15, None, window='Session, "5h"', period_type="session"),
        ],
    )
    with open(tmp_path / "2026-09.jsonl", "ab") as handle:
        handle.write(b"garbage\n")
    return export_records(read_ledger(tmp_path, since, NOW), since)


def test_csv_has_the_documented_header_and_rows_in_observation_order(tmp_path):
    text = export_csv(exported(tmp_path))
    assert text.splitlines()[0] == (
        "ts,machine,provider,account,window,period_type,model,used_percent,resets_at,"
        "observed_at,source,plan"
    )
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["used_percent"] for r in rows] == ["10", "15", "20.5"]
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["model"] == "opus" and rows[0]["machine"] == MACHINE
    assert rows[1]["window"] == 'Session, "5h"' and rows[1]["resets_at"] == ""
    assert rows[2]["plan"] == "Pro" and rows[2]["resets_at"] == R1.isoformat()
    assert rows[0]["account"] == ""  # unknown is an empty cell


def test_jsonl_has_one_ledger_object_a_line_and_skips_bad_lines(tmp_path):
    text = export_jsonl(exported(tmp_path))
    assert text.endswith("\n")
    objects = [json.loads(raw) for raw in text.splitlines()]
    assert [o["used_percent"] for o in objects] == [10, 15, 20.5]
    assert objects[0]["v"] == 1 and objects[0]["observed_at"] == at(days=-3).isoformat()


def test_the_export_is_limited_to_since(tmp_path):
    records = exported(tmp_path, since=at(days=1))
    assert [r.used_percent for r in records] == [15, 20.5]


def test_export_text_picks_the_format(tmp_path):
    records = exported(tmp_path)
    assert export_text(records, "csv") == export_csv(records)
    assert export_text(records, "jsonl") == export_jsonl(records)
    with pytest.raises(ValueError):
        export_text(records, "xml")


def test_an_empty_export_is_a_header_or_nothing():
    assert export_csv([]) == ",".join(CSV_COLUMNS) + "\n"
    assert export_jsonl([]) == ""


@pytest.mark.parametrize(
    "text, back",
    [
        ("90m", timedelta(minutes=90)),
        ("12h", timedelta(hours=12)),
        ("30d", timedelta(days=30)),
        ("8w", timedelta(weeks=8)),
        (" 2D ", timedelta(days=2)),
    ],
)
def test_since_takes_a_duration_back_from_now(text, back):
    assert parse_since(text, NOW) == NOW - back


@pytest.mark.parametrize(
    "text, moment",
    [
        ("2026-09-05", at(days=4)),
        ("2026-09-05T12:30", at(days=4, hours=12, minutes=30)),
        ("2026-09-05T12:30:00Z", at(days=4, hours=12, minutes=30)),
        ("2026-09-05T14:30:00+02:00", at(days=4, hours=12, minutes=30)),
    ],
)
def test_since_takes_an_iso_date_or_time_utc_without_an_offset(text, moment):
    assert parse_since(text, NOW) == moment


@pytest.mark.parametrize(
    "text", ["", "30", "d", "0d", "-5d", "30y", "1.5h", "yesterday", "2026-13-01", "2026-12-01"]
)
def test_since_refuses_anything_else(text):
    with pytest.raises(ValueError, match="--since"):
        parse_since(text, NOW)


def test_since_refuses_a_duration_too_far_back():
    with pytest.raises(ValueError, match="too far back"):
        parse_since("999999999w", NOW)
