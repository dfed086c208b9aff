"""The pace of one window: where usage stands against elapsed time, and when it runs out (§1.2)."""

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, Optional

from ..models import PeriodType, UsagePeriod
from .percent import ARITHMETIC, HUNDRED, clean_used_percent, used_percent_of
from .window import seconds, window_seconds

HOUR = Decimal(3600)

#: A reset further away than D plus this is clock skew or a wrong duration: no pace.
SKEW_SECONDS = Decimal(120)
#: A window younger than this has no meaningful rate.
MIN_ELAPSED_SECONDS = Decimal(60)
#: Below this share elapsed, whole-percent steps dominate: no pace under 5 %, no ratio at all.
MIN_FRACTION = Decimal("0.03")
SMALL_USED = Decimal(5)
#: A number this high this early is the old window's, repeated with the new reset time.
REPEATED_USED = Decimal(95)
REPEATED_WITHIN_SECONDS = Decimal(300)


class Stage(str, enum.Enum):
    """How far usage is from the on-pace line, in percentage points (deficit = ahead of it)."""

    ON_PACE = "on_pace"
    SLIGHT_DEFICIT = "slight_deficit"
    SLIGHT_RESERVE = "slight_reserve"
    DEFICIT = "deficit"
    RESERVE = "reserve"
    FAR_DEFICIT = "far_deficit"
    FAR_RESERVE = "far_reserve"

    @classmethod
    def of(cls, delta: Decimal) -> "Stage":
        """The stage of an unrounded Δ: ≤ 2 on pace, ≤ 6 slight, ≤ 12 plain, else far."""
        size = abs(delta)
        if size <= 2:
            return cls.ON_PACE
        deficit = delta > 0
        if size <= 6:
            return cls.SLIGHT_DEFICIT if deficit else cls.SLIGHT_RESERVE
        if size <= 12:
            return cls.DEFICIT if deficit else cls.RESERVE
        return cls.FAR_DEFICIT if deficit else cls.FAR_RESERVE


@dataclass(frozen=True)
class Pace:
    """A window's pace at one moment; Decimals unrounded (the JSON document rounds them)."""

    used_percent: Decimal
    resets_at: datetime
    #: D, τ and e of §1.2, in seconds.
    window_seconds: Decimal
    seconds_to_reset: Decimal
    elapsed_seconds: Decimal
    elapsed_fraction: Decimal
    expected_used_percent: Decimal
    #: Δ = u − expected: positive is a deficit (ahead of pace), negative a reserve.
    delta_percent: Decimal
    stage: Stage
    #: u / expected; None under 3 % elapsed.
    pace_ratio: Optional[Decimal]
    #: Wall-clock average since the window started, percent per hour.
    rate_percent_per_hour: Decimal
    will_last_to_reset: bool
    #: 0 when exhausted, None when the window lasts to its reset.
    eta_seconds: Optional[int]
    exhausts_at: Optional[datetime]
    pause_to_on_pace_seconds: int
    safe_rate_percent_per_hour: Decimal

    @property
    def exhausted(self) -> bool:
        return self.used_percent >= HUNDRED


def pace_of(period: UsagePeriod, now: datetime) -> Optional[Pace]:
    """The pace of a period at ``now``, or None when §1.3 says there is none."""
    current = period.as_of(now)
    return compute_pace(used_percent_of(current), current.resets_at, current.period_type, now)


def compute_pace(
    used: Any, resets_at: Optional[datetime], period_type: PeriodType, now: datetime
) -> Optional[Pace]:
    """The pace of a window used ``used`` percent that resets at ``resets_at``, or None.

    None (§1.3): no reset time or no trustworthy percent; the window has reset; the reset
    lies more than D + 120 s ahead; under 60 s elapsed; under 3 % elapsed with under 5 %
    used; 95 % or more used within 300 s of the start.
    """
    with localcontext(ARITHMETIC):
        u = clean_used_percent(used)
        if u is None or resets_at is None:
            return None
        tau = seconds(resets_at - now)
        if tau <= 0:
            return None
        duration = window_seconds(period_type, resets_at)
        if duration is None or tau > duration + SKEW_SECONDS:
            return None
        elapsed = max(duration - tau, Decimal(0))
        if elapsed < MIN_ELAPSED_SECONDS:
            return None
        fraction = elapsed / duration
        if fraction < MIN_FRACTION and u < SMALL_USED:
            return None
        if u >= REPEATED_USED and elapsed < REPEATED_WITHIN_SECONDS:
            return None
        return _pace(u, resets_at, duration, tau, elapsed, fraction, now)


def _pace(
    u: Decimal,
    resets_at: datetime,
    duration: Decimal,
    tau: Decimal,
    elapsed: Decimal,
    fraction: Decimal,
    now: datetime,
) -> Pace:
    expected = HUNDRED * fraction
    delta = u - expected
    eta: Optional[int]
    if u >= HUNDRED:
        eta, will_last = 0, False
    elif u == 0:
        eta, will_last = None, True
    else:
        # (100 − u) / r with r = u / e, multiplied out so no rounded rate is divided by.
        runway = (HUNDRED - u) * elapsed / u
        will_last = runway >= tau
        eta = None if will_last else whole(runway)
    # max(0, Δ)/100 · D, multiplied out: u·D/100 − e is exact for whole-second inputs.
    pause = max(u * duration / HUNDRED - elapsed, Decimal(0))
    safe = Decimal(0) if u >= HUNDRED else (HUNDRED - u) * HOUR / tau
    return Pace(
        used_percent=u,
        resets_at=resets_at,
        window_seconds=duration,
        seconds_to_reset=tau,
        elapsed_seconds=elapsed,
        elapsed_fraction=fraction,
        expected_used_percent=expected,
        delta_percent=delta,
        stage=Stage.of(delta),
        pace_ratio=None if fraction < MIN_FRACTION else u / expected,
        rate_percent_per_hour=u * HOUR / elapsed,
        will_last_to_reset=will_last,
        eta_seconds=eta,
        exhausts_at=None if eta is None else now + timedelta(seconds=eta),
        pause_to_on_pace_seconds=whole(pause),
        safe_rate_percent_per_hour=safe,
    )


def whole(number: Decimal) -> int:
    """Round half up to an integer (seconds, percents shown whole)."""
    return int(number.to_integral_value(rounding=ROUND_HALF_UP))
