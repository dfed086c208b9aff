"""Window length D by period type, calendar months included, and a snapshot's candidates (§0.2)."""

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Optional, Sequence, Tuple

from ..models import PeriodType, UsagePeriod

#: A monthly window whose reset time is unknown is taken to last this long.
UNKNOWN_MONTH = Decimal(30 * 86400)


def seconds(delta: timedelta) -> Decimal:
    """A timedelta as exact Decimal seconds (microseconds kept, no float on the way)."""
    micro = Decimal(delta.microseconds) / 1_000_000
    return Decimal(delta.days) * 86400 + delta.seconds + micro


def window_seconds(period_type: PeriodType, resets_at: Optional[datetime]) -> Optional[Decimal]:
    """D in seconds: 5 h, 24 h, 7 d, or the calendar month before ``resets_at`` (UTC).

    None when a monthly reset is so close to year 1 that no month precedes it.
    """
    if period_type is not PeriodType.MONTHLY:
        return seconds(period_type.duration)
    if resets_at is None:
        return UNKNOWN_MONTH
    start = one_month_before(resets_at)
    return None if start is None else seconds(resets_at - start)


def one_month_before(moment: datetime) -> Optional[datetime]:
    """The same UTC time one calendar month earlier, the day clamped to the shorter month."""
    try:
        moment = moment.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        return None
    year, month = (moment.year, moment.month - 1) if moment.month > 1 else (moment.year - 1, 12)
    if year < 1:
        return None
    return moment.replace(year=year, month=month, day=min(moment.day, _days_in(year, month)))


def _days_in(year: int, month: int) -> int:
    if month == 12:
        return 31
    return (date(year, month + 1, 1) - date(year, month, 1)).days


def candidates(periods: Sequence[UsagePeriod]) -> Tuple[int, ...]:
    """Indexes of the windows binding and guard choose among: all-model ones, else all."""
    unscoped = tuple(i for i, period in enumerate(periods) if period.model is None)
    return unscoped if unscoped else tuple(range(len(periods)))
