"""The width layout of the views: wrapping at spaces, whole code spans, folding table cells."""

from vibeusage.views.layout import table, visible_len, wrap
from vibeusage.views.style import BOLD, RESET


def test_wrap_breaks_at_spaces_and_keeps_code_spans_and_durations_whole():
    text = "Run `gh auth login` first; the window runs out in 14h 1m unless you wait"
    lines = wrap(text, 24, "  ")
    assert all(len(line) <= 24 for line in lines)
    assert any("`gh auth login`" in line for line in lines)
    assert any("14h 1m" in line for line in lines)
    assert " ".join(line.strip() for line in lines) == text


def test_a_word_longer_than_the_width_overflows_whole():
    url = "https://example.com/" + "x" * 60
    assert wrap(f"see {url} now", 40) == ["see", url, "now"]


def test_colour_escapes_take_no_room():
    name = f"{BOLD}Claude{RESET}"
    assert visible_len(name) == 6
    lines = table([[name, "one two three four five six seven"]], 34)
    assert lines[0].startswith(name + "  one")
    assert all(visible_len(line) <= 34 for line in lines)


def test_a_long_last_cell_wraps_beside_its_row_or_folds_under_it_when_narrow():
    rows = [["alpha", "connected", "a fairly long explanation of what to do next"]]
    beside = table(rows, 50)
    assert beside[0].startswith("alpha  connected  a fairly")
    assert beside[1].startswith(" " * len("alpha  connected  "))
    under = table(rows, 36)
    assert under[0] == "alpha  connected"
    assert all(line.startswith("    ") and len(line) <= 36 for line in under[1:])


def test_no_width_is_one_line_per_row():
    rows = [["a", "b" * 200]]
    assert table(rows, None) == ["a  " + "b" * 200]
    assert wrap("x " * 100, None) == ["x " * 100]
