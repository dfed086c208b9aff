"""Pure parsers for cursor.com's answers: usage-summary (plan, on-demand, team) and auth/me.

Shapes and units: PROVIDERS.md (Cursor). Money is in cents; ``totalPercentUsed`` is a
percent (0.36 means 0.36 %, not 36 %); the billing-cycle end is ISO with ms and ``Z``, or
sometimes epoch milliseconds as a string.
"""

import re
from datetime import datetime
from decimal import Decimal, DecimalException
from typing import Any, Dict, Optional, Tuple

from ...errors import parse_error
from ...kit.windows import WindowReader
from ...models import (
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    cents_to_major,
    percent_used,
    to_decimal,
)
from ...timeparse import from_epoch, parse_iso

NAME = "Cursor"
PROVIDER_ID = "cursor"

#: Keys of which at least one marks an answer as a usage summary.
SUMMARY_KEYS = ("billingCycleEnd", "billingCycleStart", "membershipType", "individualUsage")

#: Team usage blocks shown as extra periods: key -> display name.
TEAM_PERIODS = (("onDemand", "Team on-demand"), ("pooled", "Team pooled"))

_PLANS = {
    "free": "Free",
    "free_trial": "Free trial",
    "pro": "Pro",
    "pro_plus": "Pro+",
    "ultra": "Ultra",
    "business": "Business",
    "team": "Team",
    "teams": "Team",
    "enterprise": "Enterprise",
}
_EPOCH = re.compile(r"\d{9,}(\.\d+)?")


def plan_name(membership_type: Any) -> Optional[str]:
    """``membershipType`` (``pro``, ``pro_plus``, ``free_trial``...) as a plan name."""
    if not isinstance(membership_type, str) or not membership_type.strip():
        return None
    key = membership_type.strip().lower().replace("-", "_").replace(" ", "_")
    known = _PLANS.get(key)
    if known is not None:
        return known
    return " ".join(part.capitalize() for part in key.split("_") if part) or None


def parse_usage_summary(
    payload: Any,
    now: datetime,
    *,
    identity: Optional[ProviderIdentity] = None,
    source: str = "web",
) -> UsageSnapshot:
    """Map ``/api/usage-summary`` to a snapshot (monthly periods, on-demand as overage).

    ``identity`` (from auth/me) gets the plan from ``membershipType`` added. Raises the
    project's parse error when the payload is not a usage summary at all.
    """
    if not isinstance(payload, dict):
        raise parse_error(NAME, f"expected an object, got {type(payload).__name__}")
    if not any(key in payload for key in SUMMARY_KEYS):
        raise parse_error(NAME, "no usage summary in the response")
    resets_at = parse_cycle_end(payload.get("billingCycleEnd"))
    individual = _table(payload, "individualUsage")
    windows = WindowReader(NAME)
    blocks = [("Monthly", _table(individual, "plan"))]
    team = _table(payload, "teamUsage")
    blocks += [(name, _table(team, key)) for key, name in TEAM_PERIODS]
    for name, block in blocks:
        percent = usage_percent(block)
        if percent is not None:
            windows.add(UsagePeriod(name, percent, PeriodType.MONTHLY, resets_at))
        else:
            unreadable = _unreadable_figure(block)
            if unreadable is not None:
                windows.unreadable(name, *unreadable)
    periods, notes = windows.done()
    plan = plan_name(payload.get("membershipType"))
    base = identity or ProviderIdentity()
    return UsageSnapshot(
        provider=PROVIDER_ID,
        fetched_at=now,
        periods=periods,
        overage=parse_on_demand(individual.get("onDemand")),
        identity=ProviderIdentity(base.email, base.organization, plan or base.plan),
        source=source,
        notes=notes,
    )


def _unreadable_figure(block: Dict[str, Any]) -> Optional[Tuple[str, Any]]:
    """The first figure of a usage block that was sent but is not a number, if any."""
    for key in ("totalPercentUsed", "percentUsed", "used", "limit"):
        value = block.get(key)
        if value is not None and to_decimal(value) is None:
            return key, value
    return None


def usage_percent(block: Dict[str, Any]) -> Optional[int]:
    """Whole percent used of a usage block: ``totalPercentUsed`` (a percent), else used/limit.

    None when neither is known (no limit, a zero limit, or no numbers at all).
    """
    for key in ("totalPercentUsed", "percentUsed"):
        percent = percent_used(block.get(key))
        if percent is not None:
            return percent
    used = to_decimal(block.get("used"))
    limit = to_decimal(block.get("limit"))
    if used is None or limit is None or limit <= 0:
        return None
    try:
        return percent_used(used / limit * 100)
    except (DecimalException, ArithmeticError):  # absurd magnitudes are not usage
        return None


def parse_on_demand(value: Any) -> Optional[OverageUsage]:
    """On-demand spend (cents) as overage in dollars; a null limit means no cap.

    None when the block is missing, its spend unknown, or it is off and nothing was spent.
    """
    if not isinstance(value, dict):
        return None
    used = cents_to_major(value.get("used"))
    if used is None:
        return None
    enabled = value.get("enabled")
    is_enabled = enabled if isinstance(enabled, bool) else True
    if not is_enabled and used <= 0:
        return None
    return OverageUsage(
        used=used,
        limit=cents_to_major(value.get("limit")),
        currency="USD",
        is_enabled=is_enabled,
    )


def parse_cycle_end(value: Any) -> Optional[datetime]:
    """The billing-cycle end: ISO text, or epoch milliseconds (number or numeric string)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and _EPOCH.fullmatch(value.strip()):
        value = to_decimal(value)
    if isinstance(value, (int, float, Decimal)):
        number = to_decimal(value)
        if number is None or number <= 0:
            return None
        # Seconds until the year 5138; anything larger is milliseconds.
        return from_epoch(number, "ms" if number > Decimal(10) ** 11 else "s")
    return parse_iso(value)


def parse_identity(payload: Any, plan: Optional[str] = None) -> ProviderIdentity:
    """``/api/auth/me`` (``{email, name, sub, ...}``) -> identity; anything missing is None."""
    email = payload.get("email") if isinstance(payload, dict) else None
    return ProviderIdentity(
        email=email.strip() if isinstance(email, str) and email.strip() else None,
        plan=plan,
    )


def _table(data: Dict[str, Any], key: str) -> Dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}
