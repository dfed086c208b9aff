"""Pure parsers for GitHub Copilot's ``copilot_internal/user`` answer: quotas, plan, login.

Paid plans send ``quota_snapshots`` (one object per quota, counts and a percent
*remaining*); free plans may send ``monthly_quotas`` (allowance) and
``limited_user_quotas`` (what is left) instead. Every quota is monthly. See PROVIDERS.md
(Copilot).
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional, Set, Tuple

from ...errors import parse_error
from ...kit.values import opt_str
from ...kit.windows import WindowReader
from ...models import (
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    percent_used,
    periods_tuple,
    to_decimal,
)
from ...timeparse import from_epoch, parse_iso

NAME = "GitHub Copilot"

#: Known quota ids -> display names, in display order; other ids are humanised after them.
KNOWN_QUOTAS: Dict[str, str] = {
    "premium_interactions": "Premium requests",
    "chat": "Chat",
    "completions": "Completions",
}

#: Counts and percents beyond this are garbage, not quotas (and would overflow Decimal maths).
_MAX_NUMBER = Decimal(10) ** 15

#: ``copilot_plan`` values -> plan names (anything else is humanised).
_PLANS = {
    "free": "Free",
    "individual_free": "Free",
    "individual": "Pro",
    "individual_pro": "Pro",
    "pro": "Pro",
    "individual_plus": "Pro+",
    "individual_pro_plus": "Pro+",
    "pro_plus": "Pro+",
    "pro+": "Pro+",
    "business": "Business",
    "enterprise": "Enterprise",
}

#: Keys whose presence says the payload is a Copilot user answer at all.
_USER_KEYS = (
    "quota_snapshots",
    "limited_user_quotas",
    "monthly_quotas",
    "copilot_plan",
    "access_type_sku",
    "login",
)


def parse_user(payload: Any, now: datetime, *, source: str = "device_flow") -> UsageSnapshot:
    """Map a ``copilot_internal/user`` answer to a snapshot (one monthly period per quota).

    Unlimited quotas and quotas with a zero allowance are left out (see :func:`quota_notes`
    for why each one is missing). Raises the project's parse error when the payload is not
    a Copilot user answer.
    """
    periods, _ = _read_quotas(_user_object(payload))  # the notes: quota_notes()
    return UsageSnapshot(
        provider="copilot",
        fetched_at=now,
        periods=periods_tuple(periods),
        identity=parse_identity(payload),
        source=source,
    )


def quota_notes(payload: Any) -> Tuple[str, ...]:
    """Why quotas are missing from the snapshot and what went past them, one line each."""
    _, notes = _read_quotas(_user_object(payload))
    return tuple(notes)


def parse_identity(payload: Any) -> Optional[ProviderIdentity]:
    """Login, email (only when the answer holds an address), organisations, and the plan."""
    if not isinstance(payload, dict):
        return None
    orgs = payload.get("organization_login_list")
    org_names = (
        [o.strip() for o in orgs if isinstance(o, str) and o.strip()]
        if isinstance(orgs, list)
        else []
    )
    email = opt_str(payload.get("email"))
    identity = ProviderIdentity(
        email=email if email is not None and "@" in email else None,
        login=opt_str(payload.get("login")),
        organization=", ".join(org_names) or None,
        plan=plan_name(payload.get("copilot_plan"), payload.get("access_type_sku")),
    )
    return identity if identity != ProviderIdentity() else None


def plan_name(copilot_plan: Any, access_type_sku: Any = None) -> Optional[str]:
    """``individual`` -> ``Pro``, ``business`` -> ``Business``; a free SKU says ``Free``."""
    sku = access_type_sku.lower() if isinstance(access_type_sku, str) else ""
    if sku.startswith("free_limited"):
        return "Free"
    plan = opt_str(copilot_plan)
    if plan is None:
        return None
    lowered = plan.strip().lower()
    return _PLANS.get(lowered) or _humanise(lowered)


# --- quotas ------------------------------------------------------------------------------


def _user_object(payload: Any) -> Dict[str, Any]:
    if not isinstance(payload, dict):
        raise parse_error(NAME, f"expected an object, got {type(payload).__name__}")
    if not any(payload.get(key) is not None for key in _USER_KEYS):
        raise parse_error(NAME, "no Copilot plan or quota information in the response")
    return payload


def _read_quotas(payload: Dict[str, Any]) -> Tuple[List[UsagePeriod], List[str]]:
    """Periods and notes from ``quota_snapshots``, then the free plan's monthly quotas.

    Raises the parse error when quotas were sent and none of them could be read.
    """
    reset = parse_iso(payload.get("quota_reset_date_utc")) or parse_iso(
        payload.get("quota_reset_date")
    )
    windows = WindowReader(NAME)
    periods = windows.periods
    notes = windows.notes
    seen: Set[str] = set()
    snapshots = payload.get("quota_snapshots")
    if isinstance(snapshots, dict):
        for key, entry in _in_display_order(snapshots):
            quota_id = _quota_id(key, entry)
            if quota_id is None or quota_id in seen:
                continue
            seen.add(quota_id)
            windows.add(_snapshot_period(quota_id, entry, reset, windows))
    free_reset = _reset_value(payload.get("limited_user_reset_date")) or reset
    for period in _free_periods(payload, free_reset, seen, notes):
        windows.add(period)
    windows.check()
    return periods, notes


def _in_display_order(snapshots: Dict[str, Any]) -> List[Tuple[str, Any]]:
    known = [(key, snapshots[key]) for key in KNOWN_QUOTAS if key in snapshots]
    others = [(str(key), value) for key, value in snapshots.items() if key not in KNOWN_QUOTAS]
    return known + others


def _quota_id(key: str, entry: Any) -> Optional[str]:
    """The quota's id; entries that are not quota objects (no ``quota_id``) are skipped."""
    if not isinstance(entry, dict):
        return None
    quota_id = opt_str(entry.get("quota_id"))
    if quota_id is not None:
        return quota_id.strip()
    return key if key in KNOWN_QUOTAS else None


def _snapshot_period(
    quota_id: str, entry: Dict[str, Any], reset: Optional[datetime], windows: WindowReader
) -> Optional[UsagePeriod]:
    notes = windows.notes
    name = quota_name(quota_id)
    if _is_true(entry.get("unlimited")):
        notes.append(f"{name}: unlimited on this plan, not shown")
        return None
    entitlement = _number(entry.get("entitlement"))
    if entitlement is not None and entitlement == 0:
        notes.append(f"{name}: no monthly allowance (zero entitlement; usage is billed), not shown")
        return None
    utilization = _used_percent(entry, entitlement)
    if utilization is None:
        sent = entry.get("percent_remaining")
        if sent is not None:
            windows.unreadable(name, "percent_remaining", sent)
        elif any(entry.get(key) is not None for key in ("remaining", "quota_remaining")):
            windows.broken(f"{name}: its counts are unreadable, not shown")
        else:
            notes.append(f"{name}: no usable percent or counts, not shown")
        return None
    overage = _number(entry.get("overage_count"))
    if overage is not None and overage > 0:
        utilization = 100  # requests beyond the allowance: the quota is spent, whatever it says
        notes.append(f"{name}: {_count(overage)} requests over the monthly allowance")
    return UsagePeriod(name, utilization, PeriodType.MONTHLY, reset)


def _used_percent(entry: Dict[str, Any], entitlement: Optional[Decimal]) -> Optional[int]:
    """100 - ``percent_remaining``, else from the counts; over-quota usage clamps to 100."""
    remaining_percent = _number(entry.get("percent_remaining"))
    if remaining_percent is not None:
        return percent_used(Decimal(100) - remaining_percent)
    remaining = _number(entry.get("remaining"))
    if remaining is None:
        remaining = _number(entry.get("quota_remaining"))
    if entitlement is None or entitlement <= 0 or remaining is None:
        return None
    return percent_used((entitlement - remaining) / entitlement * 100)


def _free_periods(
    payload: Dict[str, Any], reset: Optional[datetime], seen: Set[str], notes: List[str]
) -> List[UsagePeriod]:
    """Free plans: ``monthly_quotas`` is the allowance, ``limited_user_quotas`` what is left."""
    allowances = payload.get("monthly_quotas")
    left = payload.get("limited_user_quotas")
    allowances = allowances if isinstance(allowances, dict) else {}
    left = left if isinstance(left, dict) else {}
    periods = []
    keys = [k for k in KNOWN_QUOTAS if k in allowances or k in left]
    keys += [str(k) for k in list(allowances) + list(left) if k not in KNOWN_QUOTAS]
    for key in dict.fromkeys(keys):
        if key in seen:
            continue
        seen.add(key)
        name = quota_name(key)
        allowance = _number(allowances.get(key))
        remaining = _number(left.get(key))
        if allowance is None or remaining is None:
            notes.append(f"{name}: the free plan's allowance or remainder is missing, not shown")
            continue
        if allowance <= 0:
            notes.append(f"{name}: no monthly allowance on this plan, not shown")
            continue
        used = percent_used((allowance - remaining) / allowance * 100)
        if used is not None:
            periods.append(UsagePeriod(name, used, PeriodType.MONTHLY, reset))
    return periods


def quota_name(quota_id: str) -> str:
    """``premium_interactions`` -> ``Premium requests``; unknown ids are humanised."""
    return KNOWN_QUOTAS.get(quota_id) or _humanise(quota_id)


def _reset_value(value: Any) -> Optional[datetime]:
    """A reset given as an ISO date/time, or as epoch seconds (milliseconds when huge)."""
    if isinstance(value, str):
        return parse_iso(value)
    number = _number(value)
    if number is None or number <= 0:
        return None
    return from_epoch(number, "ms" if number > 10**11 else "s")


# --- small helpers -----------------------------------------------------------------------


def _number(value: Any) -> Optional[Decimal]:
    number = to_decimal(value)
    if number is None or number.copy_abs() >= _MAX_NUMBER:  # copy_abs: no context overflow
        return None
    return number


def _is_true(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.strip().lower() == "true")


def _count(number: Decimal) -> str:
    return str(int(number)) if number == number.to_integral_value() else str(number)


def _humanise(key: str) -> str:
    words = [part for part in key.replace("-", "_").split("_") if part]
    return " ".join(words).capitalize() if words else key
