"""Pure parsers for Claude's answers: usage buckets, overage, identity, plan names.

The OAuth and the web usage endpoints send the same shape; see PROVIDERS.md (Claude).
"""

import re
from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, Optional, Tuple

from ...errors import parse_error
from ...kit.values import opt_str
from ...kit.windows import WindowReader, shown_value
from ...models import (
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    cents_to_major,
)
from ...timeparse import parse_iso

NAME = "Claude"

#: Known buckets: key -> (display name, period type, model).
KNOWN_BUCKETS: Dict[str, Tuple[str, PeriodType, Optional[str]]] = {
    "five_hour": ("Session (5h)", PeriodType.SESSION, None),
    "seven_day": ("Weekly", PeriodType.WEEKLY, None),
    "seven_day_sonnet": ("Weekly (Sonnet)", PeriodType.WEEKLY, "sonnet"),
    "seven_day_opus": ("Weekly (Opus)", PeriodType.WEEKLY, "opus"),
}

#: Keys that are not usage windows.
NON_BUCKET_KEYS = frozenset({"limits", "extra_usage"})

_PREFIX_TYPES = (
    ("five_hour_", "Session", PeriodType.SESSION),
    ("seven_day_", "Weekly", PeriodType.WEEKLY),
    ("one_day_", "Daily", PeriodType.DAILY),
    ("daily_", "Daily", PeriodType.DAILY),
    ("monthly_", "Monthly", PeriodType.MONTHLY),
)

_LIMIT_GROUPS = {
    "session": PeriodType.SESSION,
    "daily": PeriodType.DAILY,
    "weekly": PeriodType.WEEKLY,
    "monthly": PeriodType.MONTHLY,
}

_TIERS = (
    (re.compile(r"max_?20x"), "Max 20x"),
    (re.compile(r"max_?5x"), "Max 5x"),
    (re.compile(r"max"), "Max"),
    (re.compile(r"team"), "Team"),
    (re.compile(r"enterprise"), "Enterprise"),
    (re.compile(r"pro"), "Pro"),
    (re.compile(r"free"), "Free"),
)


def plan_name(subscription_type: Optional[str], rate_limit_tier: Optional[str]) -> Optional[str]:
    """Human plan name: the tier tells Max 5x from Max 20x, the subscription type the rest."""
    for text in (rate_limit_tier, subscription_type):
        if not text:
            continue
        lowered = text.lower()
        for pattern, name in _TIERS:
            if pattern.search(lowered):
                return name
    if subscription_type:
        return subscription_type.replace("_", " ").title()
    return None


def parse_usage(
    payload: Any,
    now: datetime,
    *,
    identity: Optional[ProviderIdentity] = None,
    source: str = "oauth",
) -> UsageSnapshot:
    """Map a Claude usage response (OAuth or web, same shape) to a snapshot.

    Raises the project's parse error when the payload is not a usage object at all.
    """
    if not isinstance(payload, dict):
        raise parse_error(NAME, f"expected an object, got {type(payload).__name__}")
    windows = WindowReader(NAME)
    recognised = False
    for key, value in payload.items():
        if key in NON_BUCKET_KEYS:
            continue
        if key in KNOWN_BUCKETS:
            recognised = True
        windows.add(_bucket_period(key, value, now, windows))
    limits = payload.get("limits")
    if isinstance(limits, list):
        recognised = True
        seen = {(p.period_type, (p.model or "").lower()) for p in windows.periods}
        for index, entry in enumerate(limits):
            period = _limit_period(entry, index, windows)
            if period is None:
                continue
            slot = (period.period_type, (period.model or "").lower())
            if slot not in seen:
                seen.add(slot)
                windows.add(period)
    overage = parse_extra_usage(payload.get("extra_usage"))
    if not recognised and not windows.periods and overage is None:
        windows.check()
        raise parse_error(NAME, "no usage windows in the response")
    periods, notes = windows.done()
    return UsageSnapshot(
        provider="claude",
        fetched_at=now,
        periods=periods,
        overage=overage,
        identity=identity,
        source=source,
        notes=notes,
    )


def _bucket_period(
    key: str, value: Any, now: datetime, windows: WindowReader
) -> Optional[UsagePeriod]:
    if value is None:
        return None  # null bucket: this plan has no such window
    if not isinstance(value, dict) or "utilization" not in value:
        if key in KNOWN_BUCKETS:
            windows.unreadable(key, "window", value)
        return None  # an unknown key that is not a bucket: a new field, not a window
    utilization = windows.percent(key, value.get("utilization"))
    if utilization is None:
        return None
    resets_at = parse_iso(value.get("resets_at"))
    if resets_at is None and value.get("resets_at") is not None:
        windows.note(f"{key}: reset time {shown_value(value.get('resets_at'))} is unreadable")
    if key in KNOWN_BUCKETS:
        name, period_type, model = KNOWN_BUCKETS[key]
    else:
        name, period_type, model = _unknown_bucket(key, resets_at, now)
    return UsagePeriod(name, utilization, period_type, resets_at, model)


def _unknown_bucket(
    key: str, resets_at: Optional[datetime], now: datetime
) -> Tuple[str, PeriodType, Optional[str]]:
    """Name and classify a bucket this version does not know (``seven_day_omelette``)."""
    for prefix, label, period_type in _PREFIX_TYPES:
        if key.startswith(prefix):
            rest = _humanise(key[len(prefix) :])
            return f"{label} ({rest})", period_type, key[len(prefix) :]
    if resets_at is not None and resets_at > now:
        period_type = PeriodType.from_seconds((resets_at - now).total_seconds())
    else:
        period_type = PeriodType.WEEKLY
    return _humanise(key), period_type, None


def _limit_period(entry: Any, index: int, windows: WindowReader) -> Optional[UsagePeriod]:
    """A period from the newer ``limits[]`` list (``weekly_scoped`` = a per-model window)."""
    if not isinstance(entry, dict):
        if entry is not None:
            windows.unreadable(f"limits[{index}]", "entry", entry)
        return None
    label = opt_str(entry.get("kind")) or f"limits[{index}]"
    utilization = windows.percent(label, entry.get("percent"), "percent")
    if utilization is None:
        return None
    kind = opt_str(entry.get("kind")) or ""
    group = opt_str(entry.get("group")) or ""
    period_type = _LIMIT_GROUPS.get(group) or _LIMIT_GROUPS.get(kind.split("_")[0])
    if period_type is None:
        windows.note(f"{label}: a window of an unknown length, not shown")
        return None
    model = _scope_model(entry.get("scope"))
    if model is not None:
        name = f"{period_type.value.title()} ({model})"
    elif period_type is PeriodType.SESSION:
        name = "Session (5h)"
    else:
        name = period_type.value.title()
    return UsagePeriod(
        name,
        utilization,
        period_type,
        parse_iso(entry.get("resets_at")),
        model.lower() if model else None,
    )


def _scope_model(scope: Any) -> Optional[str]:
    if not isinstance(scope, dict):
        return None
    model = scope.get("model")
    if not isinstance(model, dict):
        return None
    for key in ("display_name", "id"):
        value = model.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def parse_extra_usage(value: Any) -> Optional[OverageUsage]:
    """Overage from ``extra_usage`` (amounts in cents; ``monthly_limit`` null = no cap)."""
    return _overage(value, "monthly_limit")


def parse_overage_spend_limit(value: Any) -> Optional[OverageUsage]:
    """Overage from the web ``overage_spend_limit`` endpoint (``monthly_credit_limit``, cents)."""
    return _overage(value, "monthly_credit_limit")


def _overage(value: Any, limit_key: str) -> Optional[OverageUsage]:
    if not isinstance(value, dict):
        return None
    used = cents_to_major(value.get("used_credits"))
    limit = cents_to_major(value.get(limit_key))
    enabled = value.get("is_enabled")
    if used is None and limit is None:
        return None
    currency = value.get("currency")
    return OverageUsage(
        used=used if used is not None else Decimal("0.00"),
        limit=limit,
        currency=currency if isinstance(currency, str) and currency else "USD",
        is_enabled=enabled if isinstance(enabled, bool) else True,
    )


def _humanise(key: str) -> str:
    return " ".join(part.capitalize() for part in key.split("_") if part) or key


def parse_identity(payload: Any) -> ProviderIdentity:
    """Email, organisation and plan from the OAuth account/profile answer (both shapes).

    ``/api/oauth/account``: ``{email_address, memberships: [{organization: {name,
    rate_limit_tier}}]}``; ``/api/oauth/profile``: ``{account: {email}, organization: {name,
    rate_limit_tier}}``. Anything missing is None.
    """
    if not isinstance(payload, dict):
        return ProviderIdentity()
    account = payload["account"] if isinstance(payload.get("account"), dict) else {}
    email = _first_str(payload, ("email_address", "email")) or _first_str(
        account, ("email_address", "email")
    )
    organization: Dict[str, Any] = {}
    if isinstance(payload.get("organization"), dict):
        organization = payload["organization"]
    else:
        memberships = payload.get("memberships")
        if isinstance(memberships, list):
            for membership in memberships:
                org = membership.get("organization") if isinstance(membership, dict) else None
                if isinstance(org, dict):
                    organization = org
                    break
    tier = opt_str(organization.get("rate_limit_tier"))
    return ProviderIdentity(
        email=email,
        organization=opt_str(organization.get("name")),
        plan=plan_name(None, tier) if tier else None,
    )


def _first_str(data: Dict[str, Any], keys: Tuple[str, ...]) -> Optional[str]:
    for key in keys:
        value = opt_str(data.get(key))
        if value:
            return value
    return None
