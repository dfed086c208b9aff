"""The columns of the usage table, shared by every provider block and fitted to a width.

Name, bar, percentage, pace mark and reset line up across providers; the bar shortens
when the width is tight and goes below :data:`NO_BAR_BELOW` columns; a row too wide even
then puts its reset under the name, and ``-v``'s pace summary goes beside or under it.
"""

from typing import List, Optional, Sequence, Tuple

from .layout import visible_len, wrap

BAR_WIDTH = 20
#: A bar narrower than this says too little: the row goes without one.
MIN_BAR = 8
#: Below this terminal width the rows go without a bar (the percentage says it all).
NO_BAR_BELOW = 70
INDENT = "  "
GAP = 2

#: A window's plain cells: name, percentage, pace mark, reset phrase.
Plain = Tuple[str, str, str, str]
#: A window's drawn cells: name, bar, percentage, pace mark, reset phrase (may hold colour).
Cells = Tuple[str, str, str, str, str]


class Grid:
    """Column widths measured over every window shown, and the bar's width for the terminal."""

    def __init__(self, name: int, percent: int, mark: int, reset: int, bar: int) -> None:
        self.name, self.percent, self.mark, self.reset, self.bar = name, percent, mark, reset, bar

    @classmethod
    def measure(cls, windows: Sequence[Plain], width: Optional[int]) -> "Grid":
        """The widths that fit every one of ``windows`` (plain text) on ``width`` columns."""
        name, percent, mark, reset = (
            max((len(w[i]) for w in windows), default=0) for i in range(4)
        )
        rest = len(INDENT) + name + GAP + percent + (GAP + mark if mark else 0) + GAP + reset
        return cls(name, percent, mark, reset, _bar_width(width, rest))

    def row(self, cells: Cells) -> str:
        """One window's row, its cells in their columns (the bar left out when there is none)."""
        name, drawn, percent, mark, reset = cells
        parts = [_pad(name, self.name)]
        if self.bar:
            parts.append(drawn)
        parts.append(" " * (self.percent - visible_len(percent)) + percent)
        if self.mark:
            parts.append(_pad(mark, self.mark))
        parts.append(reset)
        return (INDENT + (" " * GAP).join(parts)).rstrip()

    def lines(self, cells: Cells, summary: Optional[str], width: Optional[int]) -> List[str]:
        """The row, with its reset and ``summary`` moved under it when they do not fit."""
        out: List[str] = []
        line = self.row(cells)
        if width is not None and visible_len(line) > width and cells[4]:
            out += [self.row(cells[:4] + ("",)), INDENT + "  " + cells[4]]
            line = ""
        if summary is not None:
            column = max(self._summary_column, visible_len(line) + GAP)
            if line and (width is None or column + len(summary) <= width):
                line = _pad(line, column) + summary
            else:
                out += [line] if line else []
                out += wrap(summary, width, INDENT + "  ")
                line = ""
        return out + ([line] if line else [])

    @property
    def _summary_column(self) -> int:
        """Where ``-v``'s pace summary starts: after the widest reset cell."""
        widths = [self.name, self.bar, self.percent, self.mark, self.reset]
        return len(INDENT) + sum(w + GAP for w in widths if w) if self.reset else 0


def _bar_width(width: Optional[int], rest: int) -> int:
    """The full bar when there is room; a shorter one down to ``MIN_BAR``; none below that."""
    if width is None:
        return BAR_WIDTH
    if width < NO_BAR_BELOW:
        return 0
    room = width - rest - GAP
    return min(BAR_WIDTH, room) if room >= MIN_BAR else 0


def _pad(text: str, width: int) -> str:
    return text + " " * (width - visible_len(text))
