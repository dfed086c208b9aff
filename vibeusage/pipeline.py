"""Run providers concurrently: cache reuse, failure gate, strategy fallback under timeouts.

Threads: providers run in a ThreadPoolExecutor; inside a provider's worker each strategy
runs in its own *daemon* thread that the worker waits on for at most the strategy's
timeout. A strategy that hangs is abandoned there: the worker moves on, the command
finishes on time, and because the abandoned thread is a daemon it cannot keep the
process alive after the output is written (executor workers are joined at exit, daemon
threads are not).
"""

import logging
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from .cache import FailureGate, LastRun, SnapshotCache
from .config import Config
from .errors import ErrorCategory, Severity, VibeusageError
from .kit.http_errors import classify_exception
from .models import Attempt, ProviderStatus, StatusLevel, UsageSnapshot
from .paths import Paths
from .providers.base import FetchContext, FetchResult, Provider
from .timeparse import utcnow

if TYPE_CHECKING:
    from .http import SessionPool

log = logging.getLogger(__name__)

#: Categories that count against the failure gate (a login problem does not: once the
#: user logs in again they want the next run to try at once).
GATED_CATEGORIES = frozenset(
    {ErrorCategory.NETWORK, ErrorCategory.RATE_LIMITED, ErrorCategory.PROVIDER}
)


@dataclass(frozen=True)
class ProviderResult:
    """What one provider produced in a run: data, an error, or stale data with an error."""

    provider: Provider
    snapshot: Optional[UsageSnapshot] = None
    error: Optional[VibeusageError] = None
    cached: bool = False
    stale: bool = False
    attempts: Tuple[Attempt, ...] = ()
    duration_ms: int = 0

    @property
    def provider_id(self) -> str:
        return self.provider.id

    @property
    def fresh(self) -> bool:
        return self.snapshot is not None and not self.stale and self.error is None


@dataclass
class RunOptions:
    refresh: bool = False
    offline: bool = False
    timeout: Optional[float] = None
    deadline: Optional[float] = None
    #: Also ask each provider's status page (one more request per provider).
    with_status: bool = False


@dataclass
class Pipeline:
    """Everything a run needs, injected (tests replace the clock or the session factory)."""

    config: Config
    paths: Paths
    environ: Mapping[str, str]
    clock: Callable[[], datetime] = utcnow
    _cache: SnapshotCache = field(init=False)
    _gate: FailureGate = field(init=False)

    def __post_init__(self) -> None:
        self._cache = SnapshotCache(self.paths.snapshots_dir)
        self._gate = FailureGate(self.paths.gate_dir)

    # -- public ------------------------------------------------------------------------

    def has_credentials(self, provider: Provider) -> bool:
        ctx = self._context(provider, timeout=0.0)
        chain = provider.strategies_for(self.config.provider(provider.id).auth_source)
        return any(_safe_available(s, ctx) for s in chain)

    def has_cache(self, provider: Provider) -> bool:
        return self._cache.path(provider.id).is_file()

    def run(
        self,
        providers: Sequence[Provider],
        options: RunOptions,
        on_progress: Optional[Callable[[List[str], float], None]] = None,
    ) -> List[ProviderResult]:
        """Results for ``providers``, in the given order.

        Cache-only answers (``--offline``, a fresh snapshot, a closed gate) are settled
        here without threads or network; the rest run concurrently.
        """
        results: Dict[str, ProviderResult] = {}
        to_fetch: List[Provider] = []
        for provider in providers:
            settled = self._from_cache_only(provider, options)
            if settled is not None:
                results[provider.id] = settled
            else:
                to_fetch.append(provider)
        if to_fetch:
            results.update(self._fetch_concurrently(to_fetch, options, on_progress))
        return [results[p.id] for p in providers]

    # -- cache-only paths ----------------------------------------------------------------

    def _from_cache_only(self, provider: Provider, options: RunOptions) -> Optional[ProviderResult]:
        now = self.clock()
        cached = self._cache.load(provider.id)
        if options.offline:
            if cached is None:
                return ProviderResult(
                    provider,
                    error=VibeusageError(
                        f"No cached {provider.name} data to show offline",
                        ErrorCategory.NOT_FOUND,
                        remediation="Run once without `--offline` to fill the cache.",
                        provider=provider.id,
                    ),
                )
            age = (now - cached.fetched_at).total_seconds()
            if age > self.config.fetch.stale_threshold:
                return ProviderResult(
                    provider,
                    snapshot=cached,
                    cached=True,
                    stale=True,
                    error=VibeusageError(
                        f"Offline: {provider.name} data is {_age(age)} old",
                        ErrorCategory.NETWORK,
                        severity=Severity.WARNING,
                        remediation="Run without `--offline` to refresh it.",
                        provider=provider.id,
                    ),
                )
            return ProviderResult(provider, snapshot=cached, cached=True)
        if options.refresh:
            return None
        if cached is not None:
            age = (now - cached.fetched_at).total_seconds()
            if 0 <= age < self.config.fetch.fresh_ttl:
                return ProviderResult(provider, snapshot=cached, cached=True)
        error = self._all_gates_closed(provider, now)
        if error is not None:
            return ProviderResult(
                provider,
                snapshot=cached,
                cached=cached is not None,
                stale=cached is not None,
                error=error,
            )
        return None

    def _all_gates_closed(self, provider: Provider, now: datetime) -> Optional[VibeusageError]:
        """An error naming the next try when every usable strategy is resting, else None."""
        ctx = self._context(provider, timeout=0.0)
        chain = [s for s in self._chain(provider) if _safe_available(s, ctx)]
        states = [self._gate.load(provider.id, s.name) for s in chain]
        if not states or not all(state.is_closed(now) for state in states):
            return None
        reopen = min(s.closed_until for s in states if s.closed_until is not None)
        return _gate_error(provider, states[0].reason, reopen)

    def _chain(self, provider: Provider) -> Tuple[Any, ...]:
        return provider.strategies_for(self.config.provider(provider.id).auth_source)

    # -- network paths ---------------------------------------------------------------------

    def _fetch_concurrently(
        self,
        providers: List[Provider],
        options: RunOptions,
        on_progress: Optional[Callable[[List[str], float], None]],
    ) -> Dict[str, ProviderResult]:
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        from .http import SessionPool

        timeout = options.timeout or self.config.fetch.timeout
        deadline_s = options.deadline or max(self.config.fetch.deadline, timeout)
        started = time.monotonic()
        deadline = started + deadline_s
        limits = _Limits(timeout, deadline, SessionPool(timeout), threading.Event(), options)

        workers = min(self.config.fetch.max_concurrent, len(providers))
        executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="vibeusage")
        futures = {executor.submit(self._run_provider, p, limits): p for p in providers}
        results: Dict[str, ProviderResult] = {}
        pending = set(futures)
        try:
            while pending:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                done, pending = wait(
                    pending, timeout=min(0.1, remaining), return_when=FIRST_COMPLETED
                )
                for future in done:
                    provider = futures[future]
                    results[provider.id] = future.result()
                if on_progress is not None and pending:
                    on_progress([futures[f].id for f in pending], time.monotonic() - started)
        finally:
            # Past the deadline or on Ctrl-C: release the workers at once so that none of
            # them delays the interpreter's exit (executor threads are joined there).
            limits.cancel.set()
            executor.shutdown(wait=False, cancel_futures=True)
        for future in pending:
            provider = futures[future]
            results[provider.id] = self._with_stale(
                provider,
                VibeusageError(
                    f"{provider.name} did not finish within the {deadline_s:g} s deadline",
                    ErrorCategory.NETWORK,
                    remediation="Retry later, or raise the limit with `--timeout`.",
                    provider=provider.id,
                ),
                attempts=(),
                duration_ms=int(deadline_s * 1000),
            )
        return results

    def _run_provider(self, provider: Provider, limits: "_Limits") -> ProviderResult:
        """Try the provider's strategies in order (runs in an executor worker)."""
        try:
            result = self._run_chain(provider, limits)
        except Exception as exc:  # the worker must always hand back a result
            log.debug("unexpected failure in %s", provider.id, exc_info=True)
            result = ProviderResult(
                provider, error=classify_exception(exc, provider.name).for_provider(provider.id)
            )
        self._remember_run(result)
        return result

    def _remember_run(self, result: ProviderResult) -> None:
        """Keep the attempts of the last network run for ``vibeusage doctor``."""
        try:
            LastRun(self.paths.cache_dir).save(result, self.clock())
        except OSError as exc:
            log.debug("cannot record the run of %s: %s", result.provider_id, exc)

    def _run_chain(self, provider: Provider, limits: "_Limits") -> ProviderResult:
        started = time.monotonic()
        chain = self._chain(provider)
        attempts: List[Attempt] = []
        first_error: Optional[VibeusageError] = None
        for strategy in chain:
            budget = min(limits.timeout, limits.deadline - time.monotonic())
            if budget <= 0 or limits.cancel.is_set():
                first_error = first_error or VibeusageError(
                    f"{provider.name} ran out of time before trying `{strategy.name}`",
                    ErrorCategory.NETWORK,
                )
                break
            ctx = self._context(provider, timeout=budget)
            if not _safe_available(strategy, ctx):
                continue
            gate = self._gate.load(provider.id, strategy.name)
            if not limits.options.refresh and gate.is_closed(self.clock()):
                assert gate.closed_until is not None
                error = _gate_error(provider, gate.reason, gate.closed_until)
                attempts.append(Attempt(strategy.name, False, 0, f"skipped: {error.message}"))
                first_error = first_error or error
                continue
            # The Session belongs to this worker thread; the strategy borrows it.
            ctx.session = limits.pool.get()
            attempt_started = time.monotonic()
            result = _run_with_timeout(ctx, budget, limits.cancel, provider, strategy)
            elapsed_ms = int((time.monotonic() - attempt_started) * 1000)
            if result is None:
                limits.pool.discard()  # the abandoned call may still be using it
                result = FetchResult.fail(
                    VibeusageError(
                        f"{provider.name} ({strategy.name}) did not answer within {budget:.0f} s",
                        ErrorCategory.NETWORK,
                        remediation="Retry later, or raise the limit with `--timeout`.",
                    )
                )
            if result.snapshot is not None:
                attempts.append(Attempt(strategy.name, True, elapsed_ms))
                snapshot = result.snapshot
                # "web:firefox" names the strategy and where its credential came from.
                if snapshot.source.split(":", 1)[0] != strategy.name:
                    snapshot = replace(snapshot, source=strategy.name)
                self._remember_success(snapshot, strategy.name)
                if limits.options.with_status:
                    snapshot = self._with_status(provider, snapshot, limits)
                return ProviderResult(
                    provider,
                    snapshot=snapshot,
                    attempts=tuple(attempts),
                    duration_ms=_ms_since(started),
                )
            error = (result.error or VibeusageError("no data", ErrorCategory.UNKNOWN)).for_provider(
                provider.id
            )
            attempts.append(Attempt(strategy.name, False, elapsed_ms, error.message))
            self._remember_failure(provider, strategy.name, error)
            if first_error is None:
                first_error = error
            if not result.should_fallback:
                break
        if first_error is None:
            first_error = provider.no_credentials_error()
        return self._with_stale(provider, first_error, tuple(attempts), _ms_since(started))

    def _with_stale(
        self,
        provider: Provider,
        error: VibeusageError,
        attempts: Tuple[Attempt, ...],
        duration_ms: int,
    ) -> ProviderResult:
        cached = self._cache.load(provider.id)
        return ProviderResult(
            provider,
            snapshot=cached,
            error=error.for_provider(provider.id),
            cached=cached is not None,
            stale=cached is not None,
            attempts=attempts,
            duration_ms=duration_ms,
        )

    def _remember_success(self, snapshot: UsageSnapshot, strategy: str) -> None:
        try:
            self._cache.save(snapshot)
            self._gate.record_success(snapshot.provider, strategy)
        except (OSError, ValueError, ArithmeticError) as exc:
            # A read-only cache (or an odd value) must not cost the user their data.
            log.debug("cannot write cache for %s: %s", snapshot.provider, exc)

    def _remember_failure(self, provider: Provider, strategy: str, error: VibeusageError) -> None:
        retry_after = error.retry_after if error.category is ErrorCategory.RATE_LIMITED else None
        if error.category not in GATED_CATEGORIES:
            return
        try:
            self._gate.record_failure(
                provider.id, self.clock(), error.message, retry_after, strategy=strategy
            )
        except OSError as exc:
            log.debug("cannot write failure gate for %s: %s", provider.id, exc)

    def _with_status(
        self, provider: Provider, snapshot: UsageSnapshot, limits: "_Limits"
    ) -> UsageSnapshot:
        """Attach the provider's status page, within what is left of the time budget."""
        if provider.status_url is None:
            return snapshot
        from .status import STATUS_TIMEOUT

        budget = min(STATUS_TIMEOUT, limits.deadline - time.monotonic())
        if budget <= 0.5:
            return snapshot
        status = provider_status(provider, limits.pool.get(), self.clock(), budget)
        return replace(snapshot, status=status)

    def _context(self, provider: Provider, timeout: float) -> FetchContext:
        return FetchContext.for_provider(
            provider,
            self.environ,
            self.paths,
            self.config.provider(provider.id),
            self.clock,
            timeout,
        )


@dataclass(frozen=True)
class _Limits:
    """Shared by the workers of one run: time limits, the Session pool, the cancel flag."""

    timeout: float
    deadline: float  # time.monotonic() value
    pool: "SessionPool"
    cancel: threading.Event
    options: RunOptions


def provider_status(
    provider: Provider, session: Any, now: datetime, timeout: Optional[float] = None
) -> ProviderStatus:
    """The provider's health: its own status reader when it has one, else Statuspage."""
    from .status import fetch_statuspage

    if provider.status_fetch is not None:
        status: ProviderStatus = provider.status_fetch(session, now, timeout)
        return status
    if provider.status_url is None:
        return ProviderStatus(StatusLevel.UNKNOWN, f"no status page; see {provider.homepage}")
    return fetch_statuspage(session, provider.status_url, timeout)


def _gate_error(provider: Provider, reason: Optional[str], reopen: datetime) -> VibeusageError:
    local = reopen.astimezone().strftime("%H:%M")
    return VibeusageError(
        f"{provider.name} is paused after failures ({reason or 'backing off'}); "
        f"next try at {local}",
        ErrorCategory.RATE_LIMITED,
        remediation="Wait until then, or use `--refresh` to try now.",
        provider=provider.id,
    )


def _run_with_timeout(
    ctx: FetchContext,
    timeout: float,
    cancel: threading.Event,
    provider: Provider,
    strategy: Any,
) -> Optional[FetchResult]:
    """Run ``strategy.fetch(ctx)`` in a daemon thread.

    None when it did not finish within ``timeout`` or the run was cancelled; the thread
    is then abandoned (being a daemon, it cannot hold the process open).
    """
    box: List[FetchResult] = []

    def target() -> None:
        try:
            box.append(strategy.fetch(ctx))
        except Exception as exc:
            log.debug("%s/%s raised", provider.id, strategy.name, exc_info=True)
            box.append(FetchResult.fail(classify_exception(exc, provider.name)))

    thread = threading.Thread(
        target=target, name=f"vibeusage-{provider.id}-{strategy.name}", daemon=True
    )
    thread.start()
    end = time.monotonic() + timeout
    while thread.is_alive() and not cancel.is_set():
        remaining = end - time.monotonic()
        if remaining <= 0:
            break
        thread.join(min(remaining, 0.05))
    return box[0] if box else None


def _safe_available(strategy: Any, ctx: FetchContext) -> bool:
    try:
        return bool(strategy.available(ctx))
    except Exception:  # an availability check must never break the run
        log.debug("available() of %s raised", strategy.name, exc_info=True)
        return False


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"
