"""The text of ``vibeusage history`` and ``--events`` (FEATURES.md §3.3)."""

from datetime import timedelta, timezone

from tests.history_helpers import at, line, write_ledger
from vibeusage.history.reader import read_ledger
from vibeusage.history.text import render_events, render_history
from vibeusage.history.view import build_history

R1, R2 = at(days=7), at(days=14)
NOW = at(days=10)


def view_of(tmp_path, lines):
    write_ledger(tmp_path, lines)
    return build_history(read_ledger(tmp_path, at(), NOW), at(), NOW)


TWO_WEEKS = [
    line(at(days=1), 10, R1),
    line(at(days=3), 38, R1),
    line(at(days=5), 100, R1),
    line(at(days=6), 97, R1),
    line(at(days=7, hours=1), 2, R2),
    line(at(days=9), 20, R2),
    line(at(days=10), 42, R2),
]


def test_the_table_shows_now_last_window_delta_burn_and_samples(tmp_path):
    text = render_history(view_of(tmp_path, TWO_WEEKS))
    lines = text.splitlines()
    assert lines[0] == "claude"
    assert lines[1].split() == [
        "Window",
        "Now",
        "Last",
        "window",
        "vs",
        "last",
        "Burn/day",
        "Samples",
    ]
    assert lines[2].split() == [
        "Weekly",
        "42%",
        "97%",
        "/",
        "max",
        "100%",
        "+4",
        "pp",
        "13.52",
        "pp",
        "7",
    ]


def test_the_table_fits_80_columns_with_long_names(tmp_path):
    lines = [
        line(at(days=1), 10.25, R1, window="Weekly (claude-opus-4-1-20250805 long model)"),
        line(at(days=2), 99.75, R1, window="Weekly (claude-opus-4-1-20250805 long model)"),
    ]
    text = render_history(view_of(tmp_path, lines))
    assert max(len(row) for row in text.splitlines()) <= 80
    assert "..." in text


def test_unknown_figures_are_dashes(tmp_path):
    text = render_history(view_of(tmp_path, [line(at(days=1), 10, R1)]))
    assert text.splitlines()[2].split() == ["Weekly", "10%", "-", "-", "-", "1"]


def test_several_accounts_are_told_apart(tmp_path):
    lines = [
        line(at(days=1), 10, R1, account="aaaaaaaaaaaaaaaa"),
        line(at(days=1), 60, R1, account="bbbbbbbbbbbbbbbb"),
    ]
    text = render_history(view_of(tmp_path, lines))
    assert "Weekly [aaaaaa]" in text and "Weekly [bbbbbb]" in text


def test_an_empty_range_says_how_to_record(tmp_path):
    assert "vibeusage history record" in render_history(view_of(tmp_path, []))


def test_skipped_lines_are_mentioned(tmp_path):
    (tmp_path / "2026-09.jsonl").write_bytes(b"garbage\n")
    assert "(1 unreadable ledger line skipped)" in render_history(view_of(tmp_path, TWO_WEEKS))


def test_events_list_time_provider_window_event_and_reason(tmp_path):
    text = render_events(view_of(tmp_path, TWO_WEEKS))
    rows = [row.split() for row in text.splitlines()]
    assert rows[0] == ["Time", "Provider", "Window", "Event", "Reason"]
    assert rows[1] == ["2026-09-08", "01:00", "claude", "Weekly", "reset", "scheduled"]


def test_event_times_can_be_shown_in_a_local_zone(tmp_path):
    zone = timezone(timedelta(hours=2))
    text = render_events(view_of(tmp_path, TWO_WEEKS), tz=zone)
    assert "2026-09-08 03:00" in text


def test_no_events_says_so(tmp_path):
    assert render_events(view_of(tmp_path, TWO_WEEKS[:2])) == "No events in this range.\n"
