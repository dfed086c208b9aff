"""The usage report as a Prometheus exposition: every requested provider, its windows' pace."""

from datetime import datetime
from typing import Optional

from ..models import UsagePeriod
from ..pace.forecast import pace_of
from ..service.report import Report
from .prometheus import ProviderMetrics, render_prometheus


def render_report_metrics(report: Report) -> str:
    """``--format prometheus``: ``up``/``stale`` for each result, samples for those with data."""
    entries = [
        ProviderMetrics(r.provider_id, r.snapshot, up=r.fresh, stale=r.stale)
        for r in report.results
    ]
    return render_prometheus(entries, report.now, eta=eta_seconds)


def eta_seconds(period: UsagePeriod, now: datetime) -> Optional[int]:
    """The pace's ``eta_seconds`` of a window: None when it lasts or has no pace, 0 exhausted."""
    pace = pace_of(period, now)
    return None if pace is None else pace.eta_seconds
