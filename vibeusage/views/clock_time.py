"""A moment as a person reads it: local clock time to the minute, with the zone named."""

from datetime import datetime

from ..timeparse import parse_iso


def local_clock(moment: datetime) -> str:
    """``Fri 16 Jan 11:00 CET``: local time, minute precision, the zone's name (or offset)."""
    local = moment.astimezone()
    zone = local.strftime("%Z") or local.strftime("%z")
    return f"{local.strftime('%a %d %b %H:%M')} {zone}".rstrip()


def local_clock_iso(text: str) -> str:
    """:func:`local_clock` of an ISO 8601 time; the text itself when it is not one."""
    moment = parse_iso(text)
    return text if moment is None else local_clock(moment)
