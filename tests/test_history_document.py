"""``history --json`` (FEATURES.md §3.3) built from a hand-written ledger."""

import json

from tests.history_helpers import MACHINE, T0, at, line, write_ledger
from vibeusage.history.document import history_document
from vibeusage.history.reader import read_ledger
from vibeusage.history.view import build_history

R1, R2 = at(days=7), at(days=14)
NOW = at(days=10)
SESSION = {"window": "Session (5h)", "period_type": "session"}

LEDGER = [
    line(at(days=1), 10, R1),
    line(at(days=3), 38, R1),
    line(at(days=5), 100, R1),
    line(at(days=6), 97, R1),
    line(at(days=7, hours=1), 2, R2),
    line(at(days=9), 20, R2),
    line(at(days=10), 42, R2),
    line(at(days=9, hours=1), 30, at(days=9, hours=4), **SESSION),
    line(at(days=9, hours=2), 5, at(days=9, hours=4), **SESSION),
    line(at(days=2), 7, at(days=30), provider="copilot", window="Monthly", period_type="monthly"),
]


def document(tmp_path, since=T0, provider=None):
    write_ledger(tmp_path, LEDGER)
    view = build_history(read_ledger(tmp_path, since, NOW), since, NOW, provider)
    return json.loads(json.dumps(history_document(view, MACHINE)))


def test_the_document_has_the_contract_keys(tmp_path):
    doc = document(tmp_path)
    assert list(doc) == [
        "schema_version",
        "since",
        "until",
        "machine",
        "skipped_lines",
        "providers",
    ]
    assert doc["schema_version"] == 1 and doc["machine"] == MACHINE
    assert (doc["since"], doc["until"]) == (at().isoformat(), NOW.isoformat())
    assert sorted(doc["providers"]) == ["claude", "copilot"]
    assert list(doc["providers"]["claude"]) == ["series", "events"]


def test_series_come_shortest_window_first_with_their_points_and_trend(tmp_path):
    series = document(tmp_path)["providers"]["claude"]["series"]
    assert [s["window"] for s in series] == ["Session (5h)", "Weekly"]
    weekly = series[1]
    assert list(weekly) == [
        "window",
        "period_type",
        "model",
        "account",
        "samples",
        "points",
        "current",
        "trend",
    ]
    assert weekly["samples"] == 7 == len(weekly["points"])
    assert weekly["points"][0] == {
        "observed_at": at(days=1).isoformat(),
        "used_percent": 10,
        "resets_at": R1.isoformat(),
    }
    assert weekly["current"] == weekly["points"][-1]
    assert weekly["trend"] == {
        "burn_per_day": 13.52,
        "same_point_last_period": 38,
        "delta_vs_last_period": 4,
        "last_complete": {
            "resets_at": R1.isoformat(),
            "final_used_percent": 97,
            "max_used_percent": 100,
            "hit_limit": True,
        },
        "windows_completed": 1,
        "windows_hit_limit": 1,
    }


def test_events_carry_a_reason_only_for_resets(tmp_path):
    events = document(tmp_path)["providers"]["claude"]["events"]
    assert events == [
        {
            "observed_at": at(days=7, hours=1).isoformat(),
            "event": "reset",
            "reason": "scheduled",
            "window": "Weekly",
            "account": None,
            "before": R1.isoformat(),
            "after": R2.isoformat(),
        },
        {
            "observed_at": at(days=9, hours=1).isoformat(),
            "event": "window_added",
            "window": "Session (5h)",
            "account": None,
            "before": None,
            "after": None,
        },
        {
            "observed_at": at(days=9, hours=2).isoformat(),
            "event": "reset",
            "reason": "silent",
            "window": "Session (5h)",
            "account": None,
            "before": 30,
            "after": 5,
        },
    ]


def test_points_and_events_are_limited_to_the_range(tmp_path):
    doc = document(tmp_path, since=at(days=8))
    weekly = doc["providers"]["claude"]["series"][1]
    assert [p["used_percent"] for p in weekly["points"]] == [20, 42]
    assert "copilot" not in doc["providers"]  # its only line is before the range
    assert [e.get("reason") for e in doc["providers"]["claude"]["events"]] == [None, "silent"]


def test_a_reset_at_the_first_point_of_the_range_is_seen_against_the_heartbeat_before(tmp_path):
    heartbeat = line(at(days=7, minutes=40), 97, R1)
    write_ledger(tmp_path, [*LEDGER[:4], heartbeat, *LEDGER[4:7]])
    since = at(days=7, minutes=50)
    view = build_history(read_ledger(tmp_path, since, NOW), since, NOW)
    doc = history_document(view, MACHINE)
    weekly = doc["providers"]["claude"]["series"][0]
    assert weekly["points"][0]["used_percent"] == 2  # the heartbeat is not a point
    (event,) = doc["providers"]["claude"]["events"]
    assert (event["reason"], event["before"]) == ("scheduled", R1.isoformat())


def test_one_provider_only(tmp_path):
    doc = document(tmp_path, provider="copilot")
    assert list(doc["providers"]) == ["copilot"]
    assert doc["providers"]["copilot"]["series"][0]["period_type"] == "monthly"


def test_a_provider_asked_for_without_history_is_empty(tmp_path):
    doc = document(tmp_path, provider="gemini")
    assert doc["providers"] == {"gemini": {"series": [], "events": []}}


def test_skipped_lines_are_counted_in_the_document(tmp_path):
    (tmp_path / "2026-09.jsonl").write_bytes(b"torn")
    assert document(tmp_path)["skipped_lines"] == 1


def test_series_of_two_accounts_stay_apart(tmp_path):
    write_ledger(
        tmp_path,
        [
            line(at(days=1), 10, R1, account="aaaaaaaaaaaaaaaa"),
            line(at(days=1), 60, R1, account="bbbbbbbbbbbbbbbb"),
        ],
    )
    view = build_history(read_ledger(tmp_path, at(), NOW), at(), NOW)
    series = history_document(view, MACHINE)["providers"]["claude"]["series"]
    assert [(s["account"], s["current"]["used_percent"]) for s in series] == [
        ("aaaaaaaaaaaaaaaa", 10),
        ("bbbbbbbbbbbbbbbb", 60),
    ]
