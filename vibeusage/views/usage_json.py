"""The JSON documents of the contract (DESIGN.md §9, schema version 1)."""

from datetime import datetime
from typing import Any, Dict, List, Sequence

from ..models import SCHEMA_VERSION
from ..pace.document import pace_document, snapshot_pace_keys
from ..pace.snapshot import snapshot_pace
from ..pipeline import ProviderResult
from ..service.report import Report


def snapshot_document(result: ProviderResult, now: datetime) -> Dict[str, Any]:
    """SNAPSHOT with the run flags and the forecast; a stale one also carries its error."""
    assert result.snapshot is not None
    data = result.snapshot.to_dict(now)
    forecast = snapshot_pace(result.snapshot.periods, now)
    for period, pace in zip(data["periods"], forecast.paces):
        period["pace"] = pace_document(pace)
    document: Dict[str, Any] = {
        "provider": data["provider"],
        "fetched_at": data["fetched_at"],
        "source": data["source"],
        "cached": result.cached,
        "stale": result.stale,
        "periods": data["periods"],
        **snapshot_pace_keys(forecast),
        "overage": data["overage"],
        "identity": data["identity"],
        "status": data["status"],
        "notes": data["notes"],
        "rate_limit_resets_available": data["rate_limit_resets_available"],
    }
    if result.error is not None:
        document["error"] = result.error.to_dict()
    return document


def single_document(result: ProviderResult, now: datetime) -> Dict[str, Any]:
    """One provider named: the bare SNAPSHOT, or ``{"error": ERROR}`` when nothing to show."""
    if result.snapshot is not None:
        return snapshot_document(result, now)
    assert result.error is not None
    return {"error": result.error.to_dict()}


def providers_document(results: Sequence[ProviderResult], now: datetime) -> Dict[str, Any]:
    """The all-providers view."""
    providers: Dict[str, Any] = {}
    errors: Dict[str, Any] = {}
    stale: List[str] = []
    for result in results:
        if result.snapshot is not None:
            providers[result.provider_id] = snapshot_document(result, now)
            if result.stale:
                stale.append(result.provider_id)
        elif result.error is not None:
            # A stale snapshot carries its own error; ``errors`` lists what has no data.
            errors[result.provider_id] = result.error.to_dict()
    return {
        "schema_version": SCHEMA_VERSION,
        "fetched_at": now.isoformat(),
        "providers": providers,
        "errors": errors,
        "stale": stale,
    }


def report_document(report: Report) -> Dict[str, Any]:
    """The document a usage report prints as: single-provider or all-providers view."""
    if report.single:
        return single_document(report.results[0], report.now)
    return providers_document(report.results, report.now)
