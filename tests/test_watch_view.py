"""Watch screens as pure functions: the frame for a size, the footer, clipping, redraws."""

import re

from tests.alert_helpers import NOW, fresh, session, snapshot, weekly
from tests.fakes import fake_provider
from vibeusage.views.style import GREEN, RESET, Style
from vibeusage.views.watch_text import (
    clip,
    footer_text,
    off_terminal_block,
    short_duration,
    watch_frame,
)
from vibeusage.watch.screen import CLEAR_BELOW, CLEAR_LINE_END, HOME, redraw, terminal_size

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
PLAIN = Style(color=False)
COLOUR = Style(color=True)


def results(count=1):
    return [
        fresh(
            fake_provider(f"p{i}", []),
            snapshot(f"p{i}", [session(40), weekly(83)], NOW),
        )
        for i in range(count)
    ]


def visible(line):
    return ANSI.sub("", line)


def test_a_frame_is_the_table_a_blank_line_and_the_footer():
    frame = watch_frame(results(), NOW, PLAIN, (100, 30), "FOOT")
    lines = frame.split("\n")
    assert lines[0] == "P0"
    assert lines[-2:] == ["", "FOOT"]
    assert any("Weekly" in line and "83%" in line for line in lines)
    assert not frame.endswith("\n")  # the screen never scrolls


def test_no_line_of_a_frame_reaches_the_last_column():
    for columns in (20, 40, 61, 80):
        frame = watch_frame(results(), NOW, COLOUR, (columns, 30), "x" * 200)
        assert max(len(visible(line)) for line in frame.split("\n")) <= columns - 1


def test_a_resized_terminal_gets_a_frame_laid_for_its_size():
    wide = watch_frame(results(), NOW, PLAIN, (120, 30), "footer")
    narrow = watch_frame(results(), NOW, PLAIN, (30, 30), "footer")
    assert wide != narrow
    assert all(len(line) <= 29 for line in narrow.split("\n"))
    assert "resets in" in narrow  # under its window's name, not cut off at the edge


def test_rows_that_do_not_fit_are_summed_up_and_the_footer_stays():
    frame = watch_frame(results(5), NOW, PLAIN, (100, 10), "FOOT")
    lines = frame.split("\n")
    assert len(lines) == 10
    assert lines[-1] == "FOOT"
    assert re.fullmatch(r"… \d+ more lines: enlarge the terminal", lines[-3])


def test_a_tiny_terminal_still_shows_the_footer():
    assert watch_frame(results(3), NOW, PLAIN, (40, 1), "FOOT") == "FOOT"
    assert watch_frame(results(3), NOW, PLAIN, (40, 2), "FOOT").split("\n")[-1] == "FOOT"


def test_before_the_first_fetch_the_frame_is_the_footer():
    assert watch_frame([], NOW, PLAIN, (80, 24), "fetching") == "fetching"


def test_the_footer_counts_up_and_down():
    assert (
        footer_text(12, 48, (), Style()) == "updated 12s ago · next fetch in 48s · Ctrl-C to quit"
    )
    assert footer_text(None, None, ("claude", "codex"), Style()) == (
        "fetching claude, codex… · Ctrl-C to quit"
    )
    assert footer_text(3, 40, ("claude",), Style(unicode=False)) == (
        "updated 3s ago - fetching claude... - Ctrl-C to quit"
    )


def test_short_durations():
    assert [short_duration(s) for s in (0, 7.9, 59, 60, 125, 3599, 3600, 90000)] == [
        "0s",
        "7s",
        "59s",
        "1m 00s",
        "2m 05s",
        "59m 59s",
        "1h 0m",
        "1d 1h",
    ]


def test_clipping_keeps_colour_codes_and_closes_them():
    line = f"{GREEN}abcdef{RESET}gh"
    assert clip(line, 4, True) == f"{GREEN}abcd{RESET}"
    assert clip(line, 20, True) == line
    assert clip("abcdef", 3, False) == "abc"


def test_clipping_counts_wide_characters_as_two_columns():
    assert clip("日本語x", 5, False) == "日本"


def test_a_redraw_goes_home_clears_each_line_end_and_below():
    assert redraw("a\nb") == f"{HOME}a{CLEAR_LINE_END}\nb{CLEAR_LINE_END}{CLEAR_BELOW}"


def test_off_a_terminal_a_block_is_the_plain_table_and_a_blank_line():
    block = off_terminal_block(results(), NOW, PLAIN)
    assert block.endswith("\n\n")
    assert "\x1b" not in block


def test_the_terminal_size_falls_back_to_the_environment_then_80x24():
    class NoTerminal:
        def fileno(self):
            raise OSError("not a terminal")

    assert terminal_size(NoTerminal(), {"COLUMNS": "132", "LINES": "50"}) == (132, 50)
    assert terminal_size(NoTerminal(), {"COLUMNS": "x"}) == (80, 24)
    assert terminal_size(object(), {}) == (80, 24)
