"""Guard's data: each provider's snapshot if fresh within ``--max-age``, else why not (§2.1).

Three passes, each only for the providers the one before could not answer, all within one
time budget: the snapshot cache; the strategies that read local files and make no request
(Codex's session logs, Claude's statusline capture); then the rest of each chain. The
fetching passes never serve the cache (that was pass one), honour the failure gate, and
never start a delegated refresh (the ``cli_refresh`` option is off for them).
"""

import time
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Dict, List, Optional, Sequence, Tuple

from ..config import Config
from ..errors import ErrorCategory, VibeusageError
from ..guard.decision import FETCH_FAILED, NO_CREDENTIALS, STALE, TIMEOUT, GuardSubject
from ..models import UsageSnapshot
from ..pipeline import ProviderResult, RunOptions
from ..providers.base import Provider
from .context import Context
from .usage import NothingCached, Selection, select_providers

#: Strategies that read what a tool left on disk and make no request.
NO_REQUEST_STRATEGIES = frozenset({"local", "statusline"})
#: A cached snapshot dated further ahead than this is not trusted (§0.2).
FUTURE_TOLERANCE = 300.0
#: A provider that failed with less than this of its budget left ran out of time.
TIMEOUT_SLACK = 1.0
#: Below this much time left, a pass is not started.
MIN_BUDGET = 0.05


@dataclass(frozen=True)
class GuardRequest:
    """What the command asked for: providers, cache-only or not, freshness, time budget."""

    names: Tuple[str, ...] = ()
    offline: bool = False
    max_age: float = 300.0
    timeout: float = 30.0


@dataclass
class _Lane:
    """One provider through the passes: the snapshots seen and the last failure."""

    provider: Provider
    fresh: Optional[UsageSnapshot] = None
    seen: Tuple[UsageSnapshot, ...] = ()
    error: Optional[VibeusageError] = None
    timed_out: bool = False

    def see(self, snapshot: Optional[UsageSnapshot]) -> None:
        if snapshot is not None:
            self.seen += (snapshot,)

    def subject(self) -> GuardSubject:
        if self.fresh is not None:
            return GuardSubject(self.provider.id, self.fresh)
        if self.seen:
            newest = max(self.seen, key=lambda snapshot: snapshot.fetched_at)
            return GuardSubject(self.provider.id, newest, STALE)
        return GuardSubject(self.provider.id, None, self.reason())

    def reason(self) -> str:
        if self.timed_out:
            return TIMEOUT
        if self.error is None:
            return STALE  # offline, or no pass could run: nothing fresh enough to judge
        if self.error.category is ErrorCategory.AUTHENTICATION:
            return NO_CREDENTIALS
        return FETCH_FAILED


def gather(app: Context, request: GuardRequest) -> List[GuardSubject]:
    """One subject per selected provider, in order (none when nothing is selected)."""
    deadline = time.monotonic() + request.timeout
    selection = _select(app, request)
    start = app.clock()
    pipeline = app.pipeline()
    cache = pipeline.cache
    pipeline.find_logins(selection.providers)
    lanes = [_Lane(provider) for provider in selection.providers]
    for lane in lanes:
        cached = cache.load(lane.provider.id, pipeline.login_of(lane.provider.id))
        lane.see(cached)
        if cached is not None and _cache_fresh(cached, start, request.max_age):
            lane.fresh = cached
    config = guard_config(app.config, selection.providers)
    local = [lane for lane in lanes if lane.fresh is None and _chain(lane, config, True)]
    _fetch(app, config, local, True, start, request.max_age, deadline)
    if not request.offline:
        rest = [lane for lane in lanes if lane.fresh is None and _chain(lane, config, False)]
        _fetch(app, config, rest, False, start, request.max_age, deadline)
    return [lane.subject() for lane in lanes]


def _select(app: Context, request: GuardRequest) -> Selection:
    try:
        return select_providers(app, request.names, offline=request.offline)
    except NothingCached:
        return Selection(())  # nothing cached: no provider, so the outcome is unknown


def _cache_fresh(snapshot: UsageSnapshot, now: datetime, max_age: float) -> bool:
    age = (now - snapshot.fetched_at).total_seconds()
    return -FUTURE_TOLERANCE <= age <= max_age


def guard_config(config: Config, providers: Sequence[Provider]) -> Config:
    """The configuration of guard's fetching passes: no fresh-cache answers, no ``cli_refresh``."""
    settings = dict(config.providers)
    for provider in providers:
        own = config.provider(provider.id)
        settings[provider.id] = replace(own, options={**own.options, "cli_refresh": False})
    return replace(config, fetch=replace(config.fetch, fresh_ttl=0.0), providers=settings)


def _chain(lane: _Lane, config: Config, no_request: bool) -> Optional[Provider]:
    """The provider restricted to the pass's strategies (its ``auth_source`` applied), or None."""
    provider = lane.provider
    chain = provider.strategies_for(config.provider(provider.id).auth_source)
    kept = tuple(s for s in chain if (s.name in NO_REQUEST_STRATEGIES) == no_request)
    return provider.replace(strategies=kept) if kept else None


def _fetch(
    app: Context,
    config: Config,
    lanes: List[_Lane],
    no_request: bool,
    start: datetime,
    max_age: float,
    deadline: float,
) -> None:
    """Run one pass over ``lanes`` with a pipeline of its own (its own availability checks)."""
    if not lanes:
        return
    budget = deadline - time.monotonic()
    if budget < MIN_BUDGET:
        for lane in lanes:
            lane.timed_out = True
        return
    from ..pipeline import Pipeline

    providers = [_chain(lane, config, no_request) for lane in lanes]
    pipeline = Pipeline(config, app.paths, app.environ, app.clock, _recorders(app))
    options = RunOptions(timeout=budget, deadline=budget)
    results = pipeline.run([p for p in providers if p is not None], options)
    by_id: Dict[str, ProviderResult] = {result.provider_id: result for result in results}
    for lane in lanes:
        result = by_id[lane.provider.id]
        _record(lane, result, start, max_age, budget)


def _recorders(app: Context) -> Tuple[Any, ...]:
    """The usage run's recorders, except that an older reading never replaces the cache.

    A session log can be older than the snapshot fetched a few minutes ago.
    """
    from ..cache import FailureGate, LastRun, SnapshotCache
    from ..pipeline.record import GateRecorder, LastRunRecorder, SnapshotRecorder

    class NewerOnly(SnapshotRecorder):
        def succeeded(self, provider: Provider, strategy: str, snapshot: UsageSnapshot) -> None:
            cached = self.cache.load(provider.id, self.logins(provider.id))
            if cached is None or snapshot.fetched_at > cached.fetched_at:
                super().succeeded(provider, strategy, snapshot)

    paths = app.paths
    return (
        NewerOnly(SnapshotCache(paths.snapshots_dir)),
        GateRecorder(FailureGate(paths.gate_dir), app.clock),
        LastRunRecorder(LastRun(paths.cache_dir), app.clock),
    )


def _record(
    lane: _Lane, result: ProviderResult, start: datetime, max_age: float, budget: float
) -> None:
    lane.see(result.snapshot)
    if result.fresh and result.snapshot is not None:
        age = (start - result.snapshot.fetched_at).total_seconds()
        if age <= max_age:  # fetched in this run, or a local reading young enough
            lane.fresh = result.snapshot
            return
    if result.error is not None and not result.fresh:
        lane.error = result.error
        lane.timed_out = (
            result.error.category is ErrorCategory.NETWORK
            and result.duration_ms >= (budget - TIMEOUT_SLACK) * 1000
        )
