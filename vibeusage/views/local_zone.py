"""The system's local time as a tzinfo whose offset is looked up for each moment (DST kept)."""

from datetime import datetime, timedelta, timezone, tzinfo
from typing import Optional


class LocalZone(tzinfo):
    """Local time for rendering a range of moments: each one gets the offset in force then.

    ``datetime.astimezone()`` without an argument does that for one moment; a fixed offset
    taken from now would be an hour off across a change of summer time.
    """

    def fromutc(self, dt: datetime) -> datetime:
        local = dt.replace(tzinfo=timezone.utc).astimezone()
        return local.replace(tzinfo=self)

    def utcoffset(self, dt: Optional[datetime]) -> Optional[timedelta]:
        if dt is None:
            return None
        return dt.replace(tzinfo=None).astimezone().utcoffset()

    def dst(self, dt: Optional[datetime]) -> Optional[timedelta]:
        return None

    def tzname(self, dt: Optional[datetime]) -> Optional[str]:
        if dt is None:
            return None
        return dt.replace(tzinfo=None).astimezone().tzname()
