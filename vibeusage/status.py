"""Provider health from Statuspage sites (``<page>/api/v2/status.json``)."""

from typing import Any, Dict, Optional

from .models import ProviderStatus, StatusLevel
from .timeparse import parse_iso

STATUS_TIMEOUT = 10.0

_INDICATORS = {
    "none": StatusLevel.OPERATIONAL,
    "minor": StatusLevel.DEGRADED,
    "major": StatusLevel.PARTIAL_OUTAGE,
    "critical": StatusLevel.MAJOR_OUTAGE,
}


def parse_statuspage(payload: Any) -> ProviderStatus:
    """``{"page": {"updated_at"}, "status": {"indicator", "description"}}`` -> status."""
    if not isinstance(payload, dict):
        return ProviderStatus(StatusLevel.UNKNOWN)
    status = _table(payload, "status")
    page = _table(payload, "page")
    indicator = status.get("indicator")
    description = status.get("description")
    return ProviderStatus(
        level=_INDICATORS.get(indicator, StatusLevel.UNKNOWN)
        if isinstance(indicator, str)
        else StatusLevel.UNKNOWN,
        description=description if isinstance(description, str) and description else None,
        updated_at=parse_iso(page.get("updated_at")),
    )


def fetch_statuspage(session: Any, url: str, timeout: Optional[float] = None) -> ProviderStatus:
    """The status behind ``url``; any failure is an ``unknown`` status, never an error."""
    try:
        response = session.get(
            url, timeout=timeout or STATUS_TIMEOUT, headers={"Accept": "application/json"}
        )
        if response.status_code != 200:
            return ProviderStatus(
                StatusLevel.UNKNOWN, f"status page answered {response.status_code}"
            )
        return parse_statuspage(response.json())
    except Exception as exc:  # status is decoration: it must never break a run
        return ProviderStatus(
            StatusLevel.UNKNOWN, f"status page unavailable ({type(exc).__name__})"
        )


def _table(payload: Dict[str, Any], key: str) -> Dict[str, Any]:
    value = payload.get(key)
    return value if isinstance(value, dict) else {}
