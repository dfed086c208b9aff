"""How text is drawn: colour or not, Unicode or ASCII, countdowns or clock times."""

from dataclasses import dataclass
from typing import Optional

RESET = "\x1b[0m"
BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RED = "\x1b[31m"
GREEN = "\x1b[32m"
YELLOW = "\x1b[33m"


@dataclass(frozen=True)
class Style:
    """How to draw: colour on or off, Unicode or ASCII, countdown or absolute resets."""

    color: bool = False
    unicode: bool = True
    pace_colors: bool = True
    reset_format: str = "countdown"
    verbose: bool = False
    #: The terminal's width in cells; None lays text out on unbounded lines.
    width: Optional[int] = None

    def paint(self, text: str, code: str) -> str:
        return f"{code}{text}{RESET}" if self.color and code else text

    @property
    def full(self) -> str:
        return "█" if self.unicode else "#"

    @property
    def empty(self) -> str:
        return "░" if self.unicode else "-"

    @property
    def sep(self) -> str:
        return "·" if self.unicode else "-"


def unicode_supported(encoding: Optional[str]) -> bool:
    """Whether ``encoding`` can carry the bar, separator and arrow characters."""
    try:
        ("█░·→").encode(encoding or "ascii")
    except (LookupError, UnicodeEncodeError):
        return False
    return True
