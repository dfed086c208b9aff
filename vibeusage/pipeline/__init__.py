"""Run providers: plan (pure), run (the only concurrency), record (cache, gate, last run).

``Pipeline`` puts the three together for one run of a command: it reads each provider's
login key (once, off the main thread, with the availability check when there is one),
reads the cache and the gate of that login, lets :mod:`.plan` decide what needs no fetch,
hands the rest to :class:`.Runner`, and gives the recorders of :mod:`.record` every
attempt and result.
"""

import functools
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from ..cache import FailureGate, SnapshotCache
from ..config import Config
from ..models import ProviderStatus, StatusLevel, UsageSnapshot
from ..paths import Paths
from ..providers.manifest import Provider, Strategy
from ..timeparse import utcnow
from .plan import serve_from_cache, with_observation_age
from .results import ProviderResult, RunOptions

#: Reading login keys is local; one that takes longer than this counts as "no login".
LOGIN_KEY_TIMEOUT = 5.0

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
        #: Each provider's login key, read once per run (see :meth:`find_logins`).
        self._logins: Dict[str, Optional[str]] = {}

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
            recorder = Recorders(recorders)
            recorder.use_logins(self.login_of)
            self._runner = Runner(
                make_context=self._context,
                chain_of=self._chain,
                load_gate=self._load_gate,
                load_cached=self._stale_fallback,
                recorder=recorder,
                clock=self.clock,
                start_status=self._start_status,
                with_credentials=self._remember_login,
            )
        return self._runner

    # -- public ------------------------------------------------------------------------

    def has_credentials(self, provider: Provider) -> bool:
        """Whether a strategy of the provider's chain is available with credentials that can
        work (checked once per run): a login type that never can counts as none."""
        self.runner.check_availability([provider])
        return self.runner.usable(provider)

    def with_credentials(self, providers: Sequence[Provider]) -> List[Provider]:
        """The providers that have credentials, their checks run concurrently off this thread."""
        self.runner.check_availability(providers)
        return [p for p in providers if self.runner.usable(p)]

    def has_cache(self, provider: Provider) -> bool:
        return self.cache.path(provider.id).is_file()

    def find_logins(self, providers: Sequence[Provider]) -> None:
        """Read the login keys of ``providers`` not read yet, concurrently off this thread.

        A key that cannot be read in time, or whose reader fails, is None ("no login").
        """
        missing = [p for p in providers if p.id not in self._logins]
        if not missing:
            return
        from ..kit.parallel import run_parallel

        calls = [functools.partial(self._read_login, p) for p in missing]
        outcomes = run_parallel(calls, LOGIN_KEY_TIMEOUT, "login-key")
        for provider, (ok, value) in zip(missing, outcomes):
            self._logins.setdefault(provider.id, value if ok and isinstance(value, str) else None)

    def login_of(self, provider_id: str) -> Optional[str]:
        """The login key already read for ``provider_id`` (None when none was)."""
        return self._logins.get(provider_id)

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
        self._providers.update((p.id, p) for p in providers)
        self.find_logins(providers)
        now = self.clock()
        results: Dict[str, ProviderResult] = {}
        to_fetch: List[Provider] = []
        for provider in providers:
            login = self.login_of(provider.id)
            cached = self.cache.load(provider.id, login)
            # Offline, a snapshot of another login is named rather than silently missing.
            foreign = (
                options.offline and cached is None and self.cache.other_login(provider.id, login)
            )
            settled = serve_from_cache(
                provider, cached, options, self.config.fetch, now, other_login=foreign
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
        # One rule for every strategy and the cache: data observed too long ago is stale.
        observed = self.clock()
        return [
            with_observation_age(
                replace(results[p.id], login=self.login_of(p.id)), self.config.fetch, observed
            )
            for p in providers
        ]

    # -- what the runner is given ----------------------------------------------------------

    def _stale_fallback(self, provider_id: str) -> Optional[UsageSnapshot]:
        """What a failed provider shows as stale: the cache, or newer local data a strategy
        keeps (Claude's statusline capture) when it offers a ``fallback``."""
        cached = self.cache.load(provider_id, self.login_of(provider_id))
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

    def _load_gate(self, provider_id: str, strategy: str) -> Any:
        return self.gate.load(provider_id, strategy, self.login_of(provider_id))

    def _remember_login(self, provider: Provider) -> None:
        """Read a provider's login key now (in its availability check's thread)."""
        self._logins.setdefault(provider.id, self._read_login(provider))

    def _read_login(self, provider: Provider) -> Optional[str]:
        """The provider's login key; None when it has no reader or the reader fails."""
        if provider.login_key is None:
            return None
        try:
            key = provider.login_key(self._context(provider, 0.0))
        except Exception:  # a login key is local bookkeeping: never a reason to fail
            return None
        return key if isinstance(key, str) and key else None

    def _chain(self, provider: Provider) -> Tuple[Strategy, ...]:
        return provider.strategies_for(self.config.provider(provider.id).auth_source)

    def _context(self, provider: Provider, timeout: float) -> "FetchContext":
        from ..config import tools_ban
        from ..providers.base import FetchContext

        ctx = FetchContext.for_provider(
            provider,
            self.environ,
            self.paths,
            self.config.provider(provider.id),
            self.clock,
            timeout,
            tools_ban(self.config, provider.id, self.environ),
        )
        ctx.login = self.login_of(provider.id)
        return ctx

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
