"""Pure parsers for Gemini Code Assist's answers: quota buckets, tier and plan, the id token.

See PROVIDERS.md (Gemini): ``retrieveUserQuota`` sends ``{buckets: [{modelId,
remainingFraction (0-1, REMAINING), resetTime (ISO), tokenType}]}``; ``loadCodeAssist``
sends ``{currentTier: {id, name}, paidTier: {id, name}?, cloudaicompanionProject}``.
"""

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Dict, List, Optional, Tuple

from ...errors import parse_error
from ...kit.values import jwt_claims, opt_str
from ...kit.windows import WindowReader
from ...models import (
    PeriodType,
    ProviderIdentity,
    UsagePeriod,
    UsageSnapshot,
    percent_used_from_remaining_fraction,
    to_decimal,
)
from ...timeparse import parse_iso

NAME = "Gemini"

#: Per-model buckets also come as ``<model>_vertex``: the same model's quota on Vertex.
_VARIANT_SUFFIX = re.compile(r"_vertex$", re.IGNORECASE)

#: Tier ids that have a short, well-known plan name (the API's names are long or vague).
TIER_PLANS = {
    "free-tier": "Free",
    "standard-tier": "Standard",
    "legacy-tier": "Legacy",
}

_PERIOD_LABELS = {
    PeriodType.SESSION: "Session",
    PeriodType.DAILY: "Daily",
    PeriodType.WEEKLY: "Weekly",
    PeriodType.MONTHLY: "Monthly",
}

#: Domains of personal (consumer) Google accounts.
CONSUMER_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


# --- quota ------------------------------------------------------------------------------


def parse_quota(
    payload: Any,
    now: datetime,
    *,
    identity: Optional[ProviderIdentity] = None,
    source: str = "oauth",
) -> UsageSnapshot:
    """Map a ``retrieveUserQuota`` answer to one period per model.

    A model may have several buckets (``_vertex`` variants, token types): the lowest
    remaining fraction wins, with that bucket's reset time. A bucket without a usable
    ``remainingFraction`` is skipped, as the Gemini CLI itself does (unknown is not 100 %).
    ``{}`` is an empty bucket list (protobuf JSON leaves empty lists out).
    """
    if not isinstance(payload, dict):
        raise parse_error(NAME, f"expected an object, got {type(payload).__name__}")
    buckets = payload.get("buckets")
    if buckets is None:
        buckets = []
    if not isinstance(buckets, list):
        raise parse_error(NAME, f"`buckets` is {type(buckets).__name__}, not a list")
    windows = WindowReader(NAME)
    lowest: Dict[str, Tuple[Decimal, Optional[datetime]]] = {}
    for index, bucket in enumerate(buckets):
        if not isinstance(bucket, dict):
            continue
        model = base_model(bucket.get("modelId"))
        sent = bucket.get("remainingFraction")
        fraction = _fraction(sent)
        if fraction is None and sent is not None:
            windows.unreadable(model or f"bucket {index + 1}", "remainingFraction", sent)
        if model is None or fraction is None:
            continue
        resets_at = parse_iso(bucket.get("resetTime"))
        known = lowest.get(model)
        if known is None or fraction < known[0]:
            lowest[model] = (fraction, resets_at if resets_at is not None else _reset(known))
        elif known[1] is None and resets_at is not None:
            lowest[model] = (known[0], resets_at)
    for model, (fraction, resets_at) in lowest.items():
        utilization = percent_used_from_remaining_fraction(fraction)
        if utilization is None:  # pragma: no cover - to_decimal gave a finite number
            continue
        period_type = period_type_for_reset(resets_at, now)
        name = f"{_PERIOD_LABELS[period_type]} ({model_display_name(model)})"
        windows.add(UsagePeriod(name, utilization, period_type, resets_at, model))
    periods, notes = windows.done()
    return UsageSnapshot(
        provider="gemini",
        fetched_at=now,
        periods=periods,
        identity=identity,
        source=source,
        notes=notes,
    )


def _fraction(value: Any) -> Optional[Decimal]:
    """A remaining fraction clamped to 0-1 (beyond it, the arithmetic could overflow)."""
    number = to_decimal(value)
    if number is None:
        return None
    return max(Decimal(0), min(Decimal(1), number))


def _reset(known: Optional[Tuple[Decimal, Optional[datetime]]]) -> Optional[datetime]:
    return None if known is None else known[1]


def base_model(model_id: Any) -> Optional[str]:
    """The model a bucket belongs to: ``gemini-2.0-flash_vertex`` -> ``gemini-2.0-flash``."""
    if not isinstance(model_id, str):
        return None
    model = _VARIANT_SUFFIX.sub("", model_id.strip())
    return model or None


def period_type_for_reset(resets_at: Optional[datetime], now: datetime) -> PeriodType:
    """Classify a window by the distance to its reset (the API sends no window length).

    A reset within 24 hours is a daily window (the Code Assist quotas are daily); a
    farther one is classified by :meth:`PeriodType.from_seconds`. Without a reset time,
    or one already past, the quota is taken as daily.
    """
    if resets_at is None:
        return PeriodType.DAILY
    distance = resets_at - now
    if distance <= timedelta(hours=24):
        return PeriodType.DAILY
    return PeriodType.from_seconds(distance.total_seconds())


def model_display_name(model: str) -> str:
    """``gemini-2.5-flash-lite`` -> ``Gemini 2.5 Flash Lite`` (digits and versions kept)."""
    words = [part for part in re.split(r"[-_\s]+", model) if part]
    shown = [word.capitalize() if word.isalpha() else word for word in words]
    return " ".join(shown) or model


# --- loadCodeAssist ---------------------------------------------------------------------


@dataclass(frozen=True)
class CodeAssist:
    """What ``loadCodeAssist`` says about the account."""

    project: Optional[str]
    tier_id: Optional[str]
    plan: Optional[str]
    #: Why the account may not use Code Assist (``ineligibleTiers[].reasonMessage``).
    ineligible_reasons: Tuple[str, ...] = ()

    @property
    def has_tier(self) -> bool:
        return self.tier_id is not None or self.plan is not None

    @property
    def is_free_tier(self) -> bool:
        return self.tier_id == "free-tier"


def parse_code_assist(payload: Any) -> CodeAssist:
    """Project, tier and plan from a ``loadCodeAssist`` answer."""
    if not isinstance(payload, dict):
        raise parse_error(NAME, f"expected an object, got {type(payload).__name__}")
    current = _table(payload.get("currentTier"))
    paid = _table(payload.get("paidTier"))
    tier_id = opt_str(paid.get("id")) or opt_str(current.get("id"))
    reasons: List[str] = []
    ineligible = payload.get("ineligibleTiers")
    if isinstance(ineligible, list):
        for tier in ineligible:
            entry = _table(tier)
            reason = opt_str(entry.get("reasonMessage")) or opt_str(entry.get("reasonCode"))
            if reason and reason not in reasons:
                reasons.append(reason)
    return CodeAssist(
        project=_project(payload.get("cloudaicompanionProject")),
        tier_id=tier_id,
        plan=plan_name(payload),
        ineligible_reasons=tuple(reasons),
    )


def plan_name(payload: Any) -> Optional[str]:
    """``paidTier.name``; else the current tier (``standard-tier`` -> Standard, ...).

    A known tier id gives a short name ("Free"); an unknown one falls back to the tier's
    own name, then to its id.
    """
    if not isinstance(payload, dict):
        return None
    paid = _table(payload.get("paidTier"))
    current = _table(payload.get("currentTier"))
    paid_name = opt_str(paid.get("name"))
    if paid_name:
        return paid_name
    for tier in (paid, current):
        tier_id = opt_str(tier.get("id"))
        if tier_id and tier_id.lower() in TIER_PLANS:
            return TIER_PLANS[tier_id.lower()]
    current_name = opt_str(current.get("name"))
    if current_name:
        return current_name
    tier_id = opt_str(paid.get("id")) or opt_str(current.get("id"))
    return _humanise_tier(tier_id) if tier_id else None


def _humanise_tier(tier_id: str) -> str:
    words = [w for w in re.split(r"[-_\s]+", tier_id) if w and w.lower() != "tier"]
    return " ".join(w.capitalize() for w in words) or tier_id


def _project(value: Any) -> Optional[str]:
    """``cloudaicompanionProject`` is a string here, ``{id, name}`` in onboarding answers."""
    if isinstance(value, dict):
        value = value.get("id")
    return opt_str(value)


# --- id token ---------------------------------------------------------------------------


def email_from_id_token(id_token: Any) -> Optional[str]:
    """The ``email`` claim of a Google id token (a JWT), read without verifying it.

    Only used to show whose quota this is; anything unreadable gives None.
    """
    claims = jwt_claims(id_token) if isinstance(id_token, str) else None
    email = claims.get("email") if claims is not None else None
    if not isinstance(email, str) or "@" not in email or len(email) > 320:
        return None
    return email.strip() or None


def is_consumer_email(email: Optional[str]) -> bool:
    """True for a personal Google account (``@gmail.com``)."""
    if not email or "@" not in email:
        return False
    return email.rsplit("@", 1)[1].strip().lower() in CONSUMER_DOMAINS


# --- helpers ----------------------------------------------------------------------------


def _table(value: Any) -> Dict[str, Any]:
    return value if isinstance(value, dict) else {}
