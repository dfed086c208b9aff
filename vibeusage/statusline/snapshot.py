"""Claude's capture as a usage snapshot (§5.3): fresh within ``statusline_ttl``, else a fallback."""

from datetime import datetime, timezone
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ..errors import ConfigError
from ..models import PeriodType, UsagePeriod, UsageSnapshot, percent_used, periods_tuple
from .capture import window_identity
from .values import FUTURE_SLACK, iso_epoch

SOURCE = "statusline"
DEFAULT_TTL = 600.0
TTL_RANGE = (1, 86400)


def statusline_ttl(options: Mapping[str, Any]) -> float:
    """``[providers.claude] statusline_ttl``: seconds, 1–86400, default 600."""
    value = options.get("statusline_ttl", DEFAULT_TTL)
    low, high = TTL_RANGE
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise ConfigError(
            f"`providers.claude.statusline_ttl` must be a number of seconds between {low} and "
            f"{high}, not {value!r}"
        )
    return float(value)


def capture_snapshot(
    capture: Optional[Dict[str, Any]], now: datetime, ttl: float
) -> Tuple[Optional[UsageSnapshot], bool]:
    """The snapshot of the capture's windows, and whether it is fresh.

    A window whose reset has passed is kept with its last reading (the model marks it as
    reset). Fresh: every window still running was observed within ``ttl`` seconds (and not
    more than five minutes ahead of the clock). ``fetched_at`` is the oldest observation of
    those windows (of every window when all have reset). (None, False) when no window is left.
    """
    if not capture:
        return None, False
    moment = now.timestamp()
    periods: List[UsagePeriod] = []
    observed: List[float] = []
    running: List[float] = []
    for key, entry in capture["windows"].items():
        at = iso_epoch(entry["observed_at"])
        if at is None:
            continue
        name, period_type, model = window_identity(key)
        resets = datetime.fromtimestamp(entry["resets_at"], timezone.utc)
        used = percent_used(entry["used_percent"])
        if used is None:
            continue
        periods.append(UsagePeriod(name, used, PeriodType(period_type), resets, model))
        observed.append(at)
        if entry["resets_at"] > moment:
            running.append(at)
    if not periods:
        return None, False
    counted = running or observed
    fresh = all(moment - ttl <= at <= moment + FUTURE_SLACK for at in counted)
    snapshot = UsageSnapshot(
        provider="claude",
        fetched_at=datetime.fromtimestamp(min(counted), timezone.utc),
        periods=periods_tuple(periods),
        source=SOURCE,
    )
    return snapshot, fresh
