"""Tolerant conversion of the timestamps providers send (ISO strings, epoch s/ms) to aware UTC."""

import re
from datetime import datetime, timezone
from typing import Any, Optional

_FRACTION = re.compile(r"\.(\d+)")
_COMPACT_OFFSET = re.compile(r"([+-])(\d{2})(\d{2})$")


def utcnow() -> datetime:
    """The current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


def parse_iso(value: Any) -> Optional[datetime]:
    """Parse an ISO 8601 string into aware UTC, or None when it is absent or malformed.

    Python < 3.11 ``fromisoformat`` rejects a trailing ``Z`` and fractions that are not
    3 or 6 digits long, both of which providers send; normalise those first.
    A value without an offset is taken as UTC.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    if text[-1] in "zZ":
        text = text[:-1] + "+00:00"
    if "T" in text or " " in text:  # +0200 -> +02:00 (only 3.11+ accepts the compact form)
        text = _COMPACT_OFFSET.sub(r"\1\2:\3", text)
    text = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=timezone.utc)
        return parsed.astimezone(timezone.utc)
    except (ValueError, OverflowError):  # year 1 or 9999 shifted out of range by the offset
        return None


def from_epoch(value: Any, unit: str = "s") -> Optional[datetime]:
    """Convert epoch seconds (``unit="s"``) or milliseconds (``unit="ms"``) to aware UTC."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if number != number or number in (float("inf"), float("-inf")):
        return None
    if unit == "ms":
        number /= 1000.0
    try:
        return datetime.fromtimestamp(number, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
