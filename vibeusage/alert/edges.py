"""One event per threshold crossing: the pure rules of firing and re-arming (§6).

Per lane, the instance is its ``resets_at`` (within 120 s). The highest threshold at or
below ``u`` not yet fired in this instance fires one event and every lower one is marked
with it. A new instance re-arms all; within one, a threshold re-arms once ``u`` is 5 pp
below it. A lane seen for the first time fires too.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from .lanes import Observation
from .thresholds import threshold_key

#: Two reset times this close name the same window instance.
RESET_TOLERANCE = timedelta(seconds=120)
#: A fired threshold re-arms when the used percent is this many points below it.
REARM_BELOW = Decimal(5)
#: A lane whose reset passed this long ago (and not seen since) is forgotten.
FORGET_AFTER = timedelta(days=31)


@dataclass(frozen=True)
class LaneState:
    """What the state file keeps per lane: its instance, last ``u`` and what fired when."""

    resets_at: Optional[datetime]
    used_percent: Decimal
    #: Threshold key (``"80"``) -> ISO time it fired.
    fired: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Crossing:
    """A threshold that fired for an observation."""

    observation: Observation
    threshold: Decimal


def same_instance(previous: Optional[datetime], current: Optional[datetime]) -> bool:
    """Whether two reset times name the same window instance (both unknown counts as same)."""
    if previous is None or current is None:
        return previous is None and current is None
    return abs(current - previous) <= RESET_TOLERANCE


def step(
    previous: Optional[LaneState],
    observation: Observation,
    thresholds: Sequence[Decimal],
    now: datetime,
) -> Tuple[LaneState, Optional[Decimal]]:
    """The lane's next state and the threshold that fires now, if any."""
    used = observation.used
    resets_at = observation.period.resets_at
    fired: Dict[str, str] = {}
    if previous is not None and same_instance(previous.resets_at, resets_at):
        fired = {key: at for key, at in previous.fired.items() if not _rearmed(key, used)}
    reached = [value for value in thresholds if value <= used]
    fresh = [value for value in reached if threshold_key(value) not in fired]
    firing = max(fresh) if fresh else None
    if firing is not None:
        stamp = now.isoformat()
        for value in reached:
            fired.setdefault(threshold_key(value), stamp)
    return LaneState(resets_at, used, fired), firing


def evaluate(
    lanes: Mapping[str, LaneState],
    seen: Sequence[Observation],
    thresholds: Sequence[Decimal],
    now: datetime,
) -> Tuple[Dict[str, LaneState], List[Crossing]]:
    """Every lane's next state and the crossings, in observation order.

    Lanes without an observation are kept as they were (stale or failed data neither fires
    nor re-arms), unless their reset passed more than :data:`FORGET_AFTER` ago.
    """
    state = {key: lane for key, lane in lanes.items() if not _forgotten(lane, now)}
    crossings = []
    for observation in seen:
        lane, firing = step(state.get(observation.key), observation, thresholds, now)
        state[observation.key] = lane
        if firing is not None:
            crossings.append(Crossing(observation, firing))
    return state, crossings


def _rearmed(key: str, used: Decimal) -> bool:
    try:
        threshold = Decimal(key)
    except (InvalidOperation, ValueError):
        return True  # not a threshold after all: drop it
    if not threshold.is_finite():
        return True
    return used <= threshold - REARM_BELOW


def _forgotten(lane: LaneState, now: datetime) -> bool:
    return lane.resets_at is not None and lane.resets_at < now - FORGET_AFTER
