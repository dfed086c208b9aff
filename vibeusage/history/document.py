"""``vibeusage history --json`` (FEATURES.md §3.3): the history view as a JSON document."""

from datetime import datetime
from typing import Any, Dict, Optional

from ..models import SCHEMA_VERSION
from .events import Event
from .line import Record, iso_or_none, json_number
from .trends import Trend
from .view import HistoryView, SeriesView


def history_document(view: HistoryView, machine: Optional[str]) -> Dict[str, Any]:
    """The document of the contract: range, machine, skipped lines, series and events."""
    iso = _IsoCache()
    return {
        "schema_version": SCHEMA_VERSION,
        "since": view.since.isoformat(),
        "until": view.until.isoformat(),
        "machine": machine,
        "skipped_lines": view.skipped_lines,
        "providers": {
            name: {
                "series": [_series(s, iso) for s in history.series],
                "events": [_event(e) for e in history.events],
            }
            for name, history in view.providers.items()
        },
    }


class _IsoCache(Dict[Optional[datetime], Optional[str]]):
    """ISO text of datetimes, each formatted once (points share observation and reset times)."""

    def __missing__(self, key: Optional[datetime]) -> Optional[str]:
        text = self[key] = iso_or_none(key)
        return text


def _series(view: SeriesView, iso: _IsoCache) -> Dict[str, Any]:
    return {
        "window": view.window,
        "period_type": view.period_type,
        "model": view.model,
        "account": view.account,
        "samples": len(view.points),
        "points": [_point(p, iso) for p in view.points],
        "current": _point(view.current, iso),
        "trend": _trend(view.trend),
    }


def _point(record: Record, iso: _IsoCache) -> Dict[str, Any]:
    return {
        "observed_at": iso[record.observed_at],
        "used_percent": json_number(record.used_percent),
        "resets_at": iso[record.resets_at],
    }


def _trend(trend: Trend) -> Dict[str, Any]:
    last = trend.last_complete
    return {
        "burn_per_day": _number(trend.burn_per_day),
        "same_point_last_period": _number(trend.same_point_last_period),
        "delta_vs_last_period": _number(trend.delta_vs_last_period),
        "last_complete": None
        if last is None
        else {
            "resets_at": last.resets_at.isoformat(),
            "final_used_percent": json_number(last.final_used_percent),
            "max_used_percent": json_number(last.max_used_percent),
            "hit_limit": last.hit_limit,
        },
        "windows_completed": trend.windows_completed,
        "windows_hit_limit": trend.windows_hit_limit,
    }


def _event(event: Event) -> Dict[str, Any]:
    data: Dict[str, Any] = {
        "observed_at": event.observed_at.isoformat(),
        "event": event.event,
    }
    if event.reason is not None:
        data["reason"] = event.reason
    data.update(
        window=event.window,
        account=event.account,
        before=_value(event.before),
        after=_value(event.after),
    )
    return data


def _number(value: Optional[float]) -> Any:
    return None if value is None else json_number(value)


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, float):
        return json_number(value)
    return value
