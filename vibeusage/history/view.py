"""What ``vibeusage history`` shows: per provider its series (points, trend) and its events."""

from datetime import datetime
from typing import Dict, List, NamedTuple, Optional, Tuple

from .events import Event, detect_events
from .line import Record
from .reader import LedgerRead
from .series import group_series
from .trends import Trend, series_trend

_PERIOD_ORDER = {"session": 0, "daily": 1, "weekly": 2, "monthly": 3}


class SeriesView(NamedTuple):
    """One series within the range: its points and trend (the last point is ``current``)."""

    provider: str
    account: Optional[str]
    window: str
    period_type: Optional[str]
    model: Optional[str]
    points: List[Record]
    trend: Trend

    @property
    def current(self) -> Record:
        return self.points[-1]


class ProviderHistory(NamedTuple):
    series: List[SeriesView]
    events: List[Event]


class HistoryView(NamedTuple):
    """A range of the ledger, ready for the JSON document or the text view."""

    since: datetime
    until: datetime
    skipped_lines: int
    providers: Dict[str, ProviderHistory]


def build_history(
    read: LedgerRead, since: datetime, now: datetime, provider: Optional[str] = None
) -> HistoryView:
    """Series and events of the range ``[since, now]``, of one provider or all.

    Events look at the lines before ``since`` too (a reset at the range's first line is
    seen against the line before it), but only those within the range are kept.
    """
    records = [r for r in read.records if provider is None or r.provider == provider]
    providers: Dict[str, ProviderHistory] = {}
    if provider is not None:
        providers[provider] = ProviderHistory([], [])
    by_series = group_series(records)
    for lines in by_series.values():
        points = [r for r in lines if r.observed_at >= since]
        if not points:
            continue
        last = points[-1]
        view = SeriesView(
            last.provider,
            last.account,
            last.window,
            last.period_type,
            last.model,
            points,
            series_trend(points, now),
        )
        providers.setdefault(last.provider, ProviderHistory([], [])).series.append(view)
    for event in detect_events(records, read.complete_since, by_series):
        if event.observed_at >= since:
            providers.setdefault(event.provider, ProviderHistory([], [])).events.append(event)
    for history in providers.values():
        history.series.sort(key=_series_order)
    ordered = {name: providers[name] for name in sorted(providers)}
    return HistoryView(since, now, read.skipped_lines, ordered)


def _series_order(view: SeriesView) -> Tuple[str, int, int, str]:
    return (
        view.account or "",
        _PERIOD_ORDER.get(view.period_type or "", len(_PERIOD_ORDER)),
        0 if view.model is None else 1,
        view.window,
    )
