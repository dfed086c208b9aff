"""The window reader: an unreadable window is a note naming it, none readable a parse error."""

from datetime import datetime, timezone

import pytest

from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.kit.windows import WindowReader, shown_value
from vibeusage.models import PeriodType, UsagePeriod

NOW = datetime(2026, 7, 3, tzinfo=timezone.utc)


def test_an_unreadable_percent_is_noted_with_the_window_and_the_value():
    reader = WindowReader("Alpha")
    assert reader.percent("five_hour", "eleven") is None
    reader.add(UsagePeriod("Weekly", 9, PeriodType.WEEKLY))
    periods, notes = reader.done()
    assert [p.name for p in periods] == ["Weekly"]
    assert notes == ('five_hour: utilization "eleven" is unreadable, not shown',)


def test_a_missing_percent_is_no_reading_and_no_note():
    reader = WindowReader("Alpha")
    assert reader.percent("five_hour", None) is None
    assert reader.done() == ((), ())


def test_windows_none_of_which_can_be_read_are_a_parse_error_naming_them():
    reader = WindowReader("Alpha")
    reader.percent("five_hour", "eleven")
    reader.broken("seven_day: its counts are unreadable, not shown")
    with pytest.raises(VibeusageError) as caught:
        reader.done()
    assert caught.value.category is ErrorCategory.PARSE
    assert "five_hour" in caught.value.message and "seven_day" in caught.value.message


def test_plain_notes_alone_are_not_a_parse_error():
    reader = WindowReader("Alpha")
    reader.note("chat: unlimited, not shown")
    assert reader.done() == ((), ("chat: unlimited, not shown",))


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("eleven", '"eleven"'),
        ("x" * 500, '"' + "x" * 39 + '…"'),
        ("\x1b[31mred", '"[31mred"'),
        (True, "True"),
        ({"a": 1}, "an object"),
        ([1], "a list"),
    ],
)
def test_unreadable_values_are_shown_short_and_safe(value, shown):
    assert shown_value(value) == shown
