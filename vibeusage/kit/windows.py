"""Reading the usage windows of one response: each one read, or a note saying why not.

A window the provider sent whose values cannot be read is never dropped in silence: it
becomes a snapshot note naming it (``five_hour: utilization "eleven" is unreadable, not
shown``), and a response that holds windows of which none can be read is a parse error.
Parsers make one :class:`WindowReader` per response and end with :meth:`WindowReader.done`.
"""

from typing import Any, List, Optional, Tuple

from ..errors import parse_error
from ..models import UsagePeriod, percent_used, periods_tuple
from .envelope import shown_text

#: Longest piece of an unreadable value quoted in a note.
_QUOTED = 40


def shown_value(value: Any) -> str:
    """A short, safe rendering of an unreadable value for a note (``"eleven"``, ``a list``)."""
    if isinstance(value, str):
        return f'"{shown_text(value, _QUOTED)}"'
    if value is None or isinstance(value, (bool, int, float)):
        return shown_text(repr(value), _QUOTED)
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


class WindowReader:
    """The periods read from one response, and a note for each window that could not be."""

    def __init__(self, provider_name: str) -> None:
        self.provider_name = provider_name
        self.periods: List[UsagePeriod] = []
        self.notes: List[str] = []
        #: The notes on windows present but unreadable (also in ``notes``).
        self.unread: List[str] = []

    def add(self, period: Optional[UsagePeriod]) -> None:
        """Keep a period that was read (None is ignored: the caller has noted why)."""
        if period is not None:
            self.periods.append(period)

    def note(self, text: str) -> None:
        """Record why something readable is not shown (``chat: unlimited, not shown``)."""
        self.notes.append(text)

    def broken(self, text: str) -> None:
        """Record, in the parser's own words, a window that was sent but cannot be read."""
        self.unread.append(text)
        self.notes.append(text)

    def unreadable(self, window: str, what: str, value: Any) -> None:
        """Record that ``window`` was sent but its ``what`` (``value``) cannot be read."""
        self.broken(f"{window}: {what} {shown_value(value)} is unreadable, not shown")

    def percent(self, window: str, value: Any, what: str = "utilization") -> Optional[int]:
        """Whole percent used from ``value``; None, with a note, when it is not a number.

        A missing value (None) is no reading at all, not an unreadable one: no note.
        """
        used = percent_used(value)
        if used is None and value is not None:
            self.unreadable(window, what, value)
        return used

    def check(self) -> None:
        """Raise the parse error when windows were sent and none of them could be read."""
        if self.unread and not self.periods:
            detail = "; ".join(self.unread[:3])
            raise parse_error(self.provider_name, f"no usage window could be read ({detail})")

    def done(self) -> Tuple[Tuple[UsagePeriod, ...], Tuple[str, ...]]:
        """The periods in display order and the notes; the parse error when none was read."""
        self.check()
        return periods_tuple(self.periods), tuple(self.notes)
