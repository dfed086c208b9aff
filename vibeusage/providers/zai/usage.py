"""Pure parser of Z.ai's ``quota/limit`` answer: one period per limit, counts first.

``data.limits[]`` holds one object per window. ``usage`` is the allowance and
``currentValue`` the amount used (the names invite the opposite reading); ``percentage`` is
percent used. A window is ``number`` x ``unit`` with undocumented unit codes (3 hours, 4
days, 5 months, 6 weeks); an unknown code is classified by the time left until
``nextResetTime`` (epoch milliseconds) and said in a note. See PROVIDERS.md (Z.ai).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Tuple

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

PROVIDER_ID = "zai"
SOURCE = "api_key"
TOKEN_TYPES = ("TOKENS_LIMIT", "CREDIT_LIMIT")
TOOLS_TYPE = "TIME_LIMIT"
#: Seconds in one ``unit`` (evidence in PROVIDERS.md; 1 and others are unknown).
UNIT_SECONDS = {3: 3600, 4: 86400, 5: 30 * 86400, 6: 7 * 86400}
PLAN_KEYS = ("planName", "plan", "plan_type", "planType", "packageName")
LEVELS = {"lite": "Lite", "pro": "Pro", "max": "Max"}
_NAMES = {PeriodType.DAILY: "Daily", PeriodType.WEEKLY: "Weekly", PeriodType.MONTHLY: "Monthly"}
_HUNDRED = Decimal(100)


def parse_quota(payload: Any, now: datetime) -> UsageSnapshot:
    """A snapshot from a success envelope (the caller checked the envelope's verdict).

    A snapshot without periods means an empty ``limits`` list: the key has no Coding Plan
    quota, which the caller says. Limits none of which is of a known type or readable are a
    parse error.
    """
    data = payload.get("data") if isinstance(payload, dict) else None
    limits = data.get("limits") if isinstance(data, dict) else None
    if not isinstance(limits, list):
        raise parse_error(NAME, "data.limits is not a list")
    assert isinstance(data, dict)
    periods: List[UsagePeriod] = []
    notes: List[str] = []
    known = 0
    for index, entry in enumerate(limits):
        if not isinstance(entry, dict):
            notes.append(f"limit {index + 1} could not be read")
            continue
        kind = entry.get("type")
        if kind not in TOKEN_TYPES and kind != TOOLS_TYPE:
            continue  # a kind of limit vibeusage does not know yet
        known += 1
        period = _period(entry, now, notes)
        if period is not None:
            periods.append(period)
            if kind == TOOLS_TYPE:
                notes.extend(_tool_breakdown(entry.get("usageDetails")))
    if known and not periods:
        raise parse_error(NAME, "no limit could be read")
    if limits and not known:
        # A renamed type (as TOKENS_LIMIT became CREDIT_LIMIT) is not "no plan".
        raise parse_error(NAME, f"no limit of a known type ({_types_seen(limits)})")
    plan = plan_name(data)
    return UsageSnapshot(
        provider=PROVIDER_ID,
        fetched_at=now,
        periods=periods_tuple(periods),
        identity=ProviderIdentity(plan=plan) if plan else None,
        source=SOURCE,
        notes=tuple(notes),
    )


def _period(entry: Mapping[str, Any], now: datetime, notes: List[str]) -> Optional[UsagePeriod]:
    kind = str(entry.get("type"))
    utilization = utilization_of(entry)
    if utilization is None:
        notes.append(f"{kind}: no readable usage figure")
        return None
    resets_at = reset_time(entry.get("nextResetTime"))
    if kind == TOOLS_TYPE:
        return UsagePeriod("Tools (monthly)", utilization, PeriodType.MONTHLY, resets_at)
    seconds = window_seconds(entry.get("unit"), entry.get("number"))
    if seconds is None:
        left = (resets_at - now).total_seconds() if resets_at is not None else 0
        if left <= 0:
            notes.append(f"{kind}: window of unit {shown_text(str(entry.get('unit')), 20)} unknown")
            return None
        period_type = PeriodType.from_seconds(left)
        notes.append(
            f"{kind}: unit {shown_text(str(entry.get('unit')), 20)} unknown; "
            f"taken as {period_type.value} from its reset time"
        )
        name = "Session" if period_type is PeriodType.SESSION else _NAMES[period_type]
    else:
        period_type = PeriodType.from_seconds(seconds)
        if period_type is PeriodType.SESSION:
            name = f"Session ({max(1, round(seconds / 3600))}h)"
        else:
            name = _NAMES[period_type]
    return UsagePeriod(name, utilization, period_type, resets_at)


def window_seconds(unit: Any, number: Any) -> Optional[float]:
    """The window length ``number`` x ``unit``, or None when the unit code is unknown."""
    code = code_number(unit)
    count = to_decimal(number)
    if code not in UNIT_SECONDS or count is None or count <= 0 or count > 1000:
        return None
    return float(count) * UNIT_SECONDS[code]


def utilization_of(entry: Mapping[str, Any]) -> Optional[int]:
    """Whole percent used: from the counts when they are there, else ``percentage``."""
    allowance = to_decimal(entry.get("usage"))
    used = to_decimal(entry.get("currentValue"))
    remaining = to_decimal(entry.get("remaining"))
    has_allowance = allowance is not None and allowance > 0
    if has_allowance and used is not None:
        assert allowance is not None
        return percent_used(used / allowance * _HUNDRED)
    if has_allowance and remaining is not None:
        assert allowance is not None
        return percent_used((allowance - remaining) / allowance * _HUNDRED)
    if entry.get("type") == TOOLS_TYPE and used is not None and remaining is not None:
        total = used + remaining
        return 0 if total <= 0 else percent_used(used / total * _HUNDRED)
    return percent_used(entry.get("percentage"))


def reset_time(value: Any) -> Optional[datetime]:
    """``nextResetTime`` in epoch milliseconds; absent, 0 or unreadable is unknown."""
    number = to_decimal(value)
    if number is None or number <= 0:
        return None
    return from_epoch(number, "ms")


def plan_name(data: Mapping[str, Any]) -> Optional[str]:
    """The plan's name: a name field when sent, else the ``level`` (``pro`` -> "Pro")."""
    for key in PLAN_KEYS:
        name = shown_text(data.get(key), 60)
        if name:
            return name
    level = shown_text(data.get("level"), 60)
    if not level:
        return None
    return LEVELS.get(level.lower(), level.title())


def _types_seen(limits: List[Any]) -> str:
    kinds = {shown_text(e.get("type"), 30) for e in limits if isinstance(e, dict)} - {""}
    return ", ".join(sorted(kinds)[:5]) or "no type"


def _tool_breakdown(details: Any) -> Tuple[str, ...]:
    """``usageDetails`` as one note: "tool calls: search-prime 67 · web-reader 33 · zread 0"."""
    if not isinstance(details, list):
        return ()
    parts: Dict[str, str] = {}
    for detail in details:
        if not isinstance(detail, dict):
            continue
        name = shown_text(detail.get("modelCode"), 40)
        count = to_decimal(detail.get("usage"))
        if name and count is not None and count.copy_abs() < 10**12:
            parts[name] = f"{count.normalize():f}"
    if not parts:
        return ()
    return ("tool calls: " + " · ".join(f"{name} {count}" for name, count in parts.items()),)
