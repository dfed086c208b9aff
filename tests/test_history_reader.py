"""Reading the ledger: only the segments a range needs; bad lines skipped and counted (§3.2)."""

import json

from tests.history_helpers import at, line, snapshot, weekly, write_ledger
from vibeusage.history.reader import ALL_TIME, read_ledger, read_machine_ledger
from vibeusage.history.record import record_in_state
from vibeusage.history.segments import list_segments

RESET = at(days=7)
NOW = at(days=20)


def test_records_come_back_in_observation_order_across_segments(tmp_path):
    write_ledger(
        tmp_path,
        [
            line(at(days=2), 30, RESET),
            line(at(days=-2), 10, RESET),  # August
            line(at(days=1), 20, RESET),
        ],
    )
    read = read_ledger(tmp_path, at(days=-10), NOW)
    assert [r.used_percent for r in read.records] == [10, 20, 30]
    assert read.skipped_lines == 0 and read.unreadable == []


def test_torn_blank_and_garbled_lines_are_skipped_and_counted(tmp_path):
    write_ledger(tmp_path, [line(at(days=1), 20, RESET)])
    segment = tmp_path / "2026-09.jsonl"
    with open(segment, "ab") as handle:
        handle.write(b"\n")  # blank
        handle.write(b"   \n")  # blank
        handle.write(b"{not json}\n")
        handle.write(b"\xff\xfe garbage\n")
        handle.write(json.dumps(line(at(days=2), 30, RESET, v=99)).encode() + b"\n")
        handle.write(json.dumps(line(at(days=3), 40, RESET)).encode() + b"\n")
        handle.write(b'{"v":1,"ts":"2026-09-0')  # torn last line
    read = read_ledger(tmp_path, at(days=-1), NOW)
    assert read.skipped_lines == 6
    assert [r.used_percent for r in read.records] == [20, 40]


def test_a_complete_line_without_its_newline_is_torn(tmp_path):
    (tmp_path / "2026-09.jsonl").write_bytes(json.dumps(line(at(days=1), 5, RESET)).encode())
    read = read_ledger(tmp_path, at(days=-1), NOW)
    assert (read.records, read.skipped_lines) == ([], 1)


def test_future_lines_are_skipped_and_counted(tmp_path):
    write_ledger(tmp_path, [line(at(days=1), 5, RESET), line(NOW.replace(hour=1), 6, RESET)])
    read = read_ledger(tmp_path, at(days=-1), NOW.replace(hour=0))
    assert [r.used_percent for r in read.records] == [5] and read.skipped_lines == 1


def test_identical_observations_count_once(tmp_path):
    twice = line(at(days=1), 5, RESET)
    later_write = dict(twice, ts=at(days=1, minutes=1).isoformat())
    write_ledger(tmp_path, [twice, later_write, line(at(days=1), 6, RESET)])
    read = read_ledger(tmp_path, at(days=-1), NOW)
    assert [r.used_percent for r in read.records] == [5, 6] and read.skipped_lines == 0


def test_only_segments_overlapping_the_range_are_read(tmp_path):
    write_ledger(tmp_path, [line(at(days=1), 5, RESET)])
    (tmp_path / "2026-01.jsonl").write_bytes(b"garbage\n" * 3)
    recent = read_ledger(tmp_path, at(days=10), NOW)
    everything = read_ledger(tmp_path, at(days=-300), NOW)
    assert recent.skipped_lines == 0 and recent.complete_since == at(days=10, minutes=-30)
    assert everything.skipped_lines == 3 and everything.complete_since == at(days=-243)


def test_the_previous_month_is_read_when_the_range_starts_within_a_heartbeat(tmp_path):
    write_ledger(tmp_path, [line(at(minutes=-10), 5, RESET), line(at(minutes=10), 6, RESET)])
    read = read_ledger(tmp_path, at(minutes=20), NOW)
    assert [r.used_percent for r in read.records] == [5, 6]
    assert [r.used_percent for r in read_ledger(tmp_path, at(minutes=35), NOW).records] == [6]


def test_lines_written_over_a_heartbeat_before_the_range_are_not_even_parsed(tmp_path):
    write_ledger(tmp_path, [line(at(days=1), 5, RESET), line(at(days=3), 6, RESET)])
    with open(tmp_path / "2026-09.jsonl", "ab") as handle:
        handle.write(b'{"v":1,"ts":"2026-09-01T00:00:00+00:00" garbage\n')
        handle.write(b"garbage of unknown time\n")
    read = read_ledger(tmp_path, at(days=2), NOW)
    assert [r.used_percent for r in read.records] == [6]
    assert read.skipped_lines == 1  # only the line whose time could not be told
    assert read.complete_since == at(days=2, minutes=-30)


def test_lines_in_another_time_format_are_placed_by_their_parsed_time(tmp_path):
    early = dict(line(at(days=1), 5, RESET), ts="2026-09-02T02:00:00+02:00")
    late = dict(line(at(days=3), 6, RESET), ts="2026-09-04T00:00:00.250000+00:00")
    (tmp_path / "2026-09.jsonl").write_bytes(
        (json.dumps(early) + "\n" + json.dumps(late) + "\n").encode()
    )
    assert [r.used_percent for r in read_ledger(tmp_path, at(days=2), NOW).records] == [6]
    assert [r.used_percent for r in read_ledger(tmp_path, at(days=1), NOW).records] == [5, 6]


def test_an_empty_or_missing_ledger_reads_as_nothing(tmp_path):
    read = read_ledger(tmp_path / "missing", at(), NOW)
    assert read.records == [] and read.skipped_lines == 0 and read.complete_since is None


def test_files_that_are_not_segments_are_ignored(tmp_path):
    for name in ("last.json", ".lock", "2026-13.jsonl", "2026-9.jsonl", "notes.txt"):
        (tmp_path / name).write_bytes(b"garbage\n")
    assert list_segments(tmp_path) == []


def test_an_unreadable_segment_is_reported_not_fatal(tmp_path):
    write_ledger(tmp_path, [line(at(days=1), 6, RESET)])
    (tmp_path / "2026-08.jsonl").mkdir()  # opening it fails, even as root
    read = read_ledger(tmp_path, at(days=-10), NOW)
    assert [r.used_percent for r in read.records] == [6]
    assert read.unreadable == [tmp_path / "2026-08.jsonl"]


def test_the_machine_ledger_is_empty_before_the_first_record(tmp_path):
    machine, read = read_machine_ledger(tmp_path, at(), NOW)
    assert machine is None and read.records == [] and read.complete_since is None
    assert not tmp_path.joinpath("machine-id").exists()  # reading creates nothing


def test_the_machine_ledger_is_what_record_in_state_wrote(tmp_path):
    record_in_state(tmp_path, [snapshot(at(days=1), weekly(5, RESET))], at(days=1))
    machine, read = read_machine_ledger(tmp_path, ALL_TIME, NOW)
    assert machine == (tmp_path / "machine-id").read_text().strip()
    assert [(r.machine, r.used_percent) for r in read.records] == [(machine, 5)]
