"""``vibeusage alert`` output: a line per event, the notification text, the JSON document."""

from datetime import datetime
from typing import Any, Dict, Mapping, Optional, Sequence

from ..pipeline import ProviderResult
from ..timeparse import parse_iso
from .durations import format_countdown
from .style import Style


def printable(text: str) -> str:
    """``text`` without C0/C1 control characters (a provider's name cannot drive a terminal)."""
    return "".join(c for c in text if c >= " " and not "\x7f" <= c <= "\x9f")


def event_line(event: Mapping[str, Any], now: datetime, style: Style) -> str:
    """``claude Weekly: 83% used — crossed 80% (resets in 4d 3h)``."""
    dash = "—" if style.unicode else "-"
    line = (
        f"{event['provider']} {printable(str(event['window']))}: "
        f"{_percent(event['used_percent'])} used {dash} crossed {_percent(event['threshold'])}"
    )
    reset = reset_phrase(event.get("resets_at"), now)
    return f"{line} ({reset})" if reset else line


def render_events(events: Sequence[Mapping[str, Any]], now: datetime, style: Style) -> str:
    """Every event's line; empty when nothing fired."""
    return "".join(event_line(event, now, style) + "\n" for event in events)


def notification_text(event: Mapping[str, Any], provider_name: str, now: datetime) -> str:
    """``Claude Weekly: 83% used (threshold 80%), resets in 4d 3h``."""
    text = (
        f"{provider_name} {printable(str(event['window']))}: "
        f"{_percent(event['used_percent'])} used (threshold {_percent(event['threshold'])})"
    )
    reset = reset_phrase(event.get("resets_at"), now)
    return f"{text}, {reset}" if reset else text


def alert_document(
    events: Sequence[Mapping[str, Any]], results: Sequence[ProviderResult]
) -> Dict[str, Any]:
    """``{"schema_version": 1, "events": [...], "errors": {provider: ERROR}}``."""
    errors = {r.provider_id: r.error.to_dict() for r in results if r.error is not None}
    return {"schema_version": 1, "events": [dict(e) for e in events], "errors": errors}


def reset_phrase(resets_at: Optional[str], now: datetime) -> str:
    """``resets in 4d 3h``, ``reset due`` once passed, empty when unknown."""
    moment = parse_iso(resets_at)
    if moment is None:
        return ""
    left = moment - now
    if left.total_seconds() <= 0:
        return "reset due"
    return "resets in " + format_countdown(left)


def _percent(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value}%"
