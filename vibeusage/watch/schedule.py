"""When watch asks each provider again: its interval, shared endpoints' floors, the fresh cache.

Times are monotonic seconds. A provider is asked at most every ``interval``; one answered
from the fresh cache is asked again once that snapshot is due (its age counted); a strategy
whose endpoint another tool shares (Claude's ``oauth``, Claude Code's own) at most every
:data:`SHARED_FLOOR` seconds. On a terminal a capture that costs nothing to read (Claude's
``statusline``) is read again every tick. The failure gate and ``Retry-After`` are the
pipeline's: asking a paused provider makes no request.
"""

from dataclasses import dataclass
from typing import Mapping, Optional, Tuple

from ..pipeline import ProviderResult

#: (provider, strategy) whose endpoint is shared -> fewest seconds between two requests.
SHARED_FLOOR: Mapping[Tuple[str, str], float] = {("claude", "oauth"): 180.0}
#: (provider, strategy) that only reads a small local capture: asked again every tick.
FREE_READS = frozenset({("claude", "statusline")})


@dataclass(frozen=True)
class Slot:
    """One provider's timing: when it is due, and when a shared endpoint was last asked."""

    due_at: float = 0.0
    shared_at: Optional[float] = None
    shared_floor: float = 0.0

    def is_due(self, now: float) -> bool:
        return now >= self.due_at


def next_slot(
    previous: Slot,
    result: ProviderResult,
    collected_at: float,
    age: Optional[float],
    interval: float,
    fresh_ttl: float,
    floor: float,
) -> Slot:
    """The slot after ``result`` was collected at ``collected_at``.

    ``age`` is how old its snapshot was then (None without one); ``floor`` the fewest
    seconds before asking again (a tick on a terminal, the interval off one).
    """
    due = collected_at + interval
    fetched = None if age is None else collected_at - max(0.0, age)
    if result.fresh and fetched is not None:
        if _source(result) in FREE_READS:  # a local capture: read it again at once
            due = collected_at
        elif result.cached:  # it cannot be refreshed before the cache lets it go
            due = fetched + max(interval, fresh_ttl)
    due = max(due, collected_at + floor)
    shared_at, shared_floor = _shared(previous, result, collected_at, fetched)
    if shared_at is not None:
        due = max(due, shared_at + shared_floor)
    return Slot(due, shared_at, shared_floor)


def _source(result: ProviderResult) -> Tuple[str, str]:
    snapshot = result.snapshot
    name = "" if snapshot is None else snapshot.source.split(":", 1)[0]
    return (result.provider_id, name)


def _shared(
    previous: Slot, result: ProviderResult, collected_at: float, fetched: Optional[float]
) -> Tuple[Optional[float], float]:
    """When a shared endpoint of the provider was last asked, and its floor."""
    floors = {name: s for (pid, name), s in SHARED_FLOOR.items() if pid == result.provider_id}
    asked = [
        a.strategy
        for a in result.attempts
        if a.strategy in floors and not (a.error or "").startswith("skipped")
    ]
    if asked:
        return collected_at, max(floors[name] for name in asked)
    snapshot = result.snapshot
    source = None if snapshot is None else snapshot.source.split(":", 1)[0]
    if source in floors and fetched is not None:  # asked by another run, seen in the cache
        if previous.shared_at is None or fetched > previous.shared_at:
            return fetched, floors[source]
    return previous.shared_at, previous.shared_floor
