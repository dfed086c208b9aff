"""The run: providers concurrently, each strategy under its timeout, all under a deadline.

This is where the run's concurrency lives (``background`` holds its one primitive for
callers elsewhere: an exchange that can be abandoned). Providers run in a
ThreadPoolExecutor; inside a provider's worker, every call into provider code (the
availability checks, each strategy's fetch) runs in its own *daemon* thread that the
worker waits on for at most its time budget, polling the run's cancel flag. A call that
hangs is abandoned there: the worker moves on, and because the abandoned thread is a daemon
it cannot keep the process alive. The cancel flag is set on every way out of
:meth:`Runner.run` (done, deadline, Ctrl-C, SIGTERM), so executor workers, which the
interpreter joins at exit, always return within a poll interval.
"""

import functools
import logging
import threading
import time
from dataclasses import replace
from datetime import datetime
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..background import Background
from ..errors import ErrorCategory, VibeusageError
from ..models import Attempt, UsageSnapshot
from ..providers.base import FetchContext, FetchResult
from ..providers.manifest import Provider, Strategy
from .plan import all_gates_closed, gate_error, with_stale
from .record import Recorder
from .results import ProviderResult, RunOptions

log = logging.getLogger(__name__)

#: How often a waiting worker looks at the cancel flag (also the exit latency on Ctrl-C).
POLL = 0.05
#: How long before a strategy's budget ends its HTTP exchanges must have ended.
HTTP_MARGIN = 0.5
#: Availability checks are local; one that takes longer than this is treated as "no".
AVAILABILITY_TIMEOUT = 5.0

ProgressCallback = Callable[[List[str], float], None]
#: Attaches a status page being fetched to a snapshot, waiting at most the seconds given.
AttachStatus = Callable[[UsageSnapshot, float], UsageSnapshot]


class Cancelled(Exception):
    """The run was cut short while a call was still running (never a provider failure)."""


class Runner:
    """Runs providers' strategy chains; knows nothing about caches beyond what it is given."""

    def __init__(
        self,
        make_context: Callable[[Provider, float], FetchContext],
        chain_of: Callable[[Provider], Tuple[Strategy, ...]],
        load_gate: Callable[[str, str], Any],
        load_cached: Callable[[str], Optional[UsageSnapshot]],
        recorder: Recorder,
        clock: Callable[[], datetime],
        start_status: Callable[[Provider, float, Any], "AttachStatus"],
        with_credentials: Optional[Callable[[Provider], None]] = None,
    ) -> None:
        self.make_context = make_context
        self.chain_of = chain_of
        self.load_gate = load_gate
        self.load_cached = load_cached
        self.recorder = recorder
        self.clock = clock
        self.start_status = start_status
        #: Called, in the availability check's thread, for a provider found to have
        #: credentials (the pipeline reads its login key there, at the same time).
        self.with_credentials = with_credentials
        self._available: Dict[str, Tuple[Strategy, ...]] = {}
        #: provider id -> strategy name -> why its credentials can never work.
        self._unusable: Dict[str, Dict[str, str]] = {}
        self._available_lock = threading.Lock()

    # -- availability (once per provider per run, never on the main thread) -------------

    def available_chain(
        self, provider: Provider, cancel: Optional[threading.Event] = None
    ) -> Tuple[Strategy, ...]:
        """The provider's chain (``auth_source`` applied) less the strategies not available."""
        with self._available_lock:
            known = self._available.get(provider.id)
        if known is not None:
            return known
        ctx = self.make_context(provider, 0.0)
        found = []
        for strategy in self.chain_of(provider):
            try:
                ok = call_bounded(
                    functools.partial(_is_available, strategy, ctx),
                    AVAILABILITY_TIMEOUT,
                    cancel,
                    f"{provider.id}-{strategy.name}-available",
                )
            except Cancelled:
                raise
            except Exception:  # an availability check must never break the run
                log.debug("available() of %s/%s failed", provider.id, strategy.name, exc_info=True)
                ok = False
            if ok:
                found.append(strategy)
                self._note_unusable(provider, strategy, ctx, cancel)
        chain = tuple(found)
        with self._available_lock:
            self._available.setdefault(provider.id, chain)
        return chain

    def _note_unusable(
        self,
        provider: Provider,
        strategy: Strategy,
        ctx: FetchContext,
        cancel: Optional[threading.Event],
    ) -> None:
        """Remember why an available strategy's credentials can never work, if they cannot."""
        try:
            reason = call_bounded(
                functools.partial(strategy.unusable, ctx),
                AVAILABILITY_TIMEOUT,
                cancel,
                f"{provider.id}-{strategy.name}-usable",
            )
        except Cancelled:
            raise
        except Exception:  # a broken check leaves the strategy usable: it reports itself
            log.debug("unusable() of %s/%s failed", provider.id, strategy.name, exc_info=True)
            return
        if reason:
            with self._available_lock:
                self._unusable.setdefault(provider.id, {})[strategy.name] = str(reason)

    def usable(self, provider: Provider) -> bool:
        """Whether an available strategy of the provider's chain can work (not all unusable)."""
        chain = self.available_chain(provider)
        with self._available_lock:
            unusable = self._unusable.get(provider.id, {})
        return any(strategy.name not in unusable for strategy in chain)

    def check_availability(self, providers: Sequence[Provider]) -> None:
        """Fill the availability of ``providers`` concurrently (for provider selection)."""
        missing = [p for p in providers if p.id not in self._available]
        if not missing:
            return
        cancel = threading.Event()
        threads = [
            threading.Thread(
                target=self._safe_availability,
                args=(p, cancel),
                name=f"vibeusage-{p.id}-availability",
                daemon=True,
            )
            for p in missing
        ]
        try:
            for thread in threads:
                thread.start()
            end = time.monotonic() + AVAILABILITY_TIMEOUT * 2
            for thread in threads:
                while thread.is_alive() and time.monotonic() < end:
                    thread.join(POLL)
        finally:
            cancel.set()
        with self._available_lock:
            for provider in missing:
                self._available.setdefault(provider.id, ())

    def _safe_availability(self, provider: Provider, cancel: threading.Event) -> None:
        try:
            if self.available_chain(provider, cancel) and self.with_credentials is not None:
                self.with_credentials(provider)
        except Exception:
            log.debug("availability of %s failed", provider.id, exc_info=True)

    # -- the run ------------------------------------------------------------------------------

    def run(
        self,
        providers: Sequence[Provider],
        options: RunOptions,
        timeout: float,
        deadline_s: float,
        max_workers: int,
        on_progress: Optional[ProgressCallback] = None,
    ) -> Dict[str, ProviderResult]:
        """Results of fetching ``providers``, each within ``timeout``, all within the deadline."""
        from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

        started = time.monotonic()
        limits = _Limits(timeout, started + deadline_s, threading.Event(), options)
        results: Dict[str, ProviderResult] = {}
        futures: Dict[Any, Provider] = {}
        executor: Optional[Any] = None
        try:
            # Everything from here on is inside the ``try``: a Ctrl-C at any point, even
            # while workers are being started, reaches the ``finally`` that releases them.
            executor = ThreadPoolExecutor(
                max_workers=max(1, min(max_workers, len(providers))),
                thread_name_prefix="vibeusage",
            )
            for provider in providers:
                futures[executor.submit(self._run_provider, provider, limits)] = provider
            pending = set(futures)
            while pending:
                remaining = limits.deadline - time.monotonic()
                if remaining <= 0:
                    break
                done, pending = wait(
                    pending, timeout=min(0.1, remaining), return_when=FIRST_COMPLETED
                )
                for future in done:
                    results[futures[future].id] = future.result()
                if on_progress is not None and pending:
                    on_progress([futures[f].id for f in pending], time.monotonic() - started)
        finally:
            limits.cancel.set()
            if executor is not None:
                executor.shutdown(wait=False, cancel_futures=True)
        for provider in providers:
            if provider.id not in results:
                error = VibeusageError(
                    f"{provider.name} did not finish within the {deadline_s:g} s deadline",
                    ErrorCategory.NETWORK,
                    remediation="Retry later, or raise the limit with `--timeout`.",
                    provider=provider.id,
                )
                results[provider.id] = with_stale(
                    provider, error, self.load_cached(provider.id), (), int(deadline_s * 1000)
                )
        return results

    def _run_provider(self, provider: Provider, limits: "_Limits") -> ProviderResult:
        """Try the provider's strategies in order (runs in an executor worker)."""
        from ..kit.http_errors import classify_exception

        try:
            result = self._run_chain(provider, limits)
        except Cancelled:
            error = VibeusageError(
                f"{provider.name}: the run was interrupted", ErrorCategory.NETWORK
            )
            return with_stale(provider, error, self.load_cached(provider.id))
        except Exception as exc:  # the worker must always hand back a result
            log.debug("unexpected failure in %s", provider.id, exc_info=True)
            error = classify_exception(exc, provider.name).for_provider(provider.id)
            result = ProviderResult(provider, error=error)
        if result.attempts:
            self.recorder.finished(result)
        return result

    def _run_chain(self, provider: Provider, limits: "_Limits") -> ProviderResult:
        started = time.monotonic()
        chain = self.available_chain(provider, limits.cancel)
        if not chain:
            return with_stale(
                provider, provider.no_credentials_error(), self.load_cached(provider.id)
            )
        now = self.clock()
        if not limits.options.refresh:
            closed = all_gates_closed(
                provider, [self.load_gate(provider.id, s.name) for s in chain], now
            )
            if closed is not None:
                return with_stale(provider, closed, self.load_cached(provider.id))
        attempts: List[Attempt] = []
        first_error: Optional[VibeusageError] = None
        offline = False
        # The status page is fetched while the strategies run, never after them.
        attach_status = (
            self.start_status(provider, limits.timeout, limits.cancel)
            if limits.options.with_status
            else None
        )
        for strategy in chain:
            if offline and _needs_network(strategy):
                attempts.append(Attempt(strategy.name, False, 0, "skipped: no network"))
                continue
            budget = min(limits.timeout, limits.deadline - time.monotonic())
            if budget <= 0 or limits.cancel.is_set():
                first_error = first_error or VibeusageError(
                    f"{provider.name} ran out of time before trying `{strategy.name}`",
                    ErrorCategory.NETWORK,
                )
                break
            gate = self.load_gate(provider.id, strategy.name)
            if not limits.options.refresh and gate.is_closed(self.clock()):
                error = gate_error(provider, gate.reason, gate.closed_until, gate.category)
                attempts.append(Attempt(strategy.name, False, 0, f"skipped: {error.message}"))
                first_error = first_error or error
                continue
            outcome, elapsed_ms, cancelled = self._attempt(provider, strategy, budget, limits)
            if outcome.snapshot is not None:
                attempts.append(Attempt(strategy.name, True, elapsed_ms))
                snapshot = outcome.snapshot
                # "web:firefox" names the strategy and where its credential came from.
                if snapshot.source.split(":", 1)[0] != strategy.name:
                    snapshot = replace(snapshot, source=strategy.name)
                self.recorder.succeeded(provider, strategy.name, snapshot)
                if attach_status is not None:
                    snapshot = attach_status(snapshot, limits.deadline - time.monotonic())
                return ProviderResult(
                    provider,
                    snapshot=snapshot,
                    attempts=tuple(attempts),
                    duration_ms=_ms_since(started),
                )
            error = (
                outcome.error or VibeusageError("no data", ErrorCategory.UNKNOWN)
            ).for_provider(provider.id)
            attempts.append(Attempt(strategy.name, False, elapsed_ms, error.message))
            self.recorder.failed(provider, strategy.name, error, cancelled)
            first_error = first_error or error
            # A connection that failed on our side fails for every strategy using the
            # network (a slow answer, a timeout, may be the provider's alone).
            offline = offline or (
                error.category is ErrorCategory.NETWORK and error.cause not in (None, "timeout")
            )
            if cancelled or not outcome.should_fallback:
                break
        assert first_error is not None
        return with_stale(
            provider,
            first_error,
            self.load_cached(provider.id),
            tuple(attempts),
            _ms_since(started),
        )

    def _attempt(
        self, provider: Provider, strategy: Strategy, budget: float, limits: "_Limits"
    ) -> Tuple[FetchResult, int, bool]:
        """One strategy's result, its duration, and whether the run was cancelled meanwhile."""
        from ..kit.http_errors import classify_exception

        ctx = self.make_context(provider, budget)
        ctx.session = limits.session()
        attempt_started = time.monotonic()
        # The strategy's exchanges end a little before the runner stops waiting, so a slow
        # second request (an identity) fails on its own instead of costing the usage data.
        ctx.deadline = attempt_started + budget - min(HTTP_MARGIN, budget / 10)
        try:
            result = call_bounded(
                lambda: strategy.fetch(ctx), budget, limits.cancel, f"{provider.id}-{strategy.name}"
            )
        except Cancelled:
            limits.discard_session()
            error = VibeusageError(
                f"{provider.name} ({strategy.name}) was interrupted", ErrorCategory.NETWORK
            )
            return FetchResult.fail(error, should_fallback=False), _ms_since(attempt_started), True
        except TimeoutError:
            limits.discard_session()  # the abandoned call may still be using it
            error = VibeusageError(
                f"{provider.name} ({strategy.name}) did not answer within {budget:.0f} s",
                ErrorCategory.NETWORK,
                remediation="Retry later, or raise the limit with `--timeout`.",
            )
            return FetchResult.fail(error), _ms_since(attempt_started), False
        except Exception as exc:
            log.debug("%s/%s raised", provider.id, strategy.name, exc_info=True)
            result = FetchResult.fail(classify_exception(exc, provider.name))
        return result, _ms_since(attempt_started), False


class _Limits:
    """Shared by the workers of one run: time limits, the cancel flag, Sessions per thread."""

    def __init__(
        self, timeout: float, deadline: float, cancel: threading.Event, options: RunOptions
    ) -> None:
        self.timeout = timeout
        self.deadline = deadline  # a time.monotonic() value
        self.cancel = cancel
        self.options = options
        self._local = threading.local()

    def session(self) -> Any:
        """This worker's HTTP Session, made on first use (a local-only run imports no requests)."""
        session = getattr(self._local, "session", None)
        if session is None:
            session = _LazySession(self.timeout)
            self._local.session = session
        return session

    def discard_session(self) -> None:
        """Forget this thread's Session (after a timed-out call that may still be using it)."""
        self._local.session = None


class _LazySession:
    """Stands in for a worker's Session until a strategy makes its first request.

    A strategy may send requests from several threads at once (``kit.parallel``): the
    Session is made once, under a lock.
    """

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._session: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    from ..http import make_session

                    self._session = make_session(self._timeout)
        return getattr(self._session, name)


def call_bounded(
    call: Callable[[], Any], timeout: float, cancel: Optional[threading.Event], name: str
) -> Any:
    """``call()`` in a daemon thread, waited on for ``timeout`` seconds.

    Returns its value or raises its exception; raises TimeoutError when it did not finish
    in time and Cancelled when ``cancel`` was set first (the thread is then abandoned:
    being a daemon, it cannot hold the process open).
    """
    box: List[Tuple[bool, Any]] = []

    def target() -> None:
        try:
            box.append((True, call()))
        except BaseException as exc:  # handed to the waiting thread, which re-raises it
            box.append((False, exc))

    thread = threading.Thread(target=target, name=f"vibeusage-{name}", daemon=True)
    thread.start()
    end = time.monotonic() + timeout
    while thread.is_alive():
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        remaining = end - time.monotonic()
        if remaining <= 0:
            raise TimeoutError()
        thread.join(min(remaining, POLL))
    ok, value = box[0]
    if not ok:
        raise value
    return value


def call_all_bounded(
    calls: Sequence[Callable[[], Any]], timeout: float, name: str
) -> List[Tuple[bool, Any]]:
    """Every ``call()`` at once, each in a daemon thread, all waited on for ``timeout``.

    Per call: ``(True, value)``, ``(False, exception)``, or ``(False, TimeoutError())`` for
    one still running at the end (abandoned: a name that never resolves, a server that never
    sends headers, cannot hold the command or the interpreter's exit).
    """
    started = [Background(call, f"vibeusage-{name}") for call in calls]
    end = time.monotonic() + timeout
    return [background.outcome(end) for background in started]


def _is_available(strategy: Strategy, ctx: FetchContext) -> bool:
    return bool(strategy.available(ctx))


def _ms_since(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


def _needs_network(strategy: Strategy) -> bool:
    """The strategy's own ``needs_network`` (a reference's code is loaded to read it)."""
    from ..providers.manifest import StrategyRef

    target = strategy.load() if isinstance(strategy, StrategyRef) else strategy
    return bool(getattr(target, "needs_network", True))
