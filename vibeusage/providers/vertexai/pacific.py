"""Midnight in America/Los_Angeles, where Google's daily quotas roll over, as UTC instants.

``zoneinfo`` when the tz database is there; otherwise the US rule by hand (UTC−7 from the
second Sunday of March, 02:00 local, to the first Sunday of November, 02:00 local; else
UTC−8), which Windows without the ``tzdata`` package needs.
"""

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Optional, Tuple

ZONE = "America/Los_Angeles"
_STANDARD = timedelta(hours=-8)
_DAYLIGHT = timedelta(hours=-7)


def pacific_midnights(now: datetime) -> Tuple[datetime, datetime]:
    """The last and the next Pacific midnight around ``now``, both aware UTC."""
    zone = _zone()
    if zone is not None:
        local = now.astimezone(zone)
        start = datetime.combine(local.date(), time(0), tzinfo=zone)
        end = datetime.combine(local.date() + timedelta(days=1), time(0), tzinfo=zone)
        return start.astimezone(timezone.utc), end.astimezone(timezone.utc)
    return rule_midnights(now)


def rule_midnights(now: datetime) -> Tuple[datetime, datetime]:
    """:func:`pacific_midnights` by the US daylight-saving rule alone (no tz database)."""
    utc = now.astimezone(timezone.utc)
    today = (utc + utc_offset(utc)).date()
    return _midnight_utc(today), _midnight_utc(today + timedelta(days=1))


def utc_offset(instant: datetime) -> timedelta:
    """Pacific time's offset from UTC at an aware instant, by the rule in force since 2007."""
    utc = instant.astimezone(timezone.utc)
    starts = datetime.combine(_second_sunday_of_march(utc.year), time(10), tzinfo=timezone.utc)
    ends = datetime.combine(_first_sunday_of_november(utc.year), time(9), tzinfo=timezone.utc)
    return _DAYLIGHT if starts <= utc < ends else _STANDARD


def _midnight_utc(day: date) -> datetime:
    # Midnight is never inside a transition (they happen at 02:00 local).
    daylight = _second_sunday_of_march(day.year) < day <= _first_sunday_of_november(day.year)
    offset = _DAYLIGHT if daylight else _STANDARD
    return datetime.combine(day, time(0), tzinfo=timezone.utc) - offset


def _second_sunday_of_march(year: int) -> date:
    first = date(year, 3, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7 + 7)


def _first_sunday_of_november(year: int) -> date:
    first = date(year, 11, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7)


def _zone() -> Optional[tzinfo]:
    try:
        from zoneinfo import ZoneInfo
    except ImportError:  # pragma: no cover - Python 3.9+ always has the module
        return None
    try:
        return ZoneInfo(ZONE)
    except Exception:  # ZoneInfoNotFoundError, or a broken tz database
        return None
