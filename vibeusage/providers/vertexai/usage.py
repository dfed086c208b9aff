"""Vertex AI quotas from Cloud Monitoring time series: usage joined to limits, as periods.

Pure functions of the listings' series and ``now``. Usage (``quota/rate/net_usage``, one
point per minute, one series per API method) is summed per quota, region and dimension;
limits (``quota/limit``) say how much of it is allowed per minute or per day, which only
their ``limit_name`` tells. A per-minute quota shows the busiest minute of the last hour
against its smallest limit; a per-day quota the use since Pacific midnight, reset at the
next one. Quotas without use are left out.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from ...errors import parse_error
from ...kit.values import opt_str
from ...models import (
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    periods_tuple,
    to_decimal,
)
from ...timeparse import parse_iso
from .pacific import pacific_midnights

NAME = "Vertex AI"
PROVIDER_ID = "vertexai"
USAGE_METRIC = "serviceruntime.googleapis.com/quota/rate/net_usage"
LIMIT_METRIC = "serviceruntime.googleapis.com/quota/limit"
NO_USE_NOTE = (
    "No Vertex AI quota use in the last 24 h "
    "(models on Dynamic Shared Quota have no per-project quota)"
)
NO_RECENT_USE_NOTE = (
    "No Vertex AI quota use in the last hour against a per-minute limit, "
    "nor since Pacific midnight against a per-day limit"
)
MAX_PERIODS = 20
#: Limits at or above this are Google's "unlimited" markers, not limits.
UNLIMITED = 2**53
#: Figures at or beyond this are not quota amounts (Monitoring's values are int64).
MAX_VALUE = 2**63
#: Metric labels that are not a dimension of the quota itself.
NOT_DIMENSIONS = ("quota_metric", "limit_name", "method")
MINUTE = "minute"
DAY = "day"

#: (quota_metric, location, the other metric labels sorted)
QuotaKey = Tuple[str, str, Tuple[Tuple[str, str], ...]]
#: End of a minute -> amount used in it.
Minutes = Dict[datetime, Decimal]
#: (end of the point's interval when readable, its value)
Point = Tuple[Optional[datetime], Decimal]


@dataclass(frozen=True)
class Limit:
    name: str
    value: Decimal
    window: str


@dataclass(frozen=True)
class _Quota:
    key: QuotaKey
    window: str
    used: Decimal
    limit: Decimal
    utilization: int


class _Unreadable:
    """Counts values that were present but could not be read (reported in a note), with the
    quotas they belong to, and the usage points that could be read."""

    def __init__(self) -> None:
        self.count = 0
        self.quotas: List[str] = []
        self.usage_points = 0

    def value_of(self, quota_metric: str) -> None:
        self.count += 1
        if quota_metric not in self.quotas:
            self.quotas.append(quota_metric)


def page_series(payload: Any) -> Tuple[List[Any], Optional[str]]:
    """One ``timeSeries.list`` page: its series and the next page's token (None on the last)."""
    if not isinstance(payload, dict):
        raise parse_error(NAME, "a page of Cloud Monitoring time series is not an object")
    series = payload.get("timeSeries")
    if series is None:
        series = []
    if not isinstance(series, list):
        raise parse_error(NAME, "Cloud Monitoring's timeSeries is not a list")
    token = payload.get("nextPageToken")
    if token is None or token == "":
        return series, None
    if not isinstance(token, str) or not (token.isascii() and token.isprintable()):
        raise parse_error(NAME, "Cloud Monitoring sent a page token that cannot be sent back")
    return series, token


def parse_quotas(
    usage_series: Sequence[Any],
    limit_series: Sequence[Any],
    now: datetime,
    *,
    identity: Optional[ProviderIdentity] = None,
    source: str = "adc",
    notes: Iterable[str] = (),
) -> UsageSnapshot:
    """The snapshot of a project's quota use: one period per used quota and window."""
    unreadable = _Unreadable()
    usage = usage_minutes(usage_series, unreadable)
    limits = read_limits(limit_series, unreadable)
    last_midnight, next_midnight = pacific_midnights(now)
    quotas = _binding_quotas(usage, limits, now, last_midnight)
    unmatched = {key for key, _ in usage if key not in limits and _any_use(usage, key)}
    ranked = sorted(quotas, key=lambda q: (-q.utilization, period_name(q.key, q.window)))
    shown = ranked[:MAX_PERIODS]
    periods = [_period(q, next_midnight) for q in sorted(shown, key=lambda q: _name_of(q))]
    all_notes = list(notes)
    if not usage_series:
        all_notes.append(NO_USE_NOTE)
    elif not quotas:
        all_notes.append(NO_RECENT_USE_NOTE)
    if len(ranked) > MAX_PERIODS:
        all_notes.append(
            f"{len(ranked) - MAX_PERIODS} more used Vertex AI quotas are not shown "
            f"(the {MAX_PERIODS} most used are)"
        )
    if unmatched:
        all_notes.append(
            f"{len(unmatched)} used Vertex AI quotas have no per-minute or per-day limit "
            "in Cloud Monitoring and are not shown"
        )
    if unreadable.count:
        named = f" ({', '.join(unreadable.quotas[:3])})" if unreadable.quotas else ""
        if usage_series and not unreadable.usage_points and not periods:
            raise parse_error(NAME, f"no quota use could be read{named}")
        all_notes.append(
            f"{unreadable.count} Cloud Monitoring values could not be read and were left out"
            + named
        )
    return UsageSnapshot(
        provider=PROVIDER_ID,
        fetched_at=now,
        periods=periods_tuple(periods),
        identity=identity,
        source=source,
        notes=tuple(all_notes),
    )


# --- reading the series -------------------------------------------------------------------------


def usage_minutes(
    series_list: Sequence[Any], unreadable: _Unreadable
) -> Dict[Tuple[QuotaKey, Optional[str]], Minutes]:
    """Per (quota, the series' own limit_name or None): use per minute, summed over methods."""
    totals: Dict[Tuple[QuotaKey, Optional[str]], Minutes] = {}
    for series in series_list:
        read = _read_series(series, USAGE_METRIC, unreadable)
        if read is None:
            continue
        key, labels, points = read
        minutes = totals.setdefault((key, opt_str(labels.get("limit_name"))), {})
        for end, value in points:
            if end is None:
                unreadable.value_of(key[0])
                continue
            unreadable.usage_points += 1
            minutes[end] = minutes.get(end, Decimal(0)) + value
    return totals


def read_limits(series_list: Sequence[Any], unreadable: _Unreadable) -> Dict[QuotaKey, List[Limit]]:
    """Per quota: its per-minute and per-day limits (newest value; "unlimited" left out)."""
    limits: Dict[QuotaKey, List[Limit]] = {}
    for series in series_list:
        read = _read_series(series, LIMIT_METRIC, unreadable)
        if read is None:
            continue
        key, labels, points = read
        name = opt_str(labels.get("limit_name"))
        window = limit_window(name)
        if name is None or window is None or not points:
            continue
        value = _newest(points)
        if 0 < value < UNLIMITED:
            limits.setdefault(key, []).append(Limit(name, value, window))
    return limits


def limit_window(limit_name: Optional[str]) -> Optional[str]:
    """``…PerMinute…`` is a minute window, ``…PerDay…`` a day; anything else is not shown."""
    if limit_name is None:
        return None
    if "PerMinute" in limit_name:
        return MINUTE
    if "PerDay" in limit_name:
        return DAY
    return None


def _read_series(
    series: Any, metric_type: str, unreadable: _Unreadable
) -> Optional[Tuple[QuotaKey, Dict[str, str], List[Point]]]:
    """(quota key, metric labels, points) of a series of ``metric_type``; None to skip it."""
    if not isinstance(series, dict):
        unreadable.count += 1
        return None
    metric = series.get("metric")
    found_type = metric.get("type") if isinstance(metric, dict) else None
    if found_type is not None and found_type != metric_type:
        return None  # another metric (allocation quotas): not a rate limit
    labels = _labels(metric)
    quota_metric = opt_str(labels.get("quota_metric"))
    if quota_metric is None:
        unreadable.count += 1
        return None
    location = opt_str(_labels(series.get("resource")).get("location")) or "global"
    dimensions = tuple(sorted((k, v) for k, v in labels.items() if k not in NOT_DIMENSIONS))
    return (quota_metric, location, dimensions), labels, _points(series, quota_metric, unreadable)


def _labels(block: Any) -> Dict[str, str]:
    labels = block.get("labels") if isinstance(block, dict) else None
    if not isinstance(labels, dict):
        return {}
    return {k: v for k, v in labels.items() if isinstance(k, str) and isinstance(v, str)}


def _points(series: Dict[str, Any], quota_metric: str, unreadable: _Unreadable) -> List[Point]:
    """(end time or None, value) of every readable point, in the order sent (newest first)."""
    points = series.get("points")
    if points is None:
        return []
    if not isinstance(points, list):
        unreadable.value_of(quota_metric)
        return []
    read = []
    for point in points:
        value = point_value(point)
        if value is None:
            unreadable.value_of(quota_metric)
            continue
        interval = point.get("interval") if isinstance(point, dict) else None
        end = parse_iso(interval.get("endTime")) if isinstance(interval, dict) else None
        read.append((end, value))
    return read


def point_value(point: Any) -> Optional[Decimal]:
    """``value.int64Value`` (a string of an integer) or ``value.doubleValue``, as a Decimal."""
    value = point.get("value") if isinstance(point, dict) else None
    if not isinstance(value, dict):
        return None
    for field in ("int64Value", "doubleValue"):
        raw = value.get(field)
        if raw is None or isinstance(raw, (bool, dict, list)):
            continue
        number = to_decimal(raw)
        if number is not None and number.copy_abs() < MAX_VALUE:
            return number
        return None
    return None


def _newest(points: List[Point]) -> Decimal:
    """The value of the point that ends last (the first one when none says when it ends)."""
    dated = [(end, value) for end, value in points if end is not None]
    if not dated:
        return points[0][1]
    return max(dated, key=lambda point: point[0])[1]


# --- joining ------------------------------------------------------------------------------------


def _binding_quotas(
    usage: Dict[Tuple[QuotaKey, Optional[str]], Minutes],
    limits: Dict[QuotaKey, List[Limit]],
    now: datetime,
    last_midnight: datetime,
) -> List[_Quota]:
    """Per quota and window with use, the most constraining limit.

    When every limit of a quota sees the same use this is the smallest one; a usage series
    that names its own limit only counts against that limit.
    """
    best: Dict[Tuple[QuotaKey, str], _Quota] = {}
    for key, key_limits in limits.items():
        for limit in key_limits:
            minutes = _merged(usage.get((key, None), {}), usage.get((key, limit.name), {}))
            used = used_in_window(minutes, limit.window, now, last_midnight)
            if used <= 0:
                continue
            quota = _Quota(key, limit.window, used, limit.value, utilization(used, limit.value))
            current = best.get((key, limit.window))
            if current is None or (quota.utilization, -quota.limit) > (
                current.utilization,
                -current.limit,
            ):
                best[(key, limit.window)] = quota
    return list(best.values())


def _merged(first: Minutes, second: Minutes) -> Minutes:
    if not second:
        return first
    merged = dict(first)
    for end, value in second.items():
        merged[end] = merged.get(end, Decimal(0)) + value
    return merged


def used_in_window(
    minutes: Minutes, window: str, now: datetime, last_midnight: datetime
) -> Decimal:
    """Minute window: the busiest minute of the last hour. Day window: the sum since midnight."""
    if window == MINUTE:
        cutoff = now - timedelta(hours=1)
        return max((v for end, v in minutes.items() if end > cutoff), default=Decimal(0))
    return sum((v for end, v in minutes.items() if end > last_midnight), Decimal(0))


def utilization(used: Decimal, limit: Decimal) -> int:
    """``floor(used / limit × 100)`` in exact decimal arithmetic, clamped to 0–100."""
    percent = (used * 100 / limit).to_integral_value(rounding=ROUND_FLOOR)
    return max(0, min(100, int(percent)))


def _any_use(usage: Dict[Tuple[QuotaKey, Optional[str]], Minutes], key: QuotaKey) -> bool:
    return any(
        value > 0 for (k, _), minutes in usage.items() if k == key for value in minutes.values()
    )


# --- periods ------------------------------------------------------------------------------------


def quota_title(quota_metric: str) -> str:
    """``aiplatform.googleapis.com/generate_content_requests`` -> "Generate content requests"."""
    words = " ".join(quota_metric.rsplit("/", 1)[-1].replace("_", " ").split())
    return words[:1].upper() + words[1:] if words else quota_metric


def period_name(key: QuotaKey, window: str) -> str:
    """``<Quota> per minute (<location>)``; the window is not repeated when the quota says so."""
    quota_metric, location, dimensions = key
    title = quota_title(quota_metric)
    phrase = "per minute" if window == MINUTE else "per day"
    if phrase not in title.lower():
        title = f"{title} {phrase}"
    model = dict(dimensions).get("base_model")
    where = f"{location}, {model}" if model else location
    return f"{title} ({where})"


def _name_of(quota: _Quota) -> str:
    return period_name(quota.key, quota.window)


def _period(quota: _Quota, next_midnight: datetime) -> UsagePeriod:
    minute = quota.window == MINUTE
    return UsagePeriod(
        name=_name_of(quota),
        utilization=quota.utilization,
        period_type=PeriodType.SESSION if minute else PeriodType.DAILY,
        resets_at=None if minute else next_midnight,
        model=dict(quota.key[2]).get("base_model"),
    )
