"""Recorders: what a run leaves behind, observed from its attempts and results.

The runner tells every recorder about each strategy attempt and each provider's result;
recorders keep the snapshot cache, the failure gate and the last-run record (and later
the history ledger). A recorder never costs the user their data: its own failures are
logged and dropped.
"""

import logging
from datetime import datetime
from typing import Any, Callable, Optional, Sequence

from ..cache import FailureGate, LastRun, SnapshotCache
from ..errors import ErrorCategory, VibeusageError
from ..models import UsageSnapshot
from ..providers.manifest import Provider
from .plan import counts_against_gate
from .results import ProviderResult

log = logging.getLogger(__name__)


def _no_login(provider_id: str) -> Optional[str]:
    return None


class Recorder:
    """Observes a run; every method does nothing unless overridden.

    ``logins`` gives the login key of a provider in this run (the pipeline sets it with
    :meth:`use_logins`): what a recorder keeps is tied to that login.
    """

    logins: Callable[[str], Optional[str]] = staticmethod(_no_login)

    def use_logins(self, logins: Callable[[str], Optional[str]]) -> None:
        """Where the login key of a provider comes from in this run."""
        self.logins = logins

    def succeeded(self, provider: Provider, strategy: str, snapshot: UsageSnapshot) -> None:
        """A strategy produced ``snapshot``."""

    def failed(
        self, provider: Provider, strategy: str, error: VibeusageError, cancelled: bool
    ) -> None:
        """A strategy failed; ``cancelled`` when the run itself was cut short."""

    def finished(self, result: ProviderResult) -> None:
        """A provider's fetch ended (not called for answers served from the cache)."""


class SnapshotRecorder(Recorder):
    """Every successful snapshot becomes the provider's cached one (atomic write)."""

    def __init__(self, cache: SnapshotCache) -> None:
        self.cache = cache

    def succeeded(self, provider: Provider, strategy: str, snapshot: UsageSnapshot) -> None:
        try:
            self.cache.save(snapshot, self.logins(provider.id))
        except (OSError, ValueError, ArithmeticError) as exc:
            # A read-only cache (or an odd value) must not cost the user their data.
            log.debug("cannot write cache for %s: %s", provider.id, exc)


class GateRecorder(Recorder):
    """Successes reopen a strategy's gate; counted failures close it (not cancelled ones)."""

    def __init__(self, gate: FailureGate, clock: Callable[[], datetime]) -> None:
        self.gate = gate
        self.clock = clock

    def succeeded(self, provider: Provider, strategy: str, snapshot: UsageSnapshot) -> None:
        try:
            self.gate.record_success(provider.id, strategy, self.logins(provider.id))
        except OSError as exc:
            log.debug("cannot update the failure gate of %s: %s", provider.id, exc)

    def failed(
        self, provider: Provider, strategy: str, error: VibeusageError, cancelled: bool
    ) -> None:
        if not counts_against_gate(error, cancelled):
            return
        retry_after = error.retry_after if error.category is ErrorCategory.RATE_LIMITED else None
        try:
            self.gate.record_failure(
                provider.id,
                self.clock(),
                error.message,
                retry_after,
                strategy=strategy,
                category=error.category.value,
                login=self.logins(provider.id),
            )
        except OSError as exc:
            log.debug("cannot write failure gate for %s: %s", provider.id, exc)


class LastRunRecorder(Recorder):
    """The attempts of the last network run of each provider, for ``vibeusage doctor``."""

    def __init__(self, last_run: LastRun, clock: Callable[[], datetime]) -> None:
        self.last_run = last_run
        self.clock = clock

    def finished(self, result: ProviderResult) -> None:
        try:
            self.last_run.save(result, self.clock(), self.logins(result.provider_id))
        except OSError as exc:
            log.debug("cannot record the run of %s: %s", result.provider_id, exc)


class Recorders(Recorder):
    """Several recorders told the same things, in order; one that raises stops no other."""

    def __init__(self, recorders: Sequence[Recorder]) -> None:
        self.recorders = tuple(recorders)

    def use_logins(self, logins: Callable[[str], Optional[str]]) -> None:
        super().use_logins(logins)
        for recorder in self.recorders:
            recorder.use_logins(logins)

    def succeeded(self, provider: Provider, strategy: str, snapshot: UsageSnapshot) -> None:
        self._tell("succeeded", provider, strategy, snapshot)

    def failed(
        self, provider: Provider, strategy: str, error: VibeusageError, cancelled: bool
    ) -> None:
        self._tell("failed", provider, strategy, error, cancelled)

    def finished(self, result: ProviderResult) -> None:
        self._tell("finished", result)

    def _tell(self, event: str, *args: Any) -> None:
        for recorder in self.recorders:
            try:
                getattr(recorder, event)(*args)
            except Exception:  # a recorder must never cost the run its results
                log.debug("recorder %s failed", type(recorder).__name__, exc_info=True)
