"""Cleaning what Claude Code sends (§0.2): percents, epochs and UTC ISO strings, cheaply."""

from __future__ import annotations

import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional

#: A percent in (100, 101] is rounding at the limit; above it an epoch leaked into the field.
LEAKED_ABOVE = 101.0
#: Epochs above this are milliseconds.
MILLISECONDS_ABOVE = 1e11
#: A time further ahead than this is not trusted.
FUTURE_SLACK = 300.0


def number(value: Any) -> Optional[float]:
    """A finite float from a number or a numeric string; None for booleans and the rest."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        value = value.strip()
    elif not isinstance(value, (int, float)):
        return None
    try:
        result = float(value)
    except (ValueError, OverflowError):
        return None
    if result != result or result in (float("inf"), float("-inf")):
        return None
    return result


def clean_percent(value: Any) -> Optional[float]:
    """A used percent in 0–100 with at most 2 decimals, or None when it is not to be trusted.

    (100, 101] is 100; above 101 is an epoch in the percent field; 14.000000000000002 is 14.
    """
    found = number(value)
    if found is None or found < 0 or found > LEAKED_ABOVE:
        return None
    if found >= 100:
        return 100.0
    return _two_decimals(found)


def _two_decimals(value: float) -> float:
    """``value`` (0–100) rounded half up to 2 decimals on its shortest text, like the pace
    module's Decimal rounding, without importing ``decimal`` on every prompt."""
    text = repr(value)
    whole, dot, fraction = text.partition(".")
    if "e" in text or not whole.isdigit() or (dot and not fraction.isdigit()):
        from decimal import ROUND_HALF_UP, Decimal

        return float(Decimal(text).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    hundredths = int(whole + fraction[:2].ljust(2, "0")) + (fraction[2:3] >= "5")
    return hundredths / 100


def epoch_seconds(value: Any) -> Optional[float]:
    """Unix seconds from epoch seconds, epoch milliseconds (above 1e11) or an ISO string."""
    if isinstance(value, str):
        found = number(value)
        if found is None:
            return iso_epoch(value)
    else:
        found = number(value)
    if found is None or found <= 0:
        return None
    return found / 1000.0 if found > MILLISECONDS_ABOVE else found


def iso_utc(epoch: float) -> str:
    """``2026-09-01T10:00:00+00:00``: whole seconds, the form ``datetime.isoformat`` gives."""
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(int(epoch)))


def iso_epoch(text: Any) -> Optional[float]:
    """Unix seconds of an ISO 8601 string (``Z`` or an offset; none is UTC), or None."""
    if not isinstance(text, str):
        return None
    fast = utc_iso_epoch(text)
    if fast is not None:
        return fast
    from ..timeparse import parse_iso

    parsed = parse_iso(text)
    return None if parsed is None else parsed.timestamp()


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def utc_iso_epoch(text: str) -> Optional[float]:
    """``YYYY-MM-DDTHH:MM:SS[.ffffff]`` then ``+00:00`` or ``Z``, without datetime; else None.

    The form vibeusage writes itself, read on every prompt; anything else is left to
    ``timeparse``. Invalid dates (30 February) are None, as there.
    """
    if text.endswith("+00:00"):
        body = text[:-6]
    elif text.endswith(("Z", "z")):
        body = text[:-1]
    else:
        return None
    head, dot, fraction = body.partition(".")
    if len(head) != 19 or head[10] not in "Tt " or (dot and not fraction.isdigit()):
        return None
    if head[4] + head[7] + head[13] + head[16] != "--::":
        return None
    fields = (head[0:4], head[5:7], head[8:10], head[11:13], head[14:16], head[17:19])
    if not all(part.isdigit() and part.isascii() for part in fields):
        return None
    year, month, day, hour, minute, second = (int(part) for part in fields)
    if not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59 or year < 1:
        return None
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    if not 1 <= day <= _MONTH_DAYS[month - 1] + (1 if leap and month == 2 else 0):
        return None
    seconds = _days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second
    return seconds + (int(fraction[:6].ljust(6, "0")) / 1e6 if fraction else 0.0)


def _days_from_civil(year: int, month: int, day: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date (the well-known era arithmetic)."""
    year -= month <= 2
    era = year // 400
    year_of_era = year - era * 400
    day_of_year = (153 * (month + (-3 if month > 2 else 9)) + 2) // 5 + day - 1
    day_of_era = year_of_era * 365 + year_of_era // 4 - year_of_era // 100 + day_of_year
    return era * 146097 + day_of_era - 719468


def whole(value: float) -> int:
    """A percent shown whole: floored, like a period's utilization (42.99 is 42)."""
    return int(value // 1)
