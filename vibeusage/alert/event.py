"""The threshold event: a hook's stdin, an item of ``--json``'s ``events``, its environment."""

from datetime import datetime, timezone
from typing import Any, Dict, Optional

from ..pace.forecast import pace_of
from ..pace.percent import HUNDRED
from .edges import Crossing
from .state_file import json_number
from .thresholds import canonical

#: The variables a hook gets for its event, by event key.
ENVIRONMENT = {
    "VIBEUSAGE_EVENT": "event",
    "VIBEUSAGE_PROVIDER": "provider",
    "VIBEUSAGE_WINDOW": "window",
    "VIBEUSAGE_PERIOD_TYPE": "period_type",
    "VIBEUSAGE_THRESHOLD": "threshold",
    "VIBEUSAGE_USED_PERCENT": "used_percent",
    "VIBEUSAGE_REMAINING_PERCENT": "remaining_percent",
    "VIBEUSAGE_RESETS_AT": "resets_at",
    "VIBEUSAGE_TIMESTAMP": "timestamp",
}


def event_document(crossing: Crossing, now: datetime) -> Dict[str, Any]:
    """The event of the JSON contract; whole numbers carry no decimals."""
    observation = crossing.observation
    period = observation.period
    pace = pace_of(period, now)
    return {
        "v": 1,
        "event": "threshold",
        "provider": observation.provider,
        "window": period.name,
        "period_type": period.period_type.value,
        "model": period.model,
        "account": observation.account,
        "threshold": json_number(canonical(crossing.threshold)),
        "used_percent": json_number(observation.used),
        "remaining_percent": json_number(HUNDRED - observation.used),
        "resets_at": _iso(period.resets_at),
        "eta_seconds": None if pace is None else pace.eta_seconds,
        "source": observation.snapshot.source,
        "observed_at": _iso(observation.snapshot.fetched_at),
        "timestamp": _iso(now),
    }


def event_json(event: Dict[str, Any]) -> str:
    """Compact JSON with sorted keys and a final newline (what a hook reads on stdin)."""
    import json

    return json.dumps(event, sort_keys=True, separators=(",", ":")) + "\n"


def event_environment(event: Dict[str, Any]) -> Dict[str, str]:
    """``VIBEUSAGE_*`` variables of an event; an absent value is the empty string."""
    return {name: _text(event.get(key)) for name, key in ENVIRONMENT.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _iso(moment: Optional[datetime]) -> Optional[str]:
    return None if moment is None else moment.astimezone(timezone.utc).isoformat()
