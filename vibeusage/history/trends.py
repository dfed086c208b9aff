"""Trends of one series over a range (§3.2): burn rate, the last complete window, same point.

Computed on the series' lines within the range, in ``observed_at`` order. Instances without
a reset time (an idle window) are neither complete windows nor a "last period".
"""

from datetime import datetime
from typing import List, NamedTuple, Optional, Sequence

from .line import Record
from .series import elapsed_fraction, split_instances

#: Under this span a burn rate is noise.
MIN_BURN_SPAN_SECONDS = 3600
#: The previous window's sample must be this close in elapsed fraction to compare with.
SAME_POINT_TOLERANCE = 0.05
#: A window whose highest sample reached this hit its limit.
HIT_LIMIT_PERCENT = 99.5


class LastComplete(NamedTuple):
    """The window instance before the current one."""

    resets_at: datetime
    final_used_percent: float
    max_used_percent: float
    hit_limit: bool


class Trend(NamedTuple):
    """Derived figures of a series; None where the data cannot say."""

    burn_per_day: Optional[float]
    same_point_last_period: Optional[float]
    delta_vs_last_period: Optional[float]
    last_complete: Optional[LastComplete]
    windows_completed: int
    windows_hit_limit: int


def series_trend(points: Sequence[Record], now: datetime) -> Trend:
    """The trend of one series from its points (``observed_at`` order, at least one)."""
    instances = split_instances(points)
    current = instances[-1]
    timed = [i for i in instances[:-1] if i[-1].resets_at is not None]
    previous = timed[-1] if timed else None
    same_point = _same_point(current[-1], previous) if previous else None
    completed = [
        i
        for index, i in enumerate(instances)
        if i[-1].resets_at is not None and (index < len(instances) - 1 or i[-1].resets_at <= now)
    ]
    return Trend(
        burn_per_day=_burn_per_day(current),
        same_point_last_period=same_point,
        delta_vs_last_period=(
            None if same_point is None else round(current[-1].used_percent - same_point, 2)
        ),
        last_complete=_summary(previous),
        windows_completed=len(completed),
        windows_hit_limit=sum(1 for i in completed if _peak(i) >= HIT_LIMIT_PERCENT),
    )


def _burn_per_day(instance: List[Record]) -> Optional[float]:
    first, last = instance[0], instance[-1]
    span = (last.observed_at - first.observed_at).total_seconds()
    if span < MIN_BURN_SPAN_SECONDS:
        return None
    return round((last.used_percent - first.used_percent) / (span / 86400), 2)


def _same_point(sample: Record, previous: List[Record]) -> Optional[float]:
    """The previous window's used percent at the sample's elapsed fraction, within 0.05."""
    fraction = elapsed_fraction(sample)
    if fraction is None:
        return None
    best: Optional[Record] = None
    best_distance = SAME_POINT_TOLERANCE
    for candidate in previous:
        other = elapsed_fraction(candidate)
        if other is None:
            continue
        distance = abs(other - fraction)
        if distance <= best_distance:
            best, best_distance = candidate, distance
    return None if best is None else best.used_percent


def _summary(instance: Optional[List[Record]]) -> Optional[LastComplete]:
    resets_at = None if instance is None else instance[-1].resets_at
    if instance is None or resets_at is None:
        return None
    peak = _peak(instance)
    return LastComplete(resets_at, instance[-1].used_percent, peak, peak >= HIT_LIMIT_PERCENT)


def _peak(instance: List[Record]) -> float:
    return max(r.used_percent for r in instance)
