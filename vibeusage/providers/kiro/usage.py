"""``GetUsageLimits`` (CodeWhisperer's JSON 1.0 API) -> a snapshot; pure, defensive.

The figures live in the one ``usageBreakdownList`` row with ``resourceType == "CREDIT"``.
Units: credits as decimals (the ``…WithPrecision`` fields; the plain ones are rounded),
``currentUsage`` *including* overage, ``nextDateReset`` in epoch seconds (a float, often
``1.7882208E9``), ``overageCharges`` in dollars, ``overageRate`` dollars per credit and
``overageCapWithPrecision`` in credits (the money cap is cap × rate). Numbers are read as
``Decimal`` from the JSON text (``parse_float=Decimal``).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, List, Optional, Tuple

from ...errors import VibeusageError, parse_error
from ...models import (
    MAX_CENTS,
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    percent_used,
    periods_tuple,
    to_decimal,
)
from ...timeparse import from_epoch
from .local import NAME
from .screen import plan_title

#: Epoch seconds outside this range are not seconds (milliseconds, or junk).
EPOCH_RANGE = (Decimal("1e9"), Decimal("4.1e9"))
#: Amounts of money at or beyond this are junk, not spend.
MAX_MONEY = MAX_CENTS / 100
BONUS_NOTE = "Bonus credits are counted in the plan's figure (Kiro does not report them apart)"


def parse_usage_limits(payload: Any, now: datetime) -> UsageSnapshot:
    """The snapshot of a ``GetUsageLimits`` answer (numbers as Decimal or int)."""
    if not isinstance(payload, dict):
        raise parse_error(NAME, "usage limits are not a JSON object")
    row = _credit_row(payload.get("usageBreakdownList"))
    notes: List[str] = []
    total = _number(row, "currentUsageWithPrecision", "currentUsage")
    limit = _number(row, "usageLimitWithPrecision", "usageLimit")
    overage_used = _number(row, "currentOveragesWithPrecision", "currentOverages")
    if total is None or limit is None:
        raise parse_error(NAME, "the credit row has no usage or no limit")
    overage_used = overage_used if overage_used is not None else Decimal(0)
    plan_used = total - overage_used
    if total < 0 or overage_used < 0 or plan_used < 0:
        raise parse_error(NAME, "the credit row's overage is larger than its usage")
    resets_at = _reset(row.get("nextDateReset"), payload.get("nextDateReset"), notes)
    periods: List[UsagePeriod] = []
    if limit > 0:
        periods.append(
            UsagePeriod(
                "Monthly credits",
                _percent(plan_used, limit),
                PeriodType.MONTHLY,
                resets_at,
            )
        )
    else:
        notes.append("The plan has no credit limit")
    bonuses = row.get("bonuses")
    if isinstance(bonuses, list) and bonuses:
        notes.append(BONUS_NOTE)
    enabled = _overage_status(payload) == "ENABLED"
    try:
        cap = _number(row, "overageCapWithPrecision", "overageCap")
    except VibeusageError:  # the monthly window was read: only the overage one is lost
        cap = None
        if enabled:
            notes.append("Overage credits: the overage cap is unreadable, not shown")
    if enabled and cap is not None and cap > 0:
        periods.append(
            UsagePeriod(
                "Overage credits", _percent(overage_used, cap), PeriodType.MONTHLY, resets_at
            )
        )
    return UsageSnapshot(
        provider="kiro",
        fetched_at=now,
        periods=periods_tuple(periods),
        overage=_overage(payload, row, enabled, cap),
        identity=_identity(payload),
        source="api",
        notes=tuple(notes),
    )


def _credit_row(rows: Any) -> Any:
    if not isinstance(rows, list):
        raise parse_error(NAME, "usage limits have no usageBreakdownList")
    credits = [r for r in rows if isinstance(r, dict) and r.get("resourceType") == "CREDIT"]
    if len(credits) != 1:
        raise parse_error(NAME, f"{len(credits)} credit rows instead of one")
    return credits[0]


def _number(row: Any, precise: str, rounded: str) -> Optional[Decimal]:
    """The precise field, else the rounded one; a present but unreadable value is an error."""
    for key in (precise, rounded):
        if row.get(key) is None:
            continue
        value = to_decimal(row[key])
        if value is None or value.copy_abs() >= MAX_MONEY:
            raise parse_error(NAME, f"{key} is not a number")
        return value
    return None


def _percent(used: Decimal, limit: Decimal) -> int:
    value = percent_used(used / limit * 100)
    assert value is not None  # both finite, limit > 0
    return value


def _reset(row_value: Any, top_value: Any, notes: List[str]) -> Optional[datetime]:
    value = row_value if row_value is not None else top_value
    if value is None:
        return None
    seconds = to_decimal(value)
    if seconds is None or not EPOCH_RANGE[0] <= seconds <= EPOCH_RANGE[1]:
        notes.append("The reset date Kiro sent could not be read")
        return None
    return from_epoch(float(seconds))


def _overage_status(payload: Any) -> Optional[str]:
    configuration = payload.get("overageConfiguration")
    status = configuration.get("overageStatus") if isinstance(configuration, dict) else None
    return status.upper() if isinstance(status, str) else None


def _overage(
    payload: Any, row: Any, enabled: bool, cap: Optional[Decimal]
) -> Optional[OverageUsage]:
    charges = _money(row.get("overageCharges"))
    if _overage_status(payload) is None and charges is None:
        return None
    rate = _money(row.get("overageRate"))
    limit = None
    if enabled and cap is not None and cap > 0 and rate is not None:
        limit = _money(cap * rate)
    currency = row.get("currency")
    code = currency.strip().upper() if isinstance(currency, str) else ""
    return OverageUsage(
        used=charges if charges is not None else Decimal("0.00"),
        limit=limit,
        currency=code if len(code) == 3 and code.isalpha() and code.isascii() else "USD",
        is_enabled=enabled,
    )


def _money(value: Any) -> Optional[Decimal]:
    number = to_decimal(value)
    if number is None or number.copy_abs() >= MAX_MONEY:
        return None
    return number


def _identity(payload: Any) -> Optional[ProviderIdentity]:
    info = payload.get("subscriptionInfo")
    title = info.get("subscriptionTitle") if isinstance(info, dict) else None
    if not isinstance(title, str) or not title.strip():
        return None
    return ProviderIdentity(plan=plan_title(title))


def decode_limits(body: bytes) -> Tuple[Any, Optional[str]]:
    """The JSON document of a body with numbers as Decimal, or (None, why not)."""
    import json

    try:
        return json.loads(body.decode("utf-8"), parse_float=Decimal), None
    except (ValueError, RecursionError):
        return None, "a body that is not JSON"
