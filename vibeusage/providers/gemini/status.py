"""Gemini's service health from Google's incidents feed (not a Statuspage site).

``GET https://www.google.com/appsstatus/dashboard/incidents.json`` is a JSON list of
incidents: ``{id, begin, end?, modified, external_desc, severity (low|medium|high),
status_impact (SERVICE_INFORMATION|SERVICE_DISRUPTION|SERVICE_OUTAGE), service_name,
affected_products: [{id, title}], most_recent_update: {when, status, text}}``. An incident
without ``end`` is open; the Gemini-related open ones decide the level.
"""

from datetime import datetime
from typing import Any, Dict, List, Optional, Tuple

from ...models import ProviderStatus, StatusLevel
from ...timeparse import parse_iso

INCIDENTS_URL = "https://www.google.com/appsstatus/dashboard/incidents.json"
STATUS_TIMEOUT = 10.0
#: Words in a product or service name that make an incident Gemini's.
GEMINI_WORDS = ("gemini", "code assist", "ai studio")
OPERATIONAL = "No open Gemini incidents"

_IMPACTS = {
    "SERVICE_OUTAGE": StatusLevel.MAJOR_OUTAGE,
    "SERVICE_DISRUPTION": StatusLevel.PARTIAL_OUTAGE,
    "SERVICE_INFORMATION": StatusLevel.DEGRADED,
    "AVAILABLE": StatusLevel.OPERATIONAL,
}
_SEVERITIES = {
    "high": StatusLevel.MAJOR_OUTAGE,
    "medium": StatusLevel.PARTIAL_OUTAGE,
    "low": StatusLevel.DEGRADED,
}
_RANK = {
    StatusLevel.OPERATIONAL: 0,
    StatusLevel.UNKNOWN: 1,
    StatusLevel.DEGRADED: 2,
    StatusLevel.PARTIAL_OUTAGE: 3,
    StatusLevel.MAJOR_OUTAGE: 4,
}
MAX_DESCRIPTION = 160


def parse_incidents(payload: Any, now: datetime) -> ProviderStatus:
    """The worst open Gemini incident as a status (never raises, whatever the payload).

    Level from the latest update's status, else the incident's ``status_impact``, else its
    ``severity``; the description is that incident's first line (``+N more`` when several
    are open); ``updated_at`` the latest change among the open ones.
    """
    incidents = payload.get("incidents") if isinstance(payload, dict) else payload
    if not isinstance(incidents, list):
        return ProviderStatus(StatusLevel.UNKNOWN, "unreadable incidents feed")
    open_ones: List[Tuple[StatusLevel, Optional[datetime], str]] = []
    for incident in incidents:
        if not isinstance(incident, dict) or not is_gemini_incident(incident):
            continue
        level = _level(incident)
        if level is StatusLevel.OPERATIONAL or not _is_open(incident, now):
            continue  # closed, not begun yet, or its latest update says it is over
        open_ones.append((level, _updated_at(incident), _description(incident)))
    if not open_ones:
        return ProviderStatus(StatusLevel.OPERATIONAL, OPERATIONAL)
    open_ones.sort(key=lambda item: (_RANK[item[0]], _timestamp(item[1])), reverse=True)
    level, _, description = open_ones[0]
    if len(open_ones) > 1:
        description += f" (+{len(open_ones) - 1} more)"
    latest = max((when for _, when, _ in open_ones if when is not None), default=None)
    return ProviderStatus(level, description, latest)


def is_gemini_incident(incident: Dict[str, Any]) -> bool:
    """True when a product or the service the incident is about is Gemini-related."""
    names: List[Any] = [incident.get("service_name")]
    for key in ("affected_products", "currently_affected_products"):
        products = incident.get(key)
        if isinstance(products, list):
            names.extend(p.get("title") for p in products if isinstance(p, dict))
    for name in names:
        if isinstance(name, str) and any(word in name.lower() for word in GEMINI_WORDS):
            return True
    return False


def _is_open(incident: Dict[str, Any], now: datetime) -> bool:
    end = incident.get("end")
    if end not in (None, ""):
        ended = parse_iso(end)
        if ended is None or ended <= now:
            return False
    begin = parse_iso(incident.get("begin"))
    return begin is None or begin <= now


def _level(incident: Dict[str, Any]) -> StatusLevel:
    update = incident.get("most_recent_update")
    candidates = [
        update.get("status") if isinstance(update, dict) else None,
        incident.get("status_impact"),
    ]
    for value in candidates:
        if isinstance(value, str) and value.strip().upper() in _IMPACTS:
            return _IMPACTS[value.strip().upper()]
    severity = incident.get("severity")
    if isinstance(severity, str) and severity.strip().lower() in _SEVERITIES:
        return _SEVERITIES[severity.strip().lower()]
    return StatusLevel.DEGRADED  # open, but the feed does not say how bad


def _updated_at(incident: Dict[str, Any]) -> Optional[datetime]:
    update = incident.get("most_recent_update")
    times = [
        parse_iso(update.get("when")) if isinstance(update, dict) else None,
        parse_iso(incident.get("modified")),
        parse_iso(incident.get("begin")),
    ]
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _description(incident: Dict[str, Any]) -> str:
    for value in (incident.get("external_desc"), incident.get("service_name")):
        if isinstance(value, str):
            line = next((ln.strip() for ln in value.splitlines() if ln.strip()), "")
            line = line.replace("**", "").strip()
            if line:
                if len(line) > MAX_DESCRIPTION:
                    line = line[: MAX_DESCRIPTION - 1] + "…"
                return line
    return "Open Gemini incident"


def _timestamp(when: Optional[datetime]) -> float:
    return when.timestamp() if when is not None else float("-inf")


def fetch_incidents_status(
    session: Any, now: datetime, timeout: Optional[float] = None
) -> ProviderStatus:
    """The feed fetched and parsed; any failure is an ``unknown`` status, never an error."""
    try:
        response = session.get(
            INCIDENTS_URL,
            timeout=timeout or STATUS_TIMEOUT,
            headers={"Accept": "application/json"},
        )
        if response.status_code != 200:
            return ProviderStatus(
                StatusLevel.UNKNOWN, f"incidents feed answered {response.status_code}"
            )
        return parse_incidents(response.json(), now)
    except Exception as exc:  # status is decoration: it must never break a run
        return ProviderStatus(
            StatusLevel.UNKNOWN, f"incidents feed unavailable ({type(exc).__name__})"
        )
