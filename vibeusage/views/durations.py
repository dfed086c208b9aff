"""How long until and how long ago: countdowns, ages and the reset phrase of a window."""

from datetime import datetime, timedelta

from ..models import UsagePeriod
from ..pace.text import countdown
from .clock_time import local_clock


def format_countdown(delta: timedelta) -> str:
    """``4d 12h``, ``3h 45m``, ``45m`` or ``<1m`` (the forecast's own countdown)."""
    return countdown(int(delta.total_seconds()))


def format_reset(period: UsagePeriod, now: datetime, reset_format: str = "countdown") -> str:
    """``resets in 2h 30m`` (or ``resets Fri 16 Jan 11:00 CET``); empty when unknown.

    A reset that has passed says so with the last reading: ``reset 6h ago, was 62%``.
    """
    left = period.time_until_reset(now)
    if period.resets_at is None or left is None:
        return ""
    if period.reset_elapsed(now):
        text = f"reset {format_age(now - period.resets_at)} ago"
        return text + (f", was {period.utilization}%" if period.utilization else "")
    if reset_format == "absolute":
        return "resets " + local_clock(period.resets_at)
    return "resets in " + format_countdown(left)


def format_age(delta: timedelta) -> str:
    """``42s`` under a minute, else a countdown-style age; never negative."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    return format_countdown(delta)
