"""``vibeusage watch`` screens: the usage table and a footer, fitted to the terminal's size."""

from dataclasses import replace
from datetime import datetime
from typing import List, Optional, Sequence, Tuple

from ..pipeline import ProviderResult
from .durations import format_countdown
from .style import RESET, Style
from .usage_text import render_results

QUIT_HINT = "Ctrl-C to quit"


def watch_frame(
    results: Sequence[ProviderResult],
    now: datetime,
    style: Style,
    size: Tuple[int, int],
    footer: str,
) -> str:
    """The whole screen for ``size`` (columns, rows): the table, a blank line, the footer.

    No line reaches the last column (a terminal would wrap it or erase its last cell) and
    the screen never needs to scroll: rows that do not fit are summed up in one line.
    """
    columns, rows = size
    width = max(1, columns - 1)
    body = render_results(results, now, replace(style, width=width)).rstrip("\n")
    lines = body.split("\n") if body else []
    tail = ["", footer] if lines else [footer]
    room = max(0, rows - len(tail))
    if len(lines) > room:
        keep = max(0, room - 1)
        hidden = len(lines) - keep
        more = f"{'…' if style.unicode else '...'} {hidden} more lines: enlarge the terminal"
        lines = lines[:keep] + ([more] if room else [])
    shown = [clip(line, width, style.color) for line in lines + tail]
    return "\n".join(shown[-rows:] if rows > 0 else shown[-1:])


def footer_text(
    updated_ago: Optional[float],
    next_in: Optional[float],
    fetching: Sequence[str],
    style: Style,
) -> str:
    """``updated 12s ago · next fetch in 48s · Ctrl-C to quit`` (or what is being fetched)."""
    parts = []
    if updated_ago is not None:
        parts.append(f"updated {short_duration(updated_ago)} ago")
    if fetching:
        parts.append(f"fetching {', '.join(fetching)}{'…' if style.unicode else '...'}")
    elif next_in is not None:
        parts.append(f"next fetch in {short_duration(next_in)}")
    parts.append(QUIT_HINT)
    return f" {style.sep} ".join(parts)


def off_terminal_block(results: Sequence[ProviderResult], now: datetime, style: Style) -> str:
    """What watch prints after each fetch off a terminal: the table and a blank line."""
    return render_results(results, now, style) + "\n"


def short_duration(seconds: float) -> str:
    """``7s``, ``2m 05s``, then the table's countdown (``1h 10m``, ``2d 3h``)."""
    whole = max(0, int(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    from datetime import timedelta

    return format_countdown(timedelta(seconds=whole))


def clip(line: str, width: int, color: bool) -> str:
    """``line`` cut to ``width`` terminal columns; colour codes kept and closed when cut."""
    import unicodedata

    out: List[str] = []
    used = 0
    index = 0
    escaped = False
    while index < len(line):
        char = line[index]
        if char == "\x1b":  # a colour code takes no column
            end = line.find("m", index)
            end = len(line) - 1 if end < 0 else end
            out.append(line[index : end + 1])
            escaped = True
            index = end + 1
            continue
        cells = 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used + cells > width:
            if escaped and color:
                out.append(RESET)
            return "".join(out)
        out.append(char)
        used += cells
        index += 1
    return "".join(out)
