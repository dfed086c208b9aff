"""Events derived from the ledger (§3.2): resets, windows moving back, plan and limit changes,
windows appearing and disappearing.

Reset rules compare a line with the series' previous line that has a reset time: an idle
window in between (no reset time, as Claude's five-hour window reports) does not hide the
reset that happened across it. The ledger being change-only, "absent from a fetch" is read
through the heartbeat: a series in a fetch has a line at most 30 minutes before it.
"""

from bisect import bisect_left, bisect_right
from datetime import datetime
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Set, Tuple

from .line import Record, SeriesKey
from .reader import HEARTBEAT
from .series import RESET_TOLERANCE, group_series, same_reset

#: A drop this large without a new reset time is a reset nobody announced.
SILENT_DROP = 20.0

_Account = Tuple[str, Optional[str]]


class Event(NamedTuple):
    """Something that happened to a series (``window`` None: to the whole account)."""

    observed_at: datetime
    provider: str
    account: Optional[str]
    window: Optional[str]
    event: str
    reason: Optional[str]
    before: Any
    after: Any


def detect_events(
    records: Sequence[Record],
    complete_since: Optional[datetime],
    by_series: Optional[Dict[SeriesKey, List[Record]]] = None,
) -> List[Event]:
    """Every event in ``records`` (``observed_at`` order), sorted by time.

    ``complete_since`` is where the ledger was read from whole: before it (plus a heartbeat)
    a series' absence proves nothing, so no window counts as added there. ``by_series`` is
    ``group_series(records)`` when the caller has it already.
    """
    events: List[Event] = []
    if by_series is None:
        by_series = group_series(records)
    account_times = _fetch_times(records)
    for lines in by_series.values():
        events += _series_events(lines)
        times = account_times[(lines[0].provider, lines[0].account)]
        events += _presence_events(lines, times, complete_since)
    events += _plan_events(records)
    events.sort(key=lambda e: (e.observed_at, e.provider, e.window or "", e.event))
    return events


def _series_events(lines: List[Record]) -> List[Event]:
    events = []
    previous: Optional[Record] = None
    timed: Optional[Record] = None  # the last line with a reset time
    limit: Optional[float] = None
    for line in lines:
        if previous is not None:
            drop = previous.used_percent - line.used_percent
            if same_reset(previous.resets_at, line.resets_at) and drop >= SILENT_DROP:
                events.append(
                    _event(line, "reset", "silent", previous.used_percent, line.used_percent)
                )
        if timed is not None and timed.resets_at is not None and line.resets_at is not None:
            before, after = timed.resets_at, line.resets_at
            if after > before + RESET_TOLERANCE:
                due = before <= line.observed_at + RESET_TOLERANCE
                reason = "scheduled" if due else "early"
                events.append(_event(line, "reset", reason, before, after))
            elif after < before - RESET_TOLERANCE:
                events.append(_event(line, "window_moved_back", None, before, after))
        if line.limit is not None:
            if limit is not None and line.limit != limit:
                events.append(_event(line, "limit_changed", None, limit, line.limit))
            limit = line.limit
        previous = line
        if line.resets_at is not None:
            timed = line
    return events


def _presence_events(
    lines: List[Record], times: List[datetime], complete_since: Optional[datetime]
) -> List[Event]:
    """``window_added`` when its account was fetched before without it; ``window_removed``
    when two fetches of its account, over a heartbeat after its last line, lacked it."""
    events = []
    first, last = lines[0], lines[-1]
    if complete_since is not None:
        watched_from = bisect_left(times, complete_since + HEARTBEAT)
        if watched_from < bisect_left(times, first.observed_at):
            events.append(_event(first, "window_added", None, None, None))
    later = bisect_right(times, last.observed_at + HEARTBEAT)
    if len(times) - later >= 2:  # confirmed by the second fetch without it
        removed = _event(last, "window_removed", None, None, None)
        events.append(removed._replace(observed_at=times[later + 1]))
    return events


def _plan_events(records: Sequence[Record]) -> List[Event]:
    events = []
    plans: Dict[_Account, str] = {}
    for record in records:
        if record.plan is None:
            continue
        key = (record.provider, record.account)
        known = plans.get(key)
        if known is not None and known != record.plan:
            events.append(_event(record, "plan_changed", None, known, record.plan, account=True))
        plans[key] = record.plan
    return events


def _fetch_times(records: Sequence[Record]) -> Dict[_Account, List[datetime]]:
    """The distinct observation times of each account, sorted."""
    times: Dict[_Account, Set[datetime]] = {}
    for record in records:
        times.setdefault((record.provider, record.account), set()).add(record.observed_at)
    return {key: sorted(values) for key, values in times.items()}


def _event(
    line: Record, kind: str, reason: Optional[str], before: Any, after: Any, account: bool = False
) -> Event:
    """An event seen at ``line``: of its series, or of its whole account."""
    window = None if account else line.window
    return Event(line.observed_at, line.provider, line.account, window, kind, reason, before, after)
