"""Antigravity's quota answers -> a snapshot; pure, defensive.

One shape everywhere, SUMMARY (``RetrieveUserQuotaSummary``): groups of models, each with
buckets of one ``window`` (``5h`` or ``weekly``) and a ``remainingFraction`` (0–1, what is
**left**). The local server wraps it in ``response``, agy 1.3 puts it under
``command.data`` in snake_case, Cloud Code sends it at the root. Older servers answer only
``GetUserStatus``: per-model fractions of the 5-hour pools, folded into the two groups. agy
also prints a TSV form: group, label, percent **remaining** (or ``disabled``), reset.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from ...errors import ErrorCategory, VibeusageError, parse_error
from ...kit.windows import WindowReader
from ...models import (
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    percent_used,
    percent_used_from_remaining_fraction,
    periods_tuple,
    to_decimal,
)
from ...timeparse import from_epoch, parse_iso
from .local import NAME

GEMINI_GROUP = "Gemini Models"
OTHER_GROUP = "Claude and GPT models"
_OK_CODES = (0, "0", "ok", "success")
#: Longest group or bucket name kept (a name is text for a person, not a payload).
MAX_NAME = 80


def parse_summary(
    payload: Any,
    now: datetime,
    source: str,
    identity: Optional[ProviderIdentity] = None,
) -> UsageSnapshot:
    """The snapshot of a SUMMARY at the root or under ``response``/``summary``/``command.data``."""
    summary = unwrap_summary(payload)
    groups = summary.get("groups")
    if not isinstance(groups, list):
        raise parse_error(NAME, "the quota summary has no groups")
    periods: List[UsagePeriod] = []
    windows = WindowReader(NAME)
    for group in groups:
        if not isinstance(group, dict):
            windows.broken("A quota group could not be read")
            continue
        name = _name(group.get("displayName"), group.get("name")) or "Models"
        buckets = group.get("buckets")
        for bucket in buckets if isinstance(buckets, list) else ():
            period = _bucket_period(bucket, name, now, windows)
            if period is not None:
                periods.append(period)
    return _snapshot(periods, windows, now, source, identity)


def unwrap_summary(payload: Any) -> Dict[str, Any]:
    """The SUMMARY object inside any of its wrappers; raises for a ``code`` that is not OK."""
    if not isinstance(payload, dict):
        raise parse_error(NAME, "the quota summary is not a JSON object")
    check_code(payload)
    command = payload.get("command")
    candidates = (
        command.get("data") if isinstance(command, dict) else None,
        payload.get("response"),
        payload.get("summary"),
        payload,
    )
    for candidate in candidates:
        if isinstance(candidate, dict) and "groups" in candidate:
            check_code(candidate)
            return candidate
    raise parse_error(NAME, "no quota summary in the answer")


def check_code(payload: Dict[str, Any]) -> None:
    """Raise the error a ``code`` other than 0/"ok" stands for."""
    code = payload.get("code")
    if code is None or isinstance(code, bool):
        return
    if (code.strip().lower() if isinstance(code, str) else code) in _OK_CODES:
        return
    message = payload.get("message")
    text = message if isinstance(message, str) and message.strip() else str(code)
    detail = " ".join(text.split())[:160]
    category = ErrorCategory.PROVIDER
    if isinstance(code, str) and code.strip().lower() in ("unauthenticated", "permission_denied"):
        category = ErrorCategory.AUTHENTICATION
    raise VibeusageError(f"Antigravity answered with an error: {detail}", category)


def _bucket_period(
    bucket: Any, group: str, now: datetime, windows: WindowReader
) -> Optional[UsagePeriod]:
    if not isinstance(bucket, dict):
        windows.broken(f"A bucket of {group} could not be read")
        return None
    label = _name(bucket.get("displayName"), bucket.get("name"))
    bucket_id = _name(bucket.get("bucketId"), bucket.get("id"))
    shown = f"{group}: {label or bucket_id or 'a bucket'}"
    if bucket.get("disabled") is True:
        windows.note(f"{shown}: disabled")
        return None
    kind = window_type(bucket.get("window"), bucket_id, label)
    if kind is None:
        windows.note(f"{shown}: unknown window")
        return None
    fraction = _fraction(bucket)
    if fraction is None:
        windows.broken(f"{shown}: no remaining fraction")
        return None
    utilization = percent_used_from_remaining_fraction(fraction)
    if utilization is None:
        windows.broken(f"{shown}: remaining fraction not readable")
        return None
    resets_at = reset_time(_first(bucket, "resetTime", "reset_time"))
    return _period(kind, group, utilization, resets_at, untouched=fraction >= 1)


def window_type(
    window: Any, bucket_id: Optional[str], label: Optional[str]
) -> Optional[PeriodType]:
    """``session`` for a 5-hour bucket, ``weekly`` for a weekly one, None for anything else."""
    text = window.strip().lower() if isinstance(window, str) else ""
    if text in ("5h", "five_hour", "5_hours"):
        return PeriodType.SESSION
    if text in ("weekly", "week", "7d"):
        return PeriodType.WEEKLY
    if text:
        return None
    ident = (bucket_id or "").lower()
    name = (label or "").lower()
    if ident.endswith("-5h") or name.startswith("five hour"):
        return PeriodType.SESSION
    if ident.endswith("-weekly") or name.startswith("weekly"):
        return PeriodType.WEEKLY
    return None


def _period(
    kind: PeriodType,
    group: str,
    utilization: int,
    resets_at: Optional[datetime],
    untouched: bool,
) -> UsagePeriod:
    if kind is PeriodType.SESSION:
        # An untouched 5-hour bucket's reset slides (always ~5 h ahead): it means nothing.
        return UsagePeriod(
            f"Session ({group})", utilization, kind, None if untouched else resets_at, group
        )
    return UsagePeriod(f"Weekly ({group})", utilization, kind, resets_at, group)


def _fraction(bucket: Dict[str, Any]) -> Optional[Decimal]:
    value = _first(bucket, "remainingFraction", "remaining_fraction")
    remaining = bucket.get("remaining")
    if value is None and isinstance(remaining, dict):
        value = remaining.get("remainingFraction")
        if value is None and remaining.get("case") == "remainingFraction":
            value = remaining.get("value")
    number = to_decimal(value)
    if number is None or not Decimal(0) <= number <= Decimal(1):
        return None
    return number


def reset_time(value: Any) -> Optional[datetime]:
    """An ISO reset time (``…Z``), or epoch seconds as a number or numeric string."""
    if isinstance(value, str):
        parsed = parse_iso(value)
        if parsed is not None:
            return parsed
    seconds = to_decimal(value)
    if seconds is None or not Decimal("1e9") <= seconds <= Decimal("4.1e9"):
        return None
    return from_epoch(float(seconds))


# --- legacy GetUserStatus / GetCommandModelConfigs ---------------------------------------------


def parse_user_status(payload: Any, now: datetime, source: str) -> UsageSnapshot:
    """The snapshot of a legacy ``GetUserStatus``: per-model 5-hour fractions in two pools."""
    if not isinstance(payload, dict):
        raise parse_error(NAME, "the user status is not a JSON object")
    check_code(payload)
    status = payload.get("userStatus")
    if not isinstance(status, dict):
        raise parse_error(NAME, "the user status has no userStatus")
    data = status.get("cascadeModelConfigData")
    configs = data.get("clientModelConfigs") if isinstance(data, dict) else None
    return parse_model_configs(configs, now, source, user_identity(payload))


def parse_model_configs(
    configs: Any, now: datetime, source: str, identity: Optional[ProviderIdentity] = None
) -> UsageSnapshot:
    """Model configs (``clientModelConfigs``) folded into the Gemini and the other pool.

    Every model of a pool repeats the pool's 5-hour fraction; the lowest one (and its reset)
    stands for the pool.
    """
    if not isinstance(configs, list):
        raise parse_error(NAME, "no model configurations in the answer")
    pools: Dict[str, Tuple[Decimal, Optional[datetime]]] = {}
    windows = WindowReader(NAME)
    for config in configs:
        if not isinstance(config, dict):
            continue
        label = _name(config.get("label")) or "a model"
        quota = config.get("quotaInfo")
        fraction = _fraction(quota) if isinstance(quota, dict) else None
        if fraction is None:
            windows.broken(f"{label}: no remaining fraction")
            continue
        pool = GEMINI_GROUP if label.lower().startswith("gemini") else OTHER_GROUP
        reset = reset_time(quota.get("resetTime")) if isinstance(quota, dict) else None
        if pool not in pools or fraction < pools[pool][0]:
            pools[pool] = (fraction, reset)
    periods = []
    for pool in (GEMINI_GROUP, OTHER_GROUP):
        if pool in pools:
            fraction, reset = pools[pool]
            utilization = percent_used_from_remaining_fraction(fraction)
            assert utilization is not None  # a checked fraction in 0..1
            periods.append(_period(PeriodType.SESSION, pool, utilization, reset, fraction >= 1))
    return _snapshot(periods, windows, now, source, identity)


def user_identity(payload: Any) -> Optional[ProviderIdentity]:
    """Email and plan from a ``GetUserStatus`` answer (None when it names neither)."""
    status = payload.get("userStatus") if isinstance(payload, dict) else None
    if not isinstance(status, dict):
        return None
    tier = status.get("userTier")
    plan = _name(tier.get("name")) if isinstance(tier, dict) else None
    if plan is None:
        plan_status = status.get("planStatus")
        info = plan_status.get("planInfo") if isinstance(plan_status, dict) else None
        plan = _name(info.get("planName")) if isinstance(info, dict) else None
    email = _name(status.get("email"))
    if email is None and plan is None:
        return None
    return ProviderIdentity(email=email, plan=plan)


# --- agy's TSV ----------------------------------------------------------------------------------


def parse_tsv(text: Any, now: datetime, source: str) -> UsageSnapshot:
    """agy's ``response`` text: ``group<TAB>label<TAB>NN% remaining<TAB>reset`` per line."""
    if not isinstance(text, str):
        raise parse_error(NAME, "agy's response is not text")
    periods: List[UsagePeriod] = []
    windows = WindowReader(NAME)
    for line in text.splitlines():
        if not line.strip():
            continue
        columns = [column.strip() for column in line.split("\t")]
        if len(columns) < 3:
            windows.broken("A line of agy's quota could not be read")
            continue
        group, label, remaining = columns[0][:MAX_NAME], columns[1][:MAX_NAME], columns[2]
        shown = f"{group}: {label}"
        if remaining.lower() == "disabled":
            windows.note(f"{shown}: disabled")
            continue
        kind = window_type(None, None, label)
        left = percent_used(remaining[:-1]) if remaining.endswith("%") else None
        if kind is None:
            windows.note(f"{shown}: unknown window")
            continue
        if left is None:
            windows.broken(f"{shown}: unreadable")
            continue
        resets_at = reset_time(columns[3]) if len(columns) > 3 else None
        periods.append(_period(kind, group, 100 - left, resets_at, untouched=left >= 100))
    return _snapshot(periods, windows, now, source, None)


# --- shared -------------------------------------------------------------------------------------


def _snapshot(
    periods: List[UsagePeriod],
    windows: WindowReader,
    now: datetime,
    source: str,
    identity: Optional[ProviderIdentity],
) -> UsageSnapshot:
    for period in periods:
        windows.add(period)
    windows.check()
    if not periods and not windows.notes:
        raise parse_error(NAME, "no quota in the answer")
    return UsageSnapshot(
        provider="antigravity",
        fetched_at=now,
        periods=periods_tuple(periods),
        identity=identity,
        source=source,
        notes=tuple(windows.notes),
    )


def _first(data: Dict[str, Any], *keys: str) -> Any:
    for key in keys:
        if data.get(key) is not None:
            return data[key]
    return None


def _name(*values: Any) -> Optional[str]:
    for value in values:
        if isinstance(value, str) and value.strip():
            return value.strip()[:MAX_NAME]
    return None
