"""Run providers: plan (pure), run (the only concurrency), record (cache, gate, last run).

``Pipeline`` puts the three together for one run of a command: it reads the cache and the
gate, lets :mod:`.plan` decide what needs no fetch, hands the rest to :class:`.Runner`,
and gives the recorders of :mod:`.record` every attempt and result.
"""

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..cache import FailureGate, SnapshotCache
from ..config import Config
from ..models import ProviderStatus, StatusLevel, UsageSnapshot
from ..paths import Paths
from ..providers.manifest import Provider, Strategy
from ..timeparse import utcnow
from .plan import serve_from_cache
from .results import ProviderResult, RunOptions

if TYPE_CHECKING:
    from ..providers.base import FetchContext
    from .record import Recorder
    from .runner import AttachStatus, ProgressCallback, Runner

__all__ = ["Pipeline", "ProviderResult", "RunOptions", "provider_status"]


class Pipeline:
    """Everything one run needs, injected (tests replace the clock or the recorders)."""

    def __init__(
        self,
        config: Config,
        paths: Paths,
        environ: Mapping[str, str],
        clock: Callable[[], datetime] = utcnow,
        recorders: "Optional[Sequence[Recorder]]" = None,
    ) -> None:
        self.config = config
        self.paths = paths
        self.environ = environ
        self.clock = clock
        self.cache = SnapshotCache(paths.snapshots_dir)
        self.gate = FailureGate(paths.gate_dir)
        self._recorders = recorders
        self._runner: Optional[Runner] = None
        #: The providers of this run, by id (the stale fallback asks their strategies).
        self._providers: Dict[str, Provider] = {}

    @property
    def runner(self) -> "Runner":
        """The concurrency part, built when something must be checked or fetched."""
        if self._runner is None:
            from ..cache import LastRun
            from .record import GateRecorder, LastRunRecorder, Recorders, SnapshotRecorder
            from .runner import Runner

            recorders = self._recorders
            if recorders is None:
                recorders = (
                    SnapshotRecorder(self.cache),
                    GateRecorder(self.gate, self.clock),
                    LastRunRecorder(LastRun(self.paths.cache_dir), self.clock),
                )
            self._runner = Runner(
                make_context=self._context,
                chain_of=self._chain,
                load_gate=self.gate.load,
                load_cached=self._stale_fallback,
                recorder=Recorders(recorders),
                clock=self.clock,
                start_status=self._start_status,
            )
        return self._runner

    # -- public ------------------------------------------------------------------------

    def has_credentials(self, provider: Provider) -> bool:
        """Whether any strategy of the provider's chain is available (checked once per run)."""
        self.runner.check_availability([provider])
        return bool(self.runner.available_chain(provider))

    def with_credentials(self, providers: Sequence[Provider]) -> List[Provider]:
        """The providers that have credentials, their checks run concurrently off this thread."""
        self.runner.check_availability(providers)
        return [p for p in providers if self.runner.available_chain(p)]

    def has_cache(self, provider: Provider) -> bool:
        return self.cache.path(provider.id).is_file()

    def run(
        self,
        providers: Sequence[Provider],
        options: RunOptions,
        on_progress: "Optional[ProgressCallback]" = None,
    ) -> List[ProviderResult]:
        """Results for ``providers``, in the given order.

        Cache-only answers (``--offline``, a fresh snapshot) are settled by the plan without
        threads or network; the rest go to the runner.
        """
        now = self.clock()
        self._providers.update((p.id, p) for p in providers)
        results: Dict[str, ProviderResult] = {}
        to_fetch: List[Provider] = []
        for provider in providers:
            settled = serve_from_cache(
                provider, self.cache.load(provider.id), options, self.config.fetch, now
            )
            if settled is not None:
                results[provider.id] = settled
            else:
                to_fetch.append(provider)
        if to_fetch:
            # The deadline bounds the whole command; the runner clips each strategy's
            # timeout to what is left of it. Only an explicit --timeout may lengthen it.
            timeout = options.timeout or self.config.fetch.timeout
            deadline = options.deadline or self.config.fetch.deadline
            if options.timeout and options.deadline is None:
                deadline = max(deadline, options.timeout)
            results.update(
                self.runner.run(
                    to_fetch,
                    options,
                    timeout,
                    deadline,
                    self.config.fetch.max_concurrent,
                    on_progress,
                )
            )
        return [results[p.id] for p in providers]

    # -- what the runner is given ----------------------------------------------------------

    def _stale_fallback(self, provider_id: str) -> Optional[UsageSnapshot]:
        """What a failed provider shows as stale: the cache, or newer local data a strategy
        keeps (Claude's statusline capture) when it offers a ``fallback``."""
        cached = self.cache.load(provider_id)
        provider = self._providers.get(provider_id)
        if provider is None:
            return cached
        for ref in self._chain(provider):
            strategy = ref.load() if hasattr(ref, "load") else ref
            fallback = getattr(strategy, "fallback", None)
            if fallback is None:
                continue
            try:
                found: Optional[UsageSnapshot] = fallback(self._context(provider, 1.0), cached)
            except Exception:  # a fallback is a bonus: the cache stays the answer
                continue
            return found
        return cached

    def _chain(self, provider: Provider) -> Tuple[Strategy, ...]:
        return provider.strategies_for(self.config.provider(provider.id).auth_source)

    def _context(self, provider: Provider, timeout: float) -> "FetchContext":
        from ..providers.base import FetchContext

        return FetchContext.for_provider(
            provider,
            self.environ,
            self.paths,
            self.config.provider(provider.id),
            self.clock,
            timeout,
        )

    def _start_status(self, provider: Provider, timeout: float, cancel: Any) -> "AttachStatus":
        """Start fetching the provider's status page (bounded by the run's timeout) while the
        strategies run; what attaches it to a snapshot waits no longer than it is given."""
        if provider.status_url is None:
            return lambda snapshot, remaining: snapshot
        import time

        from ..background import Background
        from ..http import make_session
        from ..status import STATUS_TIMEOUT

        budget = min(STATUS_TIMEOUT, timeout)
        ends = time.monotonic() + budget + 0.25
        session = make_session(budget)
        fetching = Background(
            lambda: provider_status(provider, session, self.clock(), budget),
            f"vibeusage-{provider.id}-status",
        )

        def attach(snapshot: UsageSnapshot, remaining: float) -> UsageSnapshot:
            ok, status = fetching.outcome(min(ends, time.monotonic() + max(0.0, remaining)), cancel)
            if not ok:  # a status page is a bonus: its failure is "unknown"
                status = ProviderStatus(StatusLevel.UNKNOWN, "status page did not answer in time")
            return replace(snapshot, status=status)

        return attach


def provider_status(
    provider: Provider, session: Any, now: datetime, timeout: Optional[float] = None
) -> ProviderStatus:
    """The provider's health: its own status reader when it has one, else Statuspage."""
    from ..status import fetch_statuspage

    if provider.status_fetch is not None:
        status: ProviderStatus = provider.status_fetch(session, now, timeout)
        return status
    if provider.status_url is None:
        return ProviderStatus(StatusLevel.UNKNOWN, f"no status page; see {provider.homepage}")
    return fetch_statuspage(session, provider.status_url, timeout)
