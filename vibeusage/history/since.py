"""``--since``: a duration back from now (``90m``, ``12h``, ``30d``, ``8w``) or an ISO date/time."""

import re
from datetime import datetime, timedelta

from ..timeparse import parse_iso

DEFAULT_SINCE = "30d"

_DURATION = re.compile(r"^(\d{1,9})([mhdw])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """The start of the range ``text`` names; ValueError with a message when it names none.

    An ISO date/time without an offset is UTC.
    """
    value = text.strip()
    match = _DURATION.match(value.lower())
    if match:
        amount = int(match.group(1))
        if amount == 0:
            raise ValueError(f"--since {text!r}: the duration must be at least 1")
        try:
            return now - timedelta(**{_UNITS[match.group(2)]: amount})
        except OverflowError:
            raise ValueError(f"--since {text!r}: too far back") from None
    moment = parse_iso(value) if re.match(r"^\d{4}-\d{2}-\d{2}", value) else None
    if moment is None:
        raise ValueError(
            f"--since {text!r}: use a duration such as 90m, 12h, 30d or 8w, or an ISO date/time"
        )
    if moment > now:
        raise ValueError(f"--since {text!r} is in the future")
    return moment
