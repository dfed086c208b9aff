"""A failure gate in words: ``not paused``, or ``paused until Fri 16 Jan 11:00 CET``."""

from typing import Optional

from .clock_time import local_clock_iso

#: What a strategy that nothing holds back shows.
NOT_PAUSED = "not paused"


def pause_phrase(closed_until: Optional[str]) -> str:
    """``paused until`` a local time (minute precision, zone named), or :data:`NOT_PAUSED`."""
    return f"paused until {local_clock_iso(closed_until)}" if closed_until else NOT_PAUSED
