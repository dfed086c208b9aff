"""Recording snapshots: change-only lines, heartbeat, last.json, segments, retention (§3.2)."""

import json
import os
import stat
from datetime import timedelta

import pytest

from tests.history_helpers import MACHINE, at, records, session, snapshot, weekly, write_ledger
from tests.history_helpers import line as ledger_line
from vibeusage.history.last import LAST_FILE
from vibeusage.history.reader import history_dir, read_ledger
from vibeusage.history.record import account_id, needs_line, record, record_in_state
from vibeusage.models import PeriodType, UsagePeriod

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permission bits")
RESET = at(days=7)


def lines_of(directory):
    found = []
    for path in sorted(directory.glob("*.jsonl")):
        found += [json.loads(raw) for raw in path.read_bytes().splitlines()]
    return found


def record_at(directory, minutes, used, resets=RESET, **kwargs):
    moment = at(minutes=minutes)
    return record(directory, MACHINE, [snapshot(moment, weekly(used, resets), **kwargs)], moment)


def previous_and(current_changes, previous_changes=None):
    base = ledger_line(at(), 40, RESET, plan="Pro")
    previous = dict(base, **(previous_changes or {}))
    current = dict(base, observed_at=at(minutes=5).isoformat())
    current.update(current_changes)
    return records([previous])[0], records([current])[0]


# -- the decision --------------------------------------------------------------------------


def test_a_series_without_a_line_gets_one():
    _, current = previous_and({})
    assert needs_line(None, current)


@pytest.mark.parametrize(
    "changes, written",
    [
        ({}, False),
        ({"used_percent": 40.4}, False),
        ({"used_percent": 40.5}, True),
        ({"used_percent": 39.5}, True),
        ({"resets_at": (RESET + timedelta(seconds=119)).isoformat()}, False),
        ({"resets_at": (RESET + timedelta(seconds=120)).isoformat()}, True),
        ({"resets_at": (RESET - timedelta(seconds=120)).isoformat()}, True),
        ({"resets_at": None}, True),
        ({"period_type": "monthly"}, True),
        ({"plan": "Max 5x"}, True),
        ({"limit": 500}, True),
        ({"observed_at": at(minutes=29, seconds=59).isoformat()}, False),
        ({"observed_at": at(minutes=30).isoformat()}, True),
    ],
)
def test_a_line_is_written_only_for_a_change_or_the_heartbeat(changes, written):
    previous, current = previous_and(changes)
    assert needs_line(previous, current) is written


def test_a_reset_time_appearing_is_a_change():
    previous, current = previous_and({}, {"resets_at": None})
    assert needs_line(previous, current)


def test_an_older_or_the_same_observation_is_never_written():
    previous, _ = previous_and({})
    older = previous._replace(observed_at=at(minutes=-1), used_percent=90.0)
    same = previous._replace(used_percent=90.0)
    assert not needs_line(previous, older)
    assert not needs_line(previous, same)


# -- recording -----------------------------------------------------------------------------


def test_recording_the_same_values_again_writes_nothing(tmp_path):
    first = record_at(tmp_path, 0, 42)
    second = record_at(tmp_path, 5, 42)
    assert (first.lines_written, second.lines_written) == (1, 0)
    assert second.recorded == ["claude"]  # compared with the ledger: recorded, line or not
    assert len(lines_of(tmp_path)) == 1


def test_a_change_writes_one_line_for_the_changed_window_only(tmp_path):
    moment = at()
    both = [weekly(10, RESET), session(5, at(hours=5))]
    record(tmp_path, MACHINE, [snapshot(moment, *both)], moment)
    later = at(minutes=5)
    changed = [weekly(10, RESET), session(9, at(hours=5))]
    outcome = record(tmp_path, MACHINE, [snapshot(later, *changed)], later)
    assert outcome.lines_written == 1
    assert [(d["window"], d["used_percent"]) for d in lines_of(tmp_path)][-1] == ("Session (5h)", 9)


def test_the_heartbeat_writes_an_unchanged_window_every_30_minutes(tmp_path):
    for minutes in range(0, 95, 5):
        record_at(tmp_path, minutes, 42)
    observed = [d["observed_at"] for d in lines_of(tmp_path)]
    assert observed == [at(minutes=m).isoformat() for m in (0, 30, 60, 90)]


def test_the_line_holds_the_snapshot_observation_and_the_time_written(tmp_path):
    fetched, now = at(minutes=-1), at()
    record(tmp_path, MACHINE, [snapshot(fetched, weekly(42, RESET))], now)
    (data,) = lines_of(tmp_path)
    assert data["observed_at"] == fetched.isoformat() and data["ts"] == now.isoformat()
    assert data["machine"] == MACHINE and data["source"] == "oauth" and data["plan"] == "Max 5x"
    assert data["account"] == account_id(snapshot(fetched))
    assert data["window"] == "Weekly" and data["period_type"] == "weekly"


def test_windows_sharing_a_name_are_recorded_once(tmp_path):
    moment = at()
    twins = [weekly(10, RESET), weekly(90, RESET)]
    record(tmp_path, MACHINE, [snapshot(moment, *twins)], moment)
    assert [d["used_percent"] for d in lines_of(tmp_path)] == [10]


def test_a_model_window_records_its_model(tmp_path):
    moment = at()
    opus = UsagePeriod("Weekly (Opus)", 7, PeriodType.WEEKLY, RESET, model="opus")
    record(tmp_path, MACHINE, [snapshot(moment, opus)], moment)
    assert lines_of(tmp_path)[0]["model"] == "opus"


def test_a_snapshot_fetched_in_the_future_is_rejected(tmp_path):
    now = at()
    outcome = record(
        tmp_path, MACHINE, [snapshot(now + timedelta(minutes=10), weekly(1, RESET))], now
    )
    assert outcome.recorded == [] and "claude" in outcome.rejected
    assert lines_of(tmp_path) == []


def test_lines_go_to_the_segment_of_the_utc_month_they_are_written_in(tmp_path):
    record_at(tmp_path, -1, 10)  # 31 Aug 23:59
    record_at(tmp_path, 1, 50)  # 1 Sep 00:01
    names = sorted(p.name for p in tmp_path.glob("*.jsonl"))
    assert names == ["2026-08.jsonl", "2026-09.jsonl"]


def test_last_json_holds_the_last_line_of_each_series(tmp_path):
    record_at(tmp_path, 0, 10)
    record_at(tmp_path, 5, 50)
    data = json.loads((tmp_path / LAST_FILE).read_text(encoding="utf-8"))
    assert data["v"] == 1
    assert [(d["window"], d["used_percent"]) for d in data["lines"]] == [("Weekly", 50)]


@pytest.mark.parametrize(
    "content", [None, b"", b"{garbage", b'{"v": 2, "lines": []}', b'{"v": 1, "lines": [{"v": 1}]}']
)
def test_a_missing_or_broken_last_json_is_rebuilt_from_the_newest_segment(tmp_path, content):
    record_at(tmp_path, 0, 42)
    if content is None:
        (tmp_path / LAST_FILE).unlink()
    else:
        (tmp_path / LAST_FILE).write_bytes(content)
    outcome = record_at(tmp_path, 5, 42)
    assert outcome.lines_written == 0  # the segment still says 42
    data = json.loads((tmp_path / LAST_FILE).read_text(encoding="utf-8"))
    assert [d["used_percent"] for d in data["lines"]] == [42]


def test_a_torn_last_line_is_terminated_and_the_next_line_is_whole(tmp_path):
    record_at(tmp_path, 0, 10)
    segment = tmp_path / "2026-09.jsonl"
    with open(segment, "ab") as handle:
        handle.write(b'{"v":1,"ts":"2026-09-01T00:0')
    record_at(tmp_path, 5, 50)
    raw_lines = segment.read_bytes().split(b"\n")
    assert raw_lines[1] == b'{"v":1,"ts":"2026-09-01T00:0'
    assert json.loads(raw_lines[2])["used_percent"] == 50
    read = read_ledger(tmp_path, at(days=-1), at(hours=1))
    assert read.skipped_lines == 1
    assert [r.used_percent for r in read.records] == [10, 50]


def test_retention_deletes_segments_whose_month_ended_long_enough_ago(tmp_path):
    for month in ("2025-06", "2025-07", "2025-08", "2026-08"):
        (tmp_path / f"{month}.jsonl").write_bytes(b"")
    now = at(days=19)  # 20 Sep 2026: 400 days back is 16 Aug 2025
    outcome = record(tmp_path, MACHINE, [snapshot(now, weekly(1, RESET))], now)
    remaining = sorted(p.name for p in tmp_path.glob("*.jsonl"))
    assert remaining == ["2025-08.jsonl", "2026-08.jsonl", "2026-09.jsonl"]
    assert sorted(p.name for p in outcome.removed_segments) == ["2025-06.jsonl", "2025-07.jsonl"]


def test_retention_days_can_be_shorter(tmp_path):
    (tmp_path / "2026-07.jsonl").write_bytes(b"")
    now = at(days=19)
    record(tmp_path, MACHINE, [snapshot(now, weekly(1, RESET))], now, retention_days=30)
    assert sorted(p.name for p in tmp_path.glob("*.jsonl")) == ["2026-09.jsonl"]


def test_record_in_state_writes_under_history_and_the_machine_id(tmp_path):
    now = at()
    outcome = record_in_state(tmp_path, [snapshot(now, weekly(5, RESET))], now)
    machine = (tmp_path / "machine-id").read_text().strip()
    directory = history_dir(tmp_path, machine)
    assert directory == tmp_path / "history" / machine
    assert outcome.lines_written == 1 and outcome.locked
    assert sorted(p.name for p in directory.iterdir()) == [".lock", "2026-09.jsonl", LAST_FILE]
    assert lines_of(directory)[0]["machine"] == machine


@posix_only
def test_ledger_files_are_0600_and_directories_0700(tmp_path):
    now = at()
    record_in_state(tmp_path / "state", [snapshot(now, weekly(5, RESET))], now)
    for path in (tmp_path / "state").rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_no_email_organisation_or_token_reaches_the_state_dir(tmp_path):
    now = at()
    snap = snapshot(now, weekly(5, RESET), email="Person@Example.COM")
    record_in_state(tmp_path, [snap], now)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            text = path.read_bytes().decode("utf-8").lower()
            for secret in ("person", "example.com", "@", "acme"):
                assert secret not in text, (path, secret)


def test_the_account_is_a_hash_of_the_lowercased_email_else_the_organisation():
    moment = at()
    upper = account_id(snapshot(moment, email="Person@Example.COM"))
    lower = account_id(snapshot(moment, email="person@example.com"))
    org_only = account_id(snapshot(moment, email=None))
    assert upper == lower and len(upper) == 16 and int(upper, 16) >= 0
    assert org_only is not None and org_only != upper
    assert account_id(snapshot(moment, email="person@example.com", provider="codex")) != lower


def test_the_account_is_unknown_without_an_identity():
    from vibeusage.models import UsageSnapshot

    assert account_id(UsageSnapshot("claude", at())) is None


def test_recording_carries_on_when_the_lock_is_held(tmp_path):
    from vibeusage.locking import file_lock

    tmp_path.mkdir(exist_ok=True)
    with file_lock(tmp_path / ".lock", 1.0) as held:
        assert held
        moment = at()
        outcome = record(
            tmp_path, MACHINE, [snapshot(moment, weekly(5, RESET))], moment, lock_timeout=0.1
        )
    assert not outcome.locked and outcome.lines_written == 1


def test_records_written_are_read_back_identically(tmp_path):
    for minutes, used in [(0, 10), (5, 20), (10, 35)]:
        record_at(tmp_path, minutes, used)
    read = read_ledger(tmp_path, at(days=-1), at(hours=1))
    assert [(r.observed_at, r.used_percent, r.resets_at) for r in read.records] == [
        (at(minutes=0), 10, RESET),
        (at(minutes=5), 20, RESET),
        (at(minutes=10), 35, RESET),
    ]


def test_a_record_after_a_hand_written_ledger_continues_it(tmp_path):
    write_ledger(
        tmp_path, [ledger_line(at(), 42, RESET, account=account_id(snapshot(at())), plan="Max 5x")]
    )
    assert record_at(tmp_path, 5, 42).lines_written == 0


def test_several_providers_are_recorded_in_one_call(tmp_path):
    moment = at()
    snaps = [
        snapshot(moment, weekly(5, RESET)),
        snapshot(moment, weekly(9, RESET), provider="codex"),
    ]
    outcome = record(tmp_path, MACHINE, snaps, moment)
    assert outcome.recorded == ["claude", "codex"] and outcome.lines_written == 2
    assert [d["provider"] for d in lines_of(tmp_path)] == ["claude", "codex"]


def test_a_snapshot_without_windows_is_recorded_without_a_line(tmp_path):
    moment = at()
    outcome = record(tmp_path, MACHINE, [snapshot(moment)], moment)
    assert outcome.recorded == ["claude"] and outcome.lines_written == 0


def test_retention_leaves_what_it_cannot_remove(tmp_path):
    (tmp_path / "2025-01.jsonl").mkdir()
    now = at(days=19)
    outcome = record(tmp_path, MACHINE, [snapshot(now, weekly(1, RESET))], now)
    assert outcome.removed_segments == [] and (tmp_path / "2025-01.jsonl").is_dir()
