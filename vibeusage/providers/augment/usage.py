"""Pure parsers for Augment's billing summary, in the tenant's and in auggie's spelling.

``get-billing-summary`` answers in snake_case with ``usage_unit`` 1 (credits) or 2 (US
dollars, not cents); ``auggie account status --json`` renames the same fields to camelCase
with ``usageUnit`` ``"credits"``/``"usd"``. Amounts are numbers or numeric strings, and what
remains can exceed the monthly allowance (top-ups, rollover): that is 0 % used, never less.
One window per account: the billing cycle, ``monthly``.
"""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, List, Mapping, Optional

from ...errors import parse_error
from ...kit.values import opt_str
from ...kit.windows import shown_value
from ...models import (
    MAX_CENTS,
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    percent_used,
    to_decimal,
)
from ...timeparse import parse_iso

NAME = "Augment"
PROVIDER_ID = "augment"
#: Amounts at or beyond this are garbage, not credits or dollars.
MAX_AMOUNT = MAX_CENTS / 100
#: A banner longer than this is cut (it is shown as a note).
MAX_NOTE = 300

#: usage unit -> (currency of the balance, name of the period)
UNITS = {
    "credits": ("credits", "Credits"),
    "usd": ("USD", "Included usage"),
}
_UNIT_CODES = {1: "credits", 2: "usd"}


@dataclass(frozen=True)
class Summary:
    """A billing summary, whichever spelling it came in."""

    plan: Any
    unit: Any
    remaining: Any
    included: Any
    cycle_end: Any
    banner: Any


def unit_name(value: Any) -> Optional[str]:
    """``credits`` or ``usd`` from the tenant's code (1/2) or auggie's word; else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return _UNIT_CODES.get(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in UNITS:
            return text
        if text.isdigit() and len(text) < 4:
            return _UNIT_CODES.get(int(text))
    return None


def _describe(value: Any) -> str:
    """A short, safe rendering of an unexpected value (huge integers cannot be printed)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**12:
        return "a very large number"
    if isinstance(value, (str, int, float)) or value is None:
        return str(value)[:40]
    return type(value).__name__


def _amount(value: Any) -> Optional[Decimal]:
    number = to_decimal(value)
    if number is None or number.copy_abs() >= MAX_AMOUNT:
        return None
    return number


def _banner_note(banner: Any) -> Optional[str]:
    message = opt_str(banner.get("message")) if isinstance(banner, dict) else None
    if message is None:
        return None
    return message if len(message) <= MAX_NOTE else message[: MAX_NOTE - 1] + "…"


def summary_snapshot(summary: Summary, now: datetime, source: str) -> UsageSnapshot:
    """One monthly period, the balance as the overage, the plan as the identity."""
    notes: List[str] = []
    unit = unit_name(summary.unit)
    currency, period_name = UNITS.get(unit or "", ("", "Allowance"))
    if unit is None:
        notes.append(f"Augment reported an unknown usage unit ({_describe(summary.unit)})")
    included = _amount(summary.included)
    remaining = _amount(summary.remaining)
    periods = []
    #: The window was sent but cannot be read (then a balance alone is no answer).
    unreadable = False
    if included is None and summary.included is not None:
        unreadable = True
        notes.append(
            f"{period_name}: the allowance {shown_value(summary.included)} is unreadable, not shown"
        )
    elif included is None or included <= 0:
        notes.append("no monthly allowance was reported, so no share used can be shown")
    elif remaining is None:
        unreadable = True
        notes.append("the amount remaining could not be read")
    else:
        utilization = percent_used((included - remaining) / included * 100)
        assert utilization is not None
        periods.append(
            UsagePeriod(period_name, utilization, PeriodType.MONTHLY, parse_iso(summary.cycle_end))
        )
    overage = None
    if remaining is not None and unit is not None:
        overage = OverageUsage(None, None, currency, is_enabled=True, balance=remaining)
    banner = _banner_note(summary.banner)
    if banner is not None:
        notes.append(banner)
    plan = opt_str(summary.plan)
    if not periods and overage is None:
        raise parse_error(NAME, "a billing summary without a readable balance")
    if unreadable and not periods:
        raise parse_error(NAME, f"no usage window could be read ({notes[-1]})")
    return UsageSnapshot(
        provider=PROVIDER_ID,
        fetched_at=now,
        periods=tuple(periods),
        overage=overage,
        identity=ProviderIdentity(plan=plan) if plan else None,
        source=source,
        notes=tuple(notes),
    )


def _object(payload: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(payload, dict):
        raise parse_error(NAME, f"{what} that is not an object")
    return payload


def parse_billing_summary(payload: Any, now: datetime, source: str = "oauth") -> UsageSnapshot:
    """``POST {tenant}get-billing-summary`` (snake_case) as a snapshot."""
    data = _object(payload, "a billing summary")
    summary = Summary(
        data.get("plan_name"),
        data.get("usage_unit"),
        data.get("amount_remaining"),
        data.get("amount_included_per_cycle"),
        data.get("billing_cycle_end_date_iso"),
        data.get("banner"),
    )
    return summary_snapshot(summary, now, source)


def parse_account_status(payload: Any, now: datetime, source: str = "cli") -> UsageSnapshot:
    """``auggie account status --json`` (camelCase) as a snapshot."""
    data = _object(payload, "an account status")
    summary = Summary(
        data.get("planName"),
        data.get("usageUnit"),
        data.get("amountRemaining"),
        data.get("amountIncludedPerCycle"),
        data.get("billingCycleEndDate"),
        data.get("banner"),
    )
    return summary_snapshot(summary, now, source)


def error_detail(body: Any) -> Optional[str]:
    """The text an error body carries (``error_details``, ``error`` or ``message``), if any."""
    if not isinstance(body, dict):
        return None
    for key in ("error_details", "error", "message"):
        value = body.get(key)
        if isinstance(value, dict):
            value = value.get("message")
        text = opt_str(value)
        if text is not None:
            return text[:MAX_NOTE]
    return None
