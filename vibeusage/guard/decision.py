"""Guard's verdict per window and overall: ok, blocked or unknown, and the exit code (§2.1)."""

import enum
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, localcontext
from typing import List, Optional, Sequence, Tuple

from ..models import UsagePeriod, UsageSnapshot
from ..pace.forecast import Pace
from ..pace.percent import ARITHMETIC, HUNDRED, used_percent_of
from ..pace.snapshot import SnapshotPace, snapshot_pace
from ..pace.window import candidates
from .policy import GuardPolicy

EXIT_OK = 0
EXIT_BLOCKED = 1
EXIT_USAGE = 64
EXIT_UNAVAILABLE = 69

BELOW_MINIMUM = "below_minimum"
FORECAST = "forecast"
NO_CREDENTIALS = "no_credentials"
FETCH_FAILED = "fetch_failed"
TIMEOUT = "timeout"
WINDOW_UNAVAILABLE = "window_unavailable"
STALE = "stale"


class Decision(str, enum.Enum):
    OK = "ok"
    BLOCKED = "blocked"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class GuardSubject:
    """One provider as the command found it: a snapshot, and why it cannot be trusted if so.

    ``unknown_reason`` (``no_credentials``, ``fetch_failed``, ``timeout``, ``stale``) makes
    every result of the provider unknown; a stale snapshot still names its windows.
    """

    provider: str
    snapshot: Optional[UsageSnapshot] = None
    unknown_reason: Optional[str] = None


@dataclass(frozen=True)
class ForCheck:
    """The ``--for`` projection: u + r·min(T, τ); None (and ``ok`` None) without a pace."""

    duration_seconds: int
    projected_used_percent: Optional[Decimal]
    ok: Optional[bool]


@dataclass(frozen=True)
class GuardResult:
    """The verdict on one window (or on a provider whose window could not be chosen)."""

    provider: str
    decision: Decision
    reason: Optional[str]
    period: Optional[UsagePeriod] = None
    #: The period's type, else the type asked for with ``--window``, else None.
    period_type: Optional[str] = None
    remaining_percent: Optional[Decimal] = None
    pace: Optional[Pace] = None
    for_check: Optional[ForCheck] = None
    source: Optional[str] = None
    stale: bool = False


@dataclass(frozen=True)
class GuardOutcome:
    """Every result, the overall decision and the exit code (``--fail-open`` applied)."""

    decision: Decision
    exit_code: int
    min_remaining: Decimal
    results: Tuple[GuardResult, ...]


def evaluate(
    subjects: Sequence[GuardSubject], policy: GuardPolicy, now: datetime, fail_open: bool = False
) -> GuardOutcome:
    """Judge every subject at ``now``: any blocked → 1; else any unknown (or none) → 69."""
    results: List[GuardResult] = []
    for subject in subjects:
        results.extend(judge_subject(subject, policy, now))
    decisions = {result.decision for result in results}
    if Decision.BLOCKED in decisions:
        decision, code = Decision.BLOCKED, EXIT_BLOCKED
    elif Decision.UNKNOWN in decisions or not results:
        decision, code = Decision.UNKNOWN, EXIT_OK if fail_open else EXIT_UNAVAILABLE
    else:
        decision, code = Decision.OK, EXIT_OK
    return GuardOutcome(decision, code, policy.min_remaining, tuple(results))


def judge_subject(subject: GuardSubject, policy: GuardPolicy, now: datetime) -> List[GuardResult]:
    """The results of one provider: one per chosen window, or one unknown."""
    asked_type = None if policy.window in ("binding", "all") else policy.window
    snapshot = subject.snapshot
    reason = subject.unknown_reason
    stale = reason == STALE
    if snapshot is None:
        result = GuardResult(subject.provider, Decision.UNKNOWN, reason or FETCH_FAILED)
        return [replace(result, period_type=asked_type, stale=stale)]
    forecast = snapshot_pace(snapshot.periods, now)
    chosen = choose_windows(forecast, policy.window)
    if not chosen:
        return [
            GuardResult(
                subject.provider,
                Decision.UNKNOWN,
                reason or WINDOW_UNAVAILABLE,
                period_type=asked_type,
                source=snapshot.source,
                stale=stale,
            )
        ]
    results = []
    for index in chosen:
        period, pace = forecast.periods[index], forecast.paces[index]
        result = judge_window(subject.provider, period, pace, policy)
        if reason is not None:
            result = replace(result, decision=Decision.UNKNOWN, reason=reason)
        results.append(replace(result, source=snapshot.source, stale=stale))
    return results


def choose_windows(forecast: SnapshotPace, window: str) -> List[int]:
    """Indexes of the periods ``--window`` selects: binding, the lowest of a type, or all."""
    if window == "all":
        return list(range(len(forecast.periods)))
    if window == "binding":
        return [] if forecast.binding_index is None else [forecast.binding_index]
    best: Optional[Tuple[Decimal, int]] = None
    for index in candidates(forecast.periods):
        period = forecast.periods[index]
        used = used_percent_of(period)
        if period.period_type.value != window or used is None:
            continue
        if best is None or used > best[0]:  # strictly more used: display order breaks ties
            best = (used, index)
    return [] if best is None else [best[1]]


def judge_window(
    provider: str, period: UsagePeriod, pace: Optional[Pace], policy: GuardPolicy
) -> GuardResult:
    """Blocked below the minimum remaining, or (with ``--for``) when the projection passes it."""
    used = used_percent_of(period)
    if used is None:
        return GuardResult(provider, Decision.UNKNOWN, WINDOW_UNAVAILABLE, period)
    remaining = HUNDRED - used
    check = None
    if policy.for_seconds is not None:
        check = for_check(used, pace, policy.for_seconds, HUNDRED - policy.min_remaining)
    if remaining < policy.min_remaining:
        decision, reason = Decision.BLOCKED, BELOW_MINIMUM
    elif check is not None and check.ok is False:
        decision, reason = Decision.BLOCKED, FORECAST
    else:
        decision, reason = Decision.OK, None
    return GuardResult(
        provider,
        decision,
        reason,
        period,
        period.period_type.value,
        remaining,
        pace,
        check,
    )


def for_check(used: Decimal, pace: Optional[Pace], duration: int, max_used: Decimal) -> ForCheck:
    """Project ``used`` over the next ``duration`` seconds, counting only time before the reset."""
    if pace is None:
        return ForCheck(duration, None, None)
    with localcontext(ARITHMETIC):
        horizon = min(Decimal(duration), pace.seconds_to_reset)
        # u + r·horizon with r = u / e, multiplied out so no rounded rate is multiplied.
        projected = used + used * horizon / pace.elapsed_seconds
    return ForCheck(duration, projected, projected <= max_used)
