"""Pure parser of MiniMax's ``remains`` answers (Token Plan and legacy Coding Plan).

``model_remains[]`` holds one lane per model pool. Every count and percent in it is what
is LEFT, despite names such as ``current_interval_usage_count``: everything is turned into
percent used. Times are epoch milliseconds, ``remains_time`` milliseconds. A lane's
interval window becomes one period (its type from its real length), its weekly window
another; placeholder lanes (not in the plan) are left out with a note. See PROVIDERS.md
(MiniMax).
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ...errors import parse_error
from ...kit.envelope import code_number, shown_text
from ...models import (
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    percent_used,
    periods_tuple,
    to_decimal,
)
from ...timeparse import from_epoch
from .refusals import NAME

PROVIDER_ID = "minimax"
SOURCE = "api_key"
MAIN_LANE = "general"
#: Lanes of the legacy text models (``MiniMax-M2``, ``MiniMax-M2.5``, ``M2-her``).
TEXT_PREFIXES = ("minimax-m", "m2")
#: ``current_interval_status`` / ``current_weekly_status``: the lane is not in this plan.
NOT_IN_PLAN = 3
PLAN_KEYS = ("current_subscribe_title", "plan_name", "combo_title", "current_plan_title")
#: A ``remains_time`` beyond this is no window of a plan (and would overflow a date).
MAX_REMAINS = timedelta(days=400)
_HUNDRED = Decimal(100)
_NAMES = {PeriodType.DAILY: "Daily", PeriodType.WEEKLY: "Weekly", PeriodType.MONTHLY: "Monthly"}


class Window:
    """The field names of one window of a lane (the interval or the weekly one)."""

    def __init__(self, prefix: str, times: str, remains: str) -> None:
        self.total = f"current_{prefix}_total_count"
        self.left_count = f"current_{prefix}_usage_count"  # REMAINING, despite the name
        self.left_percent = f"current_{prefix}_remaining_percent"
        self.status = f"current_{prefix}_status"
        self.start = f"{times}start_time"
        self.end = f"{times}end_time"
        self.remains = remains
        #: The limit multiplier in permille, in both spellings seen.
        self.boost = (f"{prefix}_boost_permille", f"{prefix}_boost_permill")


INTERVAL = Window("interval", "", "remains_time")
WEEKLY = Window("weekly", "weekly_", "weekly_remains_time")


def lanes_of(payload: Any) -> Optional[List[Any]]:
    """``model_remains`` at the root or in ``data``, when it is a list."""
    for node in (payload, payload.get("data") if isinstance(payload, dict) else None):
        lanes = node.get("model_remains") if isinstance(node, dict) else None
        if isinstance(lanes, list):
            return lanes
    return None


def parse_remains(payload: Any, now: datetime) -> UsageSnapshot:
    """A snapshot from a successful answer (the caller checked ``base_resp``)."""
    lanes = lanes_of(payload)
    if lanes is None:
        raise parse_error(NAME, "model_remains is not a list")
    assert isinstance(payload, dict)
    notes: List[str] = []
    entries = [lane for lane in lanes if isinstance(lane, dict)]
    if len(entries) < len(lanes):
        notes.append(f"{len(lanes) - len(entries)} lane(s) could not be read")
    main = _main_lane(entries)
    periods: List[UsagePeriod] = []
    for lane in entries:
        name = lane_name(lane)
        if lane is not main and main is not None and _is_duplicate(lane, main):
            continue
        if is_placeholder(lane):
            notes.append(f"{name}: not in this plan")
            continue
        model = None if lane is main else name
        text = is_text_lane(name)
        for window in (INTERVAL, WEEKLY):
            period = _period(lane, window, model, text, now, notes)
            if period is not None:
                periods.append(period)
    if not periods:
        raise parse_error(NAME, "no lane with a usable window")
    nested = payload.get("data")
    data: Dict[str, Any] = nested if isinstance(nested, dict) else {}
    plan = plan_title(data) or plan_title(payload)
    points = to_decimal(data.get("points_balance", payload.get("points_balance")))
    if points is not None and points.copy_abs() < 10**15:
        notes.append(f"{points.normalize():f} points")
    return UsageSnapshot(
        provider=PROVIDER_ID,
        fetched_at=now,
        periods=periods_tuple(periods),
        identity=ProviderIdentity(plan=plan) if plan else None,
        source=SOURCE,
        notes=tuple(notes),
    )


def lane_name(lane: Mapping[str, Any]) -> str:
    return shown_text(lane.get("model_name"), 60) or "unnamed lane"


def is_text_lane(name: str) -> bool:
    lowered = name.lower()
    return lowered == MAIN_LANE or lowered.startswith(TEXT_PREFIXES)


def is_placeholder(lane: Mapping[str, Any]) -> bool:
    """A lane the plan does not include: status 3, no counts, everything remaining."""
    if code_number(lane.get(INTERVAL.status)) != NOT_IN_PLAN:
        return False
    total = to_decimal(lane.get(INTERVAL.total)) or Decimal(0)
    left = to_decimal(lane.get(INTERVAL.left_percent))
    return total == 0 and (left is None or left >= _HUNDRED)


def _main_lane(lanes: Sequence[Mapping[str, Any]]) -> Optional[Mapping[str, Any]]:
    """``general`` when present, else the first legacy text lane."""
    for lane in lanes:
        if lane_name(lane).lower() == MAIN_LANE:
            return lane
    for lane in lanes:
        if is_text_lane(lane_name(lane)):
            return lane
    return None


def _is_duplicate(lane: Mapping[str, Any], main: Mapping[str, Any]) -> bool:
    """A legacy text lane listing the main lane's pool again (M2, M2.1, M2.5 share one)."""
    if not is_text_lane(lane_name(lane)):
        return False
    keys = (INTERVAL.total, INTERVAL.left_count, INTERVAL.end)
    return all(to_decimal(lane.get(k)) == to_decimal(main.get(k)) for k in keys)


def _period(
    lane: Mapping[str, Any],
    window: Window,
    model: Optional[str],
    text: bool,
    now: datetime,
    notes: List[str],
) -> Optional[UsagePeriod]:
    prefix = "" if model is None else f"{model}: "
    weekly = window is WEEKLY
    left = to_decimal(lane.get(window.left_percent))
    if lane.get(window.left_percent) is not None and left is None:
        notes.append(f"{prefix}{window.left_percent} could not be read")
    if weekly and code_number(lane.get(window.status)) == NOT_IN_PLAN:
        if left is not None and left >= _HUNDRED:
            notes.append(f"{prefix}no weekly cap")
            return None
    utilization = _utilization(lane, window, left)
    if utilization is None:
        return None
    seconds = _span_seconds(lane.get(window.start), lane.get(window.end))
    if seconds is not None:
        period_type = PeriodType.from_seconds(seconds)
    elif weekly:
        period_type = PeriodType.WEEKLY
    else:
        period_type = PeriodType.SESSION if text else PeriodType.DAILY
    name = _period_name(period_type, seconds)
    boost = _boost_note(lane, window, name)
    if boost:
        notes.append(prefix + boost)
    if model is not None:
        name = f"{name} ({model})"
    return UsagePeriod(name, utilization, period_type, _reset(lane, window, now), model)


def _utilization(lane: Mapping[str, Any], window: Window, left: Optional[Decimal]) -> Optional[int]:
    """Percent used: 100 minus the remaining percent, else from the counts (both REMAINING)."""
    if left is not None:
        return percent_used(_HUNDRED - left)
    total = to_decimal(lane.get(window.total))
    remaining = to_decimal(lane.get(window.left_count))
    if total is None or total <= 0 or remaining is None:
        return None
    return percent_used((total - remaining) / total * _HUNDRED)


def _span_seconds(start: Any, end: Any) -> Optional[float]:
    begin, finish = to_decimal(start), to_decimal(end)
    if begin is None or finish is None or finish <= begin or finish - begin > 10**12:
        return None
    return float(finish - begin) / 1000.0


def _period_name(period_type: PeriodType, seconds: Optional[float]) -> str:
    if period_type is not PeriodType.SESSION:
        return _NAMES[period_type]
    if seconds is None:
        return "Session"
    return f"Session ({max(1, round(seconds / 3600))}h)"


def _reset(lane: Mapping[str, Any], window: Window, now: datetime) -> Optional[datetime]:
    """``end_time`` when still ahead, else now + ``remains_time`` (ms), else unknown."""
    end = to_decimal(lane.get(window.end))
    if end is not None and end > 0:
        when = from_epoch(end, "ms")
        if when is not None and when > now:
            return when
    remains = to_decimal(lane.get(window.remains))
    if remains is None or remains <= 0:
        return None
    left = timedelta(milliseconds=float(min(remains, Decimal(MAX_REMAINS.days * 86400000))))
    return now + left if left < MAX_REMAINS else None


def _boost_note(lane: Mapping[str, Any], window: Window, name: str) -> Optional[str]:
    """``…_boost_permille`` (or ``…_permill``): the limit as a share of the base one."""
    permille = to_decimal(next((lane[k] for k in window.boost if lane.get(k) is not None), None))
    if permille is None or permille <= 0 or permille == 1000 or permille > 10**6:
        return None
    percent = (permille / 10).normalize()
    return f"{name} limit boosted to {percent:f} %"


def plan_title(data: Mapping[str, Any]) -> Optional[str]:
    """The plan's title ("Token Plan Plus"); never guessed from the counts."""
    for key in PLAN_KEYS:
        title = shown_text(data.get(key), 60)
        if title:
            return title
    card = data.get("current_combo_card")
    return (shown_text(card.get("title"), 60) or None) if isinstance(card, dict) else None
