"""A snapshot's binding window and when it is available again (§1.4)."""

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import List, Optional, Sequence, Tuple

from ..models import UsagePeriod
from .forecast import Pace, pace_of
from .percent import HUNDRED, used_percent_of
from .window import candidates


@dataclass(frozen=True)
class SnapshotPace:
    """The pace of every period (in the snapshot's order) and what binds the snapshot."""

    periods: Tuple[UsagePeriod, ...]
    paces: Tuple[Optional[Pace], ...]
    binding_index: Optional[int]
    available_again_at: Optional[datetime]

    @property
    def binding(self) -> Optional[UsagePeriod]:
        return None if self.binding_index is None else self.periods[self.binding_index]

    @property
    def binding_pace(self) -> Optional[Pace]:
        return None if self.binding_index is None else self.paces[self.binding_index]


def snapshot_pace(periods: Sequence[UsagePeriod], now: datetime) -> SnapshotPace:
    """Every period's pace at ``now``, the binding period and ``available_again_at``.

    Periods are taken as they stand at ``now``: one whose reset has passed is 0 % used.
    """
    periods = tuple(period.as_of(now) for period in periods)
    paces = tuple(pace_of(period, now) for period in periods)
    used = [used_percent_of(period) for period in periods]
    among = candidates(periods)
    exhausted = [i for i in among if _at_limit(used[i])]
    return SnapshotPace(
        periods=periods,
        paces=paces,
        binding_index=_binding(periods, paces, used, among, exhausted),
        available_again_at=_available_again(periods, exhausted),
    )


def _at_limit(used: Optional[Decimal]) -> bool:
    return used is not None and used >= HUNDRED


def _binding(
    periods: Tuple[UsagePeriod, ...],
    paces: Tuple[Optional[Pace], ...],
    used: List[Optional[Decimal]],
    among: Tuple[int, ...],
    exhausted: List[int],
) -> Optional[int]:
    """The candidate that stops the user first; ties go to the earlier in display order."""
    if exhausted:
        # All exhausting now: the one that stays shut longest binds (no reset time = longest).
        chosen = exhausted[0]
        for index in exhausted[1:]:
            if _reset_later(periods[index].resets_at, periods[chosen].resets_at):
                chosen = index
        return chosen
    # Tuples sort by time (or most used) first, then by index: display order breaks ties.
    running_out = []
    for index in among:
        pace = paces[index]
        if pace is not None and pace.exhausts_at is not None:
            running_out.append((pace.exhausts_at, index))
    if running_out:
        return min(running_out)[1]
    most_used = []
    for index in among:
        value = used[index]
        if value is not None:
            most_used.append((-value, index))
    return min(most_used)[1] if most_used else None


def _reset_later(candidate: Optional[datetime], current: Optional[datetime]) -> bool:
    if current is None:
        return False
    return candidate is None or candidate > current


def _available_again(periods: Tuple[UsagePeriod, ...], exhausted: List[int]) -> Optional[datetime]:
    """The latest reset among exhausted candidates; None if none is, or one has no reset time."""
    resets = [periods[i].resets_at for i in exhausted]
    if not resets or any(at is None for at in resets):
        return None
    return max(at for at in resets if at is not None)
