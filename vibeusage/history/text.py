"""The text of ``vibeusage history`` (a table per provider, within 80 columns) and ``--events``."""

from datetime import datetime, timezone, tzinfo
from typing import List, Optional, Sequence

from .events import Event
from .line import json_number
from .view import HistoryView, SeriesView

WINDOW_WIDTH = 22
_HEADER = ("Window", "Now", "Last window", "vs last", "Burn/day", "Samples")


def render_history(view: HistoryView) -> str:
    """Per provider: each window's current value, last window, same-point delta, burn, samples."""
    blocks = []
    for name, history in view.providers.items():
        if not history.series:
            continue
        several = len({s.account for s in history.series}) > 1
        rows = [_row(s, several) for s in history.series]
        blocks.append(f"{name}\n" + _table([_HEADER, *rows]))
    if not blocks:
        blocks.append(
            "No history in this range. Record it with `vibeusage history record` "
            "(from cron, for instance)."
        )
    return "\n\n".join(blocks) + "\n" + _skipped_note(view.skipped_lines)


def render_events(view: HistoryView, tz: Optional[tzinfo] = None) -> str:
    """One line per event: time, provider, window, event, reason."""
    events: List[Event] = sorted(
        (e for h in view.providers.values() for e in h.events),
        key=lambda e: (e.observed_at, e.provider, e.window or ""),
    )
    if not events:
        return "No events in this range.\n" + _skipped_note(view.skipped_lines)
    rows = [("Time", "Provider", "Window", "Event", "Reason")]
    rows += [
        (
            _time(e.observed_at, tz),
            e.provider,
            _clip(e.window or "(account)", WINDOW_WIDTH),
            e.event,
            e.reason or "",
        )
        for e in events
    ]
    return _table(rows) + "\n" + _skipped_note(view.skipped_lines)


def _row(series: SeriesView, with_account: bool) -> Sequence[str]:
    trend = series.trend
    label = series.window
    if with_account:
        label = f"{label} [{(series.account or 'unknown')[:6]}]"
    last = trend.last_complete
    last_text = (
        "-"
        if last is None
        else f"{_pct(last.final_used_percent)} / max {_pct(last.max_used_percent)}"
    )
    return (
        _clip(label, WINDOW_WIDTH),
        _pct(series.current.used_percent),
        last_text,
        "-" if trend.delta_vs_last_period is None else f"{trend.delta_vs_last_period:+g} pp",
        "-" if trend.burn_per_day is None else f"{trend.burn_per_day:g} pp",
        str(len(series.points)),
    )


def _table(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows
    ]
    return "\n".join(lines)


def _pct(value: float) -> str:
    return f"{json_number(value)}%"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 3] + "..."


def _time(moment: datetime, tz: Optional[tzinfo]) -> str:
    local = moment.astimezone(tz or timezone.utc)
    return local.strftime("%Y-%m-%d %H:%M")


def _skipped_note(skipped: int) -> str:
    if not skipped:
        return ""
    noun = "line" if skipped == 1 else "lines"
    return f"({skipped} unreadable ledger {noun} skipped)\n"
