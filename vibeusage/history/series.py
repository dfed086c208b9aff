"""Series and window instances: how a ledger's lines group for events and trends (§3.2).

A series is one window of one account; a window instance is a run of its lines whose reset
times agree within 120 s (each with the one before, as providers jitter by seconds).
"""

from datetime import datetime, timedelta
from typing import Dict, Iterable, List, Optional

from .line import Record, SeriesKey

#: Reset times closer than this are the same reset (providers jitter by a few seconds).
RESET_TOLERANCE = timedelta(seconds=120)

_FIXED = {
    "session": timedelta(hours=5),
    "daily": timedelta(hours=24),
    "weekly": timedelta(days=7),
}
UNKNOWN_MONTH = timedelta(days=30)


def same_reset(before: Optional[datetime], after: Optional[datetime]) -> bool:
    """Whether two reset times are one reset: both unknown, or at most 120 s apart."""
    if before is None or after is None:
        return before is None and after is None
    return abs(after - before) <= RESET_TOLERANCE


def group_series(records: Iterable[Record]) -> Dict[SeriesKey, List[Record]]:
    """Records by series, each list in the input's (``observed_at``) order."""
    series: Dict[SeriesKey, List[Record]] = {}
    for record in records:
        key = (record[2], record[3], record[4])  # record.series, without the property call
        lines = series.get(key)
        if lines is None:
            series[key] = [record]
        else:
            lines.append(record)
    return series


def split_instances(lines: Iterable[Record]) -> List[List[Record]]:
    """Consecutive runs of a series' lines that share one reset (within 120 s)."""
    instances: List[List[Record]] = []
    current: List[Record] = []
    previous: Optional[datetime] = None
    for record in lines:
        resets_at = record.resets_at
        if current and (
            resets_at is previous  # the same cached time, or both unknown
            or (
                resets_at is not None
                and previous is not None
                and abs(resets_at - previous) <= RESET_TOLERANCE
            )
        ):
            current.append(record)
        else:
            current = [record]
            instances.append(current)
        previous = resets_at
    return instances


def window_duration(period_type: Optional[str], resets_at: Optional[datetime]) -> timedelta:
    """D of FEATURES.md §0.2: fixed for session/daily/weekly, a calendar month for monthly."""
    fixed = _FIXED.get(period_type or "")
    if fixed is not None:
        return fixed
    if resets_at is None:
        return UNKNOWN_MONTH
    return resets_at - month_before(resets_at)


def month_before(moment: datetime) -> datetime:
    """The same time one calendar month earlier, the day clamped to the shorter month."""
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    if year < 1:
        return moment - UNKNOWN_MONTH
    day = min(moment.day, _days_in(year, month))
    return moment.replace(year=year, month=month, day=day)


def elapsed_fraction(record: Record) -> Optional[float]:
    """How far into its window a line was observed, 0–1; None without a reset time."""
    if record.resets_at is None:
        return None
    duration = window_duration(record.period_type, record.resets_at)
    elapsed = duration - (record.resets_at - record.observed_at)
    return max(0.0, min(1.0, elapsed / duration))


def _days_in(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (datetime(year, month + 1, 1) - datetime(year, month, 1)).days
