"""The normalised data model every provider maps into, and its JSON form (schema version 1)."""

import enum
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .timeparse import parse_iso

SCHEMA_VERSION = 1

#: Amounts at or beyond this many cents are garbage, not money (and would overflow Decimal).
MAX_CENTS = Decimal(10) ** 18

#: Below this share of a window elapsed, a pace ratio says more about noise than usage.
MIN_ELAPSED_FOR_PACE = 0.10


class PeriodType(str, enum.Enum):
    """Length class of a rate-limit window."""

    SESSION = "session"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"

    @property
    def duration(self) -> timedelta:
        return _DURATIONS[self]

    @classmethod
    def from_seconds(cls, seconds: float) -> "PeriodType":
        """Classify a window by its real length (5 h, 24 h, 7 d, else monthly)."""
        if seconds <= 6 * 3600:
            return cls.SESSION
        if seconds <= 36 * 3600:
            return cls.DAILY
        if seconds <= 10 * 86400:
            return cls.WEEKLY
        return cls.MONTHLY


_DURATIONS = {
    PeriodType.SESSION: timedelta(hours=5),
    PeriodType.DAILY: timedelta(hours=24),
    PeriodType.WEEKLY: timedelta(days=7),
    PeriodType.MONTHLY: timedelta(days=30),
}


class StatusLevel(str, enum.Enum):
    """Health of a provider as its status page reports it."""

    OPERATIONAL = "operational"
    DEGRADED = "degraded"
    PARTIAL_OUTAGE = "partial_outage"
    MAJOR_OUTAGE = "major_outage"
    UNKNOWN = "unknown"


#: Controls (C0, DEL, C1) from outside become this: an ESC from a provider must never reach
#: a terminal, and a CR or LF must not forge a table row.
_CONTROLS = {code: "\ufffd" for code in (*range(0x20), *range(0x7F, 0xA0))}
_CONTROLS.update({ord("\t"): " ", ord("\n"): " ", ord("\r"): " "})


def printable(text: str) -> str:
    """``text`` with every control character neutralised (whitespace ones become a space)."""
    return text.translate(_CONTROLS)


def _printable_or_none(value: Optional[str]) -> Optional[str]:
    return None if value is None else printable(value)


def to_decimal(value: Any) -> Optional[Decimal]:
    """A finite Decimal from an int, float or numeric string; None for anything else."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)  # shortest round-tripping text: 0.9 stays 0.9
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def percent_used(value: Any) -> Optional[int]:
    """Whole percent used (floored, clamped to 0–100) from a percent value such as ``45.7``."""
    number = to_decimal(value)
    if number is None:
        return None
    if number >= 100:
        return 100
    if number <= 0:
        return 0
    # Round away binary noise (9.999999999999998) before flooring.
    number = number.quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)
    whole = int(number.to_integral_value(rounding=ROUND_FLOOR))
    return max(0, min(100, whole))


def percent_used_from_remaining_fraction(value: Any) -> Optional[int]:
    """Whole percent used from a fraction *remaining* in 0–1 (0.9 remaining -> 10 used)."""
    fraction = to_decimal(value)
    if fraction is None:
        return None
    fraction = min(max(fraction, Decimal(0)), Decimal(1))  # also keeps the arithmetic finite
    return percent_used((Decimal(1) - fraction) * 100)


def cents_to_major(value: Any) -> Optional[Decimal]:
    """Money in cents (number or string) to major units with two decimals."""
    number = to_decimal(value)
    if number is None or number.copy_abs() >= MAX_CENTS:  # copy_abs cannot overflow
        return None
    return (number / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class UsagePeriod:
    """One rate-limit window: how much of it is used and when it resets."""

    name: str
    utilization: int
    period_type: PeriodType
    resets_at: Optional[datetime] = None
    model: Optional[str] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "utilization", max(0, min(100, int(self.utilization))))
        object.__setattr__(self, "name", printable(self.name))
        object.__setattr__(self, "model", _printable_or_none(self.model))

    def remaining(self) -> int:
        return 100 - self.utilization

    def reset_elapsed(self, now: datetime) -> bool:
        """Whether the window's reset time has passed: its figure is the last reading before
        the reset, not current usage."""
        return self.resets_at is not None and self.resets_at <= now

    def as_of(self, now: datetime) -> "UsagePeriod":
        """The window as it stands at ``now``: a window whose reset has passed is 0 % used."""
        if not self.reset_elapsed(now) or self.utilization == 0:
            return self
        return replace(self, utilization=0)

    def time_until_reset(self, now: datetime) -> Optional[timedelta]:
        """Time left until the window resets (never negative), or None when unknown."""
        if self.resets_at is None:
            return None
        return max(self.resets_at - now, timedelta(0))

    def elapsed_ratio(self, now: datetime) -> Optional[float]:
        """Share of the window already elapsed, 0.0–1.0, or None without a reset time."""
        if self.resets_at is None:
            return None
        duration = self.period_type.duration
        try:
            start = self.resets_at - duration
        except OverflowError:  # a reset near year 1: no meaningful window
            return None
        ratio = (now - start) / duration
        return max(0.0, min(1.0, ratio))

    def pace_ratio(self, now: datetime) -> Optional[float]:
        """Usage relative to time elapsed: 1.0 is on track to use exactly 100 % at reset.

        None when the reset time is unknown, under 10 % of the window has elapsed (too
        early to tell), or the window has already reset (the figure belongs to a window
        that is over).
        """
        elapsed = self.elapsed_ratio(now)
        if elapsed is None or elapsed < MIN_ELAPSED_FOR_PACE or elapsed >= 1.0:
            return None
        return (self.utilization / 100.0) / elapsed

    def to_dict(self, now: datetime) -> Dict[str, Any]:
        pace = self.pace_ratio(now)
        return {
            "name": self.name,
            "utilization": self.utilization,
            "remaining": self.remaining(),
            "period_type": self.period_type.value,
            "resets_at": _iso(self.resets_at),
            "model": self.model,
            "pace_ratio": None if pace is None else round(pace, 2),
            "reset_elapsed": self.reset_elapsed(now),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "UsagePeriod":
        utilization = percent_used(data.get("utilization"))
        if utilization is None or not isinstance(data.get("name"), str):
            raise ValueError("period needs a name and a utilization")
        model = data.get("model")
        return cls(
            name=data["name"],
            utilization=utilization,
            period_type=PeriodType(data.get("period_type")),
            resets_at=parse_iso(data.get("resets_at")),
            model=model if isinstance(model, str) else None,
        )


@dataclass(frozen=True)
class OverageUsage:
    """Usage beyond the plan: money (major units) or credits.

    ``used`` is what was spent this cycle and ``limit`` its cap (None = no cap); a prepaid
    scheme reports its ``balance`` instead (what is left). Unknown amounts are None.
    """

    used: Optional[Decimal]
    limit: Optional[Decimal]
    currency: str = "USD"
    is_enabled: bool = True
    balance: Optional[Decimal] = None
    #: No cap and no balance to speak of (e.g. Codex's unlimited credits).
    unlimited: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "currency", printable(self.currency))

    def to_dict(self) -> Dict[str, Any]:
        return {
            "used": _opt_money(self.used),
            "limit": _opt_money(self.limit),
            "currency": self.currency,
            "is_enabled": self.is_enabled,
            "balance": _opt_money(self.balance),
            "unlimited": self.unlimited,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "OverageUsage":
        amounts = [to_decimal(data.get(key)) for key in ("used", "limit", "balance")]
        used, limit, balance = amounts
        unlimited = data.get("unlimited") is True
        if used is None and balance is None and not unlimited:
            raise ValueError("overage needs a used amount or a balance")
        if any(a is not None and a.copy_abs() >= MAX_CENTS / 100 for a in amounts):
            raise ValueError("overage amount out of range")
        currency = data.get("currency")
        return cls(
            used=used,
            limit=limit,
            currency=currency if isinstance(currency, str) else "USD",
            is_enabled=bool(data.get("is_enabled", True)),
            balance=balance,
            unlimited=unlimited,
        )


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the usage belongs to, as far as the provider tells.

    ``email`` holds only an email address; a user name that is not one (GitHub's) is
    ``login``.
    """

    email: Optional[str] = None
    organization: Optional[str] = None
    plan: Optional[str] = None
    login: Optional[str] = None

    def __post_init__(self) -> None:
        for name in _IDENTITY_KEYS:
            object.__setattr__(self, name, _printable_or_none(getattr(self, name)))

    def to_dict(self) -> Dict[str, Any]:
        return {key: getattr(self, key) for key in _IDENTITY_KEYS}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ProviderIdentity":
        return cls(**{key: _opt_str(data.get(key)) for key in _IDENTITY_KEYS})


#: The identity's keys in the JSON contract, in order (``login`` is additive).
_IDENTITY_KEYS = ("email", "organization", "plan", "login")


@dataclass(frozen=True)
class ProviderStatus:
    """A provider's service health from its status page."""

    level: StatusLevel
    description: Optional[str] = None
    updated_at: Optional[datetime] = None
    #: False for a provider whose health vibeusage deliberately does not ask (the level is
    #: then unknown without anything having failed).
    polled: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "description", _printable_or_none(self.description))

    def to_dict(self) -> Dict[str, Any]:
        return {
            "level": self.level.value,
            "description": self.description,
            "updated_at": _iso(self.updated_at),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ProviderStatus":
        try:
            level = StatusLevel(data.get("level"))
        except ValueError:
            level = StatusLevel.UNKNOWN
        return cls(level, _opt_str(data.get("description")), parse_iso(data.get("updated_at")))


@dataclass(frozen=True)
class UsageSnapshot:
    """Everything one provider reported at one moment."""

    provider: str
    fetched_at: datetime
    periods: Tuple[UsagePeriod, ...] = ()
    overage: Optional[OverageUsage] = None
    identity: Optional[ProviderIdentity] = None
    status: Optional[ProviderStatus] = None
    source: str = "unknown"
    #: Why something the provider sent is not shown (e.g. "chat: unlimited").
    notes: Tuple[str, ...] = ()
    #: Rate-limit resets the account may still redeem (Codex), None when not offered.
    reset_credits: Optional[int] = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "notes", tuple(printable(n) for n in self.notes))
        object.__setattr__(self, "source", printable(self.source))

    def to_dict(self, now: datetime) -> Dict[str, Any]:
        """The SNAPSHOT object of the JSON contract (without the run-specific flags)."""
        return {
            "provider": self.provider,
            "fetched_at": _iso(self.fetched_at),
            "source": self.source,
            "periods": [period.to_dict(now) for period in self.periods],
            "overage": None if self.overage is None else self.overage.to_dict(),
            "identity": None if self.identity is None else self.identity.to_dict(),
            "status": None if self.status is None else self.status.to_dict(),
            "notes": list(self.notes),
            "rate_limit_resets_available": self.reset_credits,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "UsageSnapshot":
        """Rebuild a snapshot from :meth:`to_dict` output; raises ValueError when malformed."""
        if not isinstance(data, Mapping):
            raise ValueError("snapshot must be an object")
        fetched_at = parse_iso(data.get("fetched_at"))
        provider = data.get("provider")
        periods = data.get("periods")
        if fetched_at is None or not isinstance(provider, str) or not isinstance(periods, list):
            raise ValueError("snapshot needs provider, fetched_at and periods")
        try:
            return cls(
                provider=provider,
                fetched_at=fetched_at,
                periods=tuple(UsagePeriod.from_dict(p) for p in periods),
                overage=_optional(OverageUsage.from_dict, data.get("overage")),
                identity=_optional(ProviderIdentity.from_dict, data.get("identity")),
                status=_optional(ProviderStatus.from_dict, data.get("status")),
                source=str(data.get("source") or "unknown"),
                notes=tuple(n for n in data.get("notes") or () if isinstance(n, str)),
                reset_credits=_opt_count(data.get("rate_limit_resets_available")),
            )
        except (AttributeError, TypeError, KeyError) as exc:
            raise ValueError(f"malformed snapshot: {exc}") from exc


@dataclass(frozen=True)
class Attempt:
    """One strategy tried for a provider during a run (for --verbose and diagnostics)."""

    strategy: str
    success: bool
    duration_ms: int
    error: Optional[str] = None


def _optional(build: Any, value: Any) -> Any:
    return build(value) if isinstance(value, Mapping) else None


def _opt_count(value: Any) -> Optional[int]:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _opt_str(value: Any) -> Optional[str]:
    return value if isinstance(value, str) and value else None


def _iso(value: Optional[datetime]) -> Optional[str]:
    return None if value is None else value.isoformat()


def _opt_money(value: Optional[Decimal]) -> Optional[str]:
    return None if value is None else _money(value)


def _money(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def period_sort_key(period: UsagePeriod) -> Tuple[int, int]:
    """Shortest window first, all-model windows before per-model ones."""
    order = [PeriodType.SESSION, PeriodType.DAILY, PeriodType.WEEKLY, PeriodType.MONTHLY]
    return (order.index(period.period_type), 0 if period.model is None else 1)


def periods_tuple(periods: List[UsagePeriod]) -> Tuple[UsagePeriod, ...]:
    """Periods in display order; equal keys keep the provider's own order."""
    return tuple(sorted(periods, key=period_sort_key))
