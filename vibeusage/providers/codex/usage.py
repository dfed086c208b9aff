"""Pure parsers for Codex's three sources: the usage endpoint, the app-server, the session logs.

All three describe the same thing (a primary and a secondary rate-limit window, credits, a
plan) in different spellings; see PROVIDERS.md (Codex). Windows are classified by their real
length (``limit_window_seconds``, ``windowDurationMins``, ``window_minutes``), never by the
slot they arrive in: a free plan's weekly window comes as the *primary* one.
"""

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Dict, List, Mapping, Optional, Tuple

from ...errors import parse_error
from ...kit.values import opt_str
from ...kit.windows import WindowReader
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
from ...timeparse import from_epoch, parse_iso

NAME = "Codex"
PROVIDER_ID = "codex"
#: The limit id of the plan's main Codex limit (other ids are per-model extra limits).
MAIN_LIMIT_ID = "codex"
CODE_REVIEW = "Code Review"

#: Each window field in every spelling seen so far (endpoint, old endpoint, app-server, logs).
_PERCENT_KEYS = ("used_percent", "usedPercent")
_SECONDS_KEYS = ("limit_window_seconds", "window_seconds", "windowDurationSeconds")
_MINUTES_KEYS = ("window_minutes", "windowDurationMins", "window_duration_mins")
_RESET_AT_KEYS = ("reset_at", "resets_at", "resetsAt", "reset_timestamp")
_RESET_AFTER_KEYS = ("reset_after_seconds", "resets_in_seconds", "resetsInSeconds")
#: (slot, keys that may hold it): the current endpoint says ``primary_window``, the rest
#: ``primary``.
_SLOTS = (
    ("primary", ("primary_window", "primary")),
    ("secondary", ("secondary_window", "secondary")),
)
#: Only when no window length is given at all: what the slots historically meant.
_SLOT_DEFAULTS = {"primary": PeriodType.SESSION, "secondary": PeriodType.WEEKLY}
#: Epoch values above this are milliseconds, not seconds (year 5138 in seconds).
_EPOCH_MS_THRESHOLD = 10**11

_PLANS = {
    "free": "Free",
    "go": "Go",
    "plus": "Plus",
    "pro": "Pro",
    "prolite": "Pro Lite",
    "promax": "Pro Max",
    "team": "Team",
    "business": "Business",
    "enterprise": "Enterprise",
    "edu": "Edu",
    "edu_plus": "Edu Plus",
    "edu_pro": "Edu Pro",
}


# --- windows -------------------------------------------------------------------------------


def _first(data: Mapping[str, Any], keys: Tuple[str, ...]) -> Any:
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


def _positive(value: Any) -> Optional[Decimal]:
    number = to_decimal(value)
    return number if number is not None and number > 0 else None


def window_seconds(window: Mapping[str, Any]) -> Optional[float]:
    """The window's length in seconds, from whichever field this source uses."""
    seconds = _positive(_first(window, _SECONDS_KEYS))
    if seconds is not None:
        return float(seconds)
    minutes = _positive(_first(window, _MINUTES_KEYS))
    return float(minutes * 60) if minutes is not None else None


def window_resets_at(window: Mapping[str, Any], base: datetime) -> Optional[datetime]:
    """Absolute reset time: epoch seconds (or ISO), else seconds relative to ``base``."""
    absolute = _first(window, _RESET_AT_KEYS)
    if isinstance(absolute, str) and parse_iso(absolute) is not None:
        return parse_iso(absolute)
    number = to_decimal(absolute)
    if number is not None and number > 0:
        unit = "ms" if number > _EPOCH_MS_THRESHOLD else "s"
        return from_epoch(float(number), unit)
    relative = to_decimal(_first(window, _RESET_AFTER_KEYS))
    if relative is not None and relative >= 0:
        try:
            return base + timedelta(seconds=float(relative))
        except OverflowError:
            return None
    return None


def _period_name(period_type: PeriodType, seconds: Optional[float], label: Optional[str]) -> str:
    title = str(period_type.value).title()
    if label:
        return f"{title} ({label})"
    if period_type is PeriodType.SESSION:
        hours = max(1, round(seconds / 3600)) if seconds else 5
        return f"Session ({hours}h)"
    return title


def window_period(
    window: Any,
    slot: str,
    base: datetime,
    label: Optional[str] = None,
    reader: Optional[WindowReader] = None,
) -> Optional[Tuple[UsagePeriod, Optional[float]]]:
    """A period and the window's length in seconds, or None for a null / unusable window.

    A window sent with an unreadable percent is noted in ``reader``.
    """
    if not isinstance(window, dict):
        return None
    shown = f"{label + ' ' if label else ''}{slot} window"
    if reader is not None:
        utilization = reader.percent(shown, _first(window, _PERCENT_KEYS), "used percent")
    else:
        utilization = percent_used(_first(window, _PERCENT_KEYS))
    if utilization is None:
        return None
    seconds = window_seconds(window)
    if seconds is not None:
        period_type = PeriodType.from_seconds(seconds)
    else:
        period_type = _SLOT_DEFAULTS.get(slot, PeriodType.WEEKLY)
    period = UsagePeriod(
        _period_name(period_type, seconds, label),
        utilization,
        period_type,
        window_resets_at(window, base),
        label,
    )
    return period, seconds


def limit_windows(
    group: Any,
    base: datetime,
    label: Optional[str] = None,
    reader: Optional[WindowReader] = None,
) -> List[Tuple[UsagePeriod, Optional[float]]]:
    """The primary and secondary windows of one limit (``rate_limit`` and its relatives)."""
    if not isinstance(group, dict):
        return []
    found = []
    for slot, keys in _SLOTS:
        window = _first(group, keys)
        period = window_period(window, slot, base, label, reader)
        if period is not None:
            found.append(period)
    return found


def limit_periods(
    group: Any,
    base: datetime,
    label: Optional[str] = None,
    reader: Optional[WindowReader] = None,
) -> List[UsagePeriod]:
    return [period for period, _ in limit_windows(group, base, label, reader)]


# --- credits, plan, identity ---------------------------------------------------------------


def parse_credits(value: Any) -> Optional[OverageUsage]:
    """Prepaid credits as an overage in ``credits``.

    ``balance`` comes as a number or a string. Unlimited credits have no meaningful
    balance: they are said as ``unlimited``, with no amount made up.
    """
    if not isinstance(value, dict):
        return None
    if value.get("unlimited") is True:
        return OverageUsage(None, None, "credits", True, unlimited=True)
    balance = to_decimal(value.get("balance"))
    if balance is None or abs(balance) >= MAX_CENTS / 100:  # absent, or garbage not money
        return None
    has_credits = _first(value, ("has_credits", "hasCredits"))
    enabled = has_credits if isinstance(has_credits, bool) else balance > 0
    return OverageUsage(
        used=None, limit=None, currency="credits", is_enabled=enabled, balance=balance
    )


def plan_name(plan_type: Any) -> Optional[str]:
    """``plus`` -> ``Plus``; unknown plan types are humanised rather than dropped."""
    if not isinstance(plan_type, str) or not plan_type.strip():
        return None
    key = plan_type.strip().lower()
    if key == "unknown":
        return None
    if key in _PLANS:
        return _PLANS[key]
    return " ".join(part.capitalize() for part in key.replace("-", "_").split("_") if part)


def _identity(email: Optional[str], plan: Optional[str]) -> Optional[ProviderIdentity]:
    if email is None and plan is None:
        return None
    return ProviderIdentity(email=email, plan=plan)


def parse_reset_credits(payload: Any) -> Optional[int]:
    """How many rate-limit resets the account may still redeem (``rate_limit_resets_available``).

    ``rate_limit_reset_credits.available_count`` (endpoint) or
    ``rateLimitResetCredits.availableCount`` (app-server); None when absent.
    """
    if not isinstance(payload, dict):
        return None
    summary = _first(payload, ("rate_limit_reset_credits", "rateLimitResetCredits"))
    if not isinstance(summary, dict):
        return None
    count = to_decimal(_first(summary, ("available_count", "availableCount")))
    if count is None or not 0 <= count <= 10**6 or count != count.to_integral_value():
        return None  # absent, or not a plausible count
    return int(count)


def _snapshot(
    periods: List[UsagePeriod],
    credits: Any,
    plan_type: Any,
    email: Optional[str],
    fetched_at: datetime,
    source: str,
    reset_credits: Optional[int] = None,
    reader: Optional[WindowReader] = None,
) -> UsageSnapshot:
    """The snapshot; the parse error when windows were sent and none could be read."""
    notes: Tuple[str, ...] = ()
    if reader is not None:
        reader.periods.extend(periods)
        reader.check()
        notes = tuple(reader.notes)
    overage = parse_credits(credits)
    return UsageSnapshot(
        provider=PROVIDER_ID,
        fetched_at=fetched_at,
        periods=periods_tuple(periods),
        overage=overage,
        identity=_identity(email, plan_name(plan_type)),
        source=source,
        reset_credits=reset_credits,
        notes=notes,
    )


# --- oauth: the usage endpoint -------------------------------------------------------------

_USAGE_KEYS = (
    "rate_limit",
    "rate_limits",
    "plan_type",
    "credits",
    "additional_rate_limits",
    "code_review_rate_limit",
)


def parse_usage(
    payload: Any, now: datetime, *, email: Optional[str] = None, source: str = "oauth"
) -> UsageSnapshot:
    """Map a ``wham/usage`` answer (current or older shape) to a snapshot.

    ``email`` is the login's address when the answer has none of its own.
    """
    if not isinstance(payload, dict):
        raise parse_error(NAME, f"expected an object, got {type(payload).__name__}")
    if not any(key in payload for key in _USAGE_KEYS):
        raise parse_error(NAME, "no rate limits in the response")
    reader = WindowReader(NAME)
    main = payload.get("rate_limit")
    if not isinstance(main, dict):
        main = payload.get("rate_limits")
    periods = limit_periods(main, now, reader=reader)
    review = payload.get("code_review_rate_limit")
    if isinstance(review, dict) and isinstance(review.get("rate_limit"), dict):
        review = review["rate_limit"]
    periods += limit_periods(review, now, CODE_REVIEW, reader)
    extras = payload.get("additional_rate_limits")
    if isinstance(extras, list):
        for extra in extras:
            if not isinstance(extra, dict):
                continue
            label = opt_str(extra.get("limit_name")) or opt_str(extra.get("metered_feature"))
            group = extra.get("rate_limit") if isinstance(extra.get("rate_limit"), dict) else extra
            periods += limit_periods(group, now, label or "Additional limit", reader)
    return _snapshot(
        periods,
        payload.get("credits"),
        payload.get("plan_type"),
        opt_str(payload.get("email")) or email,
        now,
        source,
        parse_reset_credits(payload),
        reader,
    )


# --- cli: the app-server -------------------------------------------------------------------


def parse_app_server(
    result: Any, now: datetime, *, account: Any = None, source: str = "cli"
) -> UsageSnapshot:
    """Map the ``account/rateLimits/read`` result (and ``account/read``'s) to a snapshot.

    The main limit is ``rateLimitsByLimitId.codex`` (else the single-bucket ``rateLimits``);
    every other limit id becomes extra periods named after its ``limitName``.
    """
    if not isinstance(result, dict):
        raise parse_error(NAME, f"expected a rate-limits object, got {type(result).__name__}")
    by_id = result.get("rateLimitsByLimitId")
    by_id = by_id if isinstance(by_id, dict) else {}
    main = by_id.get(MAIN_LIMIT_ID)
    if not isinstance(main, dict):
        main = result.get("rateLimits")
    if not isinstance(main, dict):
        raise parse_error(NAME, "no rateLimits in the app-server answer")
    reader = WindowReader(NAME)
    periods = limit_periods(main, now, reader=reader)
    main_id = opt_str(main.get("limitId")) or MAIN_LIMIT_ID
    for limit_id, other in by_id.items():
        if limit_id == main_id or other is main or not isinstance(other, dict):
            continue
        label = opt_str(other.get("limitName")) or opt_str(limit_id) or "Additional limit"
        periods += limit_periods(other, now, label, reader)
    info = account.get("account") if isinstance(account, dict) else None
    info = info if isinstance(info, dict) else {}
    plan_type = main.get("planType") or info.get("planType")
    return _snapshot(
        periods,
        main.get("credits"),
        plan_type,
        opt_str(info.get("email")),
        now,
        source,
        parse_reset_credits(result),
        reader,
    )


# --- local: session logs -------------------------------------------------------------------

#: The oldest log format's flat fields: ``primary_used_percent``, ``secondary_window_minutes``...
_FLAT_FIELDS = ("used_percent", "window_minutes", "resets_in_seconds", "resets_at")


def token_count_rate_limits(event: Any) -> Optional[Dict[str, Any]]:
    """The ``rate_limits`` of a ``token_count`` log line, or None for any other line."""
    if not isinstance(event, dict):
        return None
    payload = event.get("payload")
    if not isinstance(payload, dict):
        payload = event
    if payload.get("type") != "token_count":
        return None
    limits = payload.get("rate_limits")
    return limits if isinstance(limits, dict) and limits else None


def event_limit_id(rate_limits: Mapping[str, Any]) -> str:
    """The limit an event describes (events before limit ids describe the main limit)."""
    return opt_str(rate_limits.get("limit_id")) or MAIN_LIMIT_ID


def _nested(rate_limits: Dict[str, Any]) -> Dict[str, Any]:
    """The oldest log format kept flat fields (``primary_used_percent``): nest them."""
    if any(isinstance(rate_limits.get(slot), dict) for slot, _ in _SLOTS):
        return rate_limits
    nested = dict(rate_limits)
    for slot, _ in _SLOTS:
        window = {
            field: rate_limits[f"{slot}_{field}"]
            for field in _FLAT_FIELDS
            if rate_limits.get(f"{slot}_{field}") is not None
        }
        if window:
            nested[slot] = window
    return nested


def _still_known(
    period: UsagePeriod, seconds: Optional[float], observed: datetime, now: datetime
) -> bool:
    """False only for a window with no reset time that has certainly ended since the
    observation: nothing could mark it as reset. A window with a reset time is kept, and
    the model tells when that reset has passed."""
    if period.resets_at is not None or seconds is None:
        return True
    try:
        return observed + timedelta(seconds=seconds) > now
    except OverflowError:  # an absurd window length: it has not ended, then
        return True


def rollout_periods(
    rate_limits: Dict[str, Any],
    observed: datetime,
    now: datetime,
    label: Optional[str] = None,
    reader: Optional[WindowReader] = None,
) -> List[UsagePeriod]:
    """The windows of one ``rate_limits`` record, those whose reset has passed included.

    Relative ``resets_in_seconds`` count from ``observed`` (the line's timestamp).
    """
    found = limit_windows(_nested(rate_limits), observed, label, reader)
    return [period for period, seconds in found if _still_known(period, seconds, observed, now)]


def parse_rollout_event(
    event: Any,
    now: datetime,
    *,
    observed_at: Optional[datetime] = None,
    extras: Tuple[Any, ...] = (),
    source: str = "local",
) -> UsageSnapshot:
    """A snapshot from a session log's ``token_count`` line, as of that line's timestamp.

    ``observed_at`` stands in when the line has no usable timestamp (the file's mtime).
    ``extras`` are newer ``token_count`` lines of other limit ids (per-model limits).
    Windows that have reset by ``now`` are kept; the model marks them as reset.
    """
    rate_limits = token_count_rate_limits(event)
    if rate_limits is None:
        raise parse_error(NAME, "not a token_count line with rate limits")
    observed = parse_iso(event.get("timestamp")) or observed_at or now
    limit_id = event_limit_id(rate_limits)
    label = None if limit_id == MAIN_LIMIT_ID else _limit_label(rate_limits)
    reader = WindowReader(NAME)
    periods = rollout_periods(rate_limits, observed, now, label, reader)
    for extra in extras:
        extra_limits = token_count_rate_limits(extra)
        if extra_limits is None or event_limit_id(extra_limits) == limit_id:
            continue
        extra_observed = parse_iso(extra.get("timestamp")) or observed
        extra_label = _limit_label(extra_limits)
        periods += rollout_periods(extra_limits, extra_observed, now, extra_label, reader)
    return _snapshot(
        periods,
        rate_limits.get("credits"),
        rate_limits.get("plan_type"),
        None,
        observed,
        source,
        reader=reader,
    )


def _limit_label(rate_limits: Mapping[str, Any]) -> str:
    return (
        opt_str(rate_limits.get("limit_name"))
        or opt_str(rate_limits.get("limit_id"))
        or "Additional limit"
    )
