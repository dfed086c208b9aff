"""Pure parsers for Factory's answers: billing limits, the legacy allowance, whoami, auth/me.

Units (``shared/providers/factory.md`` §4): ``usedPercent`` is a percent, the legacy
``usedRatio`` a fraction 0–1, money is US cents (``extraUsageBalanceCents``), legacy dates
are epoch milliseconds, and ``windowEnd`` comes as ISO text, epoch seconds or epoch
milliseconds. A lapsed window keeps reporting its last figure: it is kept with its end, so
the model marks it as reset (shown empty, counted as 0 %).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, List, Mapping, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError
from ...kit.values import opt_str
from ...models import (
    MAX_CENTS,
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    cents_to_major,
    percent_used,
    periods_tuple,
    to_decimal,
)
from ...timeparse import from_epoch, parse_iso

NAME = "Factory"
PROVIDER_ID = "factory"
#: Epoch numbers above this are milliseconds (CodexBar's rule for ``windowEnd``).
EPOCH_MS_THRESHOLD = Decimal(10) ** 12
#: A legacy allowance this large means "unlimited".
UNLIMITED_TOKENS = Decimal(10) ** 12
#: No real window is longer than this; bigger relative values are junk.
MAX_SECONDS = Decimal(400 * 86400)
UNEXPECTED = "Factory answered in an unexpected format"

#: (key in the answer, period type, name in the standard pool, name in the core pool)
WINDOWS = (
    ("fiveHour", PeriodType.SESSION, "Session (5h)", "Core 5h"),
    ("weekly", PeriodType.WEEKLY, "Weekly", "Core weekly"),
    ("monthly", PeriodType.MONTHLY, "Monthly", "Core monthly"),
)
PREFERENCE_NOTES = {
    "droidCore": "droidCore: Droid Core models take over when the standard pool is spent",
    "extraUsage": "extraUsage: the extra-usage balance is charged",
}


def unexpected(detail: str) -> VibeusageError:
    """The parse error of an answer that has no usage vibeusage can read."""
    return VibeusageError(f"{UNEXPECTED}: {detail}", ErrorCategory.PARSE)


# --- whoami and auth/me --------------------------------------------------------------------


@dataclass(frozen=True)
class Whoami:
    """Who a credential belongs to and where its organisation lives."""

    user_id: Optional[str] = None
    org_id: Optional[str] = None
    region: Optional[str] = None
    on_prem: bool = False

    def to_dict(self) -> Mapping[str, Any]:
        return {
            "userId": self.user_id,
            "orgId": self.org_id,
            "region": self.region,
            "isOnPrem": self.on_prem,
        }


def parse_whoami(payload: Any) -> Optional[Whoami]:
    """The answer of ``/api/cli/whoami`` (or droid's stored copy); None when it is no object."""
    if not isinstance(payload, dict):
        return None
    region = opt_str(payload.get("region"))
    return Whoami(
        user_id=opt_str(payload.get("userId")),
        org_id=opt_str(payload.get("orgId")),
        region=region.lower() if region else None,
        on_prem=payload.get("isOnPrem") is True,
    )


def parse_identity(payload: Any) -> Optional[ProviderIdentity]:
    """Organisation, plan and email from ``/api/app/auth/me``; None when it tells nothing."""
    if not isinstance(payload, dict):
        return None
    organization = _obj(payload.get("organization"))
    subscription = _obj(organization.get("subscription"))
    plan = opt_str(_obj(_obj(subscription.get("orbSubscription")).get("plan")).get("name"))
    if plan is None:
        tier = opt_str(subscription.get("factoryTier"))
        plan = tier.title() if tier else None
    email = opt_str(_obj(payload.get("userProfile")).get("email"))
    name = opt_str(organization.get("name"))
    if name is None and plan is None and email is None:
        return None
    return ProviderIdentity(email=email, organization=name, plan=plan)


def identity_user_id(payload: Any) -> Optional[str]:
    """``userProfile.id`` of an auth/me answer (the legacy allowance asks by user)."""
    return opt_str(_obj(_obj(payload).get("userProfile")).get("id"))


# --- billing limits ------------------------------------------------------------------------


def uses_token_rate_billing(payload: Any) -> bool:
    """Whether a billing-limits answer carries windows (else the legacy allowance applies)."""
    if not isinstance(payload, dict):
        raise unexpected("the billing limits are not an object")
    if payload.get("usesTokenRateLimitsBilling") is False:
        return False
    return isinstance(payload.get("limits"), dict)


def window_end(value: Any) -> Optional[datetime]:
    """``windowEnd`` as aware UTC: ISO text, or epoch seconds / milliseconds (number or text)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        parsed = parse_iso(value)
        if parsed is not None:
            return parsed
    number = to_decimal(value)
    if number is None or number <= 0:
        return None
    unit = "ms" if number > EPOCH_MS_THRESHOLD else "s"
    return from_epoch(float(number), unit)


def _seconds_remaining(value: Any) -> Optional[Decimal]:
    number = to_decimal(value)
    if number is None or number.copy_abs() > MAX_SECONDS:
        return None
    return number


def window_period(
    window: Any, now: datetime, name: str, period_type: PeriodType, model: Optional[str]
) -> Optional[UsagePeriod]:
    """One window as a period; None for a missing window or one without ``usedPercent``."""
    if not isinstance(window, dict):
        return None
    utilization = percent_used(window.get("usedPercent"))
    if utilization is None:
        return None
    seconds = _seconds_remaining(window.get("secondsRemaining"))
    end = window_end(window.get("windowEnd"))
    resets_at: Optional[datetime] = None
    if end is not None and end > now:
        resets_at = end  # exact, where the countdown is as old as the answer
    elif seconds is not None and seconds > 0:
        resets_at = _plus_seconds(now, seconds)
    elif end is not None:  # lapsed: kept with its end, so the model marks it as reset
        resets_at = end
    return UsagePeriod(name, utilization, period_type, resets_at, model)


def _plus_seconds(now: datetime, seconds: Decimal) -> Optional[datetime]:
    try:
        return now + timedelta(seconds=float(seconds))
    except OverflowError:
        return None


def _pool_has_data(pool: Mapping[str, Any]) -> bool:
    """The core pool is shown only once used: a percent above 0, an end or a countdown."""
    for key, _, _, _ in WINDOWS:
        window = pool.get(key)
        if not isinstance(window, dict):
            continue
        used = to_decimal(window.get("usedPercent"))
        if used is not None and used > 0:
            return True
        if window.get("windowEnd") is not None or window.get("secondsRemaining") is not None:
            return True
    return False


def pool_periods(pool: Any, now: datetime, core: bool) -> Tuple[List[UsagePeriod], List[str]]:
    """The periods of the ``standard`` or ``core`` pool, and notes on unreadable windows."""
    periods: List[UsagePeriod] = []
    notes: List[str] = []
    if not isinstance(pool, dict) or (core and not _pool_has_data(pool)):
        return periods, notes
    for key, period_type, standard_name, core_name in WINDOWS:
        name = core_name if core else standard_name
        window = pool.get(key)
        period = window_period(window, now, name, period_type, "core" if core else None)
        if period is not None:
            periods.append(period)
        elif isinstance(window, dict) and window.get("usedPercent") is not None:
            notes.append(f"{name}: the percent used could not be read")
    return periods, notes


def parse_overage(payload: Mapping[str, Any]) -> Tuple[Optional[OverageUsage], List[str]]:
    """The prepaid extra-usage balance (cents -> dollars) when it exists or is allowed."""
    raw = payload.get("extraUsageBalanceCents")
    cents = to_decimal(raw)
    allowed = payload.get("extraUsageAllowed") is True
    if raw is not None and (cents is None or cents.copy_abs() >= MAX_CENTS):
        return None, ["extra usage: the balance could not be read"]
    if not (allowed or (cents is not None and cents > 0)):
        return None, []
    balance = cents_to_major(cents) if cents is not None else None
    if balance is None:
        return None, ["extra usage: allowed, but no balance was reported"]
    return OverageUsage(None, None, "USD", is_enabled=allowed, balance=balance), []


def parse_billing_limits(
    payload: Any,
    now: datetime,
    *,
    identity: Optional[ProviderIdentity] = None,
    source: str = "api_key",
) -> UsageSnapshot:
    """Map a token-rate ``/api/billing/limits`` answer to a snapshot."""
    if not isinstance(payload, dict) or not isinstance(payload.get("limits"), dict):
        raise unexpected("no rate-limit windows")
    limits = payload["limits"]
    periods, notes = pool_periods(limits.get("standard"), now, core=False)
    core_periods, core_notes = pool_periods(limits.get("core"), now, core=True)
    periods += core_periods
    notes += core_notes
    if not periods:
        raise unexpected("no rate-limit window could be read")
    overage, overage_notes = parse_overage(payload)
    notes += overage_notes
    preference = payload.get("overagePreference")
    if isinstance(preference, str) and preference in PREFERENCE_NOTES:
        notes.append(PREFERENCE_NOTES[preference])
    return UsageSnapshot(
        provider=PROVIDER_ID,
        fetched_at=now,
        periods=periods_tuple(periods),
        overage=overage,
        identity=identity,
        source=source,
        notes=tuple(notes),
    )


# --- the legacy allowance ------------------------------------------------------------------


def pool_utilization(pool: Mapping[str, Any]) -> Tuple[Optional[int], bool]:
    """Percent used of a legacy token pool, and whether the pool is unlimited."""
    allowance = to_decimal(pool.get("totalAllowance"))
    if allowance is not None and allowance > UNLIMITED_TOKENS:
        return None, True
    ratio = to_decimal(pool.get("usedRatio"))
    tokens = to_decimal(pool.get("userTokens"))
    has_allowance = allowance is not None and allowance > 0
    from_tokens = None
    if has_allowance and tokens is not None and tokens.copy_abs() <= UNLIMITED_TOKENS:
        assert allowance is not None
        from_tokens = percent_used(tokens / allowance * 100)
    if ratio is not None and 0 <= ratio <= 1:
        if ratio == 0 and from_tokens is not None and tokens is not None and tokens > 0:
            return from_tokens, False
        return percent_used(ratio * 100), False
    if ratio is not None and ratio > 1 and not has_allowance:
        return percent_used(ratio), False  # a percent sent where a fraction belongs
    return from_tokens, False


def _legacy_pool_period(
    pool: Any, name: str, model: Optional[str], resets_at: Optional[datetime], premium: bool
) -> Tuple[Optional[UsagePeriod], Optional[str]]:
    if not isinstance(pool, dict):
        return None, None
    if premium:
        allowance = to_decimal(pool.get("totalAllowance"))
        if allowance is None or allowance <= 0:
            return None, None
    utilization, unlimited = pool_utilization(pool)
    if unlimited:
        return None, f"{name}: unlimited"
    if utilization is None:
        return None, f"{name}: the share used could not be read"
    return UsagePeriod(name, utilization, PeriodType.MONTHLY, resets_at, model), None


def _ui_window_utilization(window: Mapping[str, Any]) -> Optional[int]:
    utilization = percent_used(window.get("usedPercent"))
    if utilization is not None:
        return utilization
    ratio = to_decimal(window.get("usedRatio"))
    if ratio is None or ratio.copy_abs() > 10**6:
        return None
    return percent_used(ratio * 100)


def _ui_periods(usage: Mapping[str, Any], notes: List[str]) -> List[UsagePeriod]:
    """The newer body of the same endpoint: ``standardUsage.{fiveHour, weekly, monthly}``."""
    windows = _obj(usage.get("standardUsage"))
    periods = []
    for key, period_type, name, _ in WINDOWS:
        window = windows.get(key)
        if not isinstance(window, dict):
            continue
        utilization = _ui_window_utilization(window)
        if utilization is None:
            if window.get("usedPercent") is not None or window.get("usedRatio") is not None:
                notes.append(f"{name}: the percent used could not be read")
            continue
        resets_at = from_epoch(window.get("endDate"), "ms")
        periods.append(UsagePeriod(name, utilization, period_type, resets_at))
    return periods


def _remaining_usd(usage: Mapping[str, Any]) -> Optional[OverageUsage]:
    dollars = to_decimal(_obj(usage.get("extraUsage")).get("remainingUsd"))
    if dollars is None or dollars.copy_abs() >= MAX_CENTS / 100:
        return None
    return OverageUsage(None, None, "USD", is_enabled=True, balance=dollars)


def parse_legacy_usage(
    payload: Any,
    now: datetime,
    *,
    identity: Optional[ProviderIdentity] = None,
    source: str = "api_key",
) -> UsageSnapshot:
    """Map ``/api/organization/subscription/usage`` (allowance or UI-style body) to a snapshot."""
    usage = payload.get("usage") if isinstance(payload, dict) else None
    if not isinstance(usage, dict):
        raise unexpected("no usage in the subscription answer")
    notes: List[str] = []
    periods = _ui_periods(usage, notes)
    if not periods and notes:
        raise unexpected("no usage window could be read")
    if not periods:
        resets_at = from_epoch(usage.get("endDate"), "ms")
        for key, name, model, premium in (
            ("standard", "Standard tokens", None, False),
            ("premium", "Premium tokens", "premium", True),
        ):
            period, note = _legacy_pool_period(usage.get(key), name, model, resets_at, premium)
            if period is not None:
                periods.append(period)
            if note is not None:
                notes.append(note)
    if not periods and not notes:
        raise unexpected("no token allowance could be read")
    return UsageSnapshot(
        provider=PROVIDER_ID,
        fetched_at=now,
        periods=periods_tuple(periods),
        overage=_remaining_usd(usage),
        identity=identity,
        source=source,
        notes=tuple(notes),
    )


def _obj(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}
