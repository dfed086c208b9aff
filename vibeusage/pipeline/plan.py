"""Planning a run, purely: what the cache and the failure gate can answer without a fetch.

Everything here is a function of data already read (the cached snapshot, gate states, the
clock's reading, the options): no file, thread or network access, so every rule is a unit
test. The runner asks these functions before and during a fetch; the pipeline applies
:func:`with_observation_age` to every result, however it was produced.
"""

from dataclasses import replace
from datetime import datetime
from typing import Optional, Sequence

from ..cache import GateState
from ..config import FetchConfig
from ..errors import ErrorCategory, Severity, VibeusageError
from ..models import UsageSnapshot
from ..providers.manifest import Provider
from .results import ProviderResult, RunOptions

#: Categories that count against the failure gate (a login problem does not: once the
#: user logs in again they want the next run to try at once).
GATED_CATEGORIES = frozenset(
    {ErrorCategory.NETWORK, ErrorCategory.RATE_LIMITED, ErrorCategory.PROVIDER}
)


def serve_from_cache(
    provider: Provider,
    cached: Optional[UsageSnapshot],
    options: RunOptions,
    fetch: FetchConfig,
    now: datetime,
    other_login: bool = False,
) -> Optional[ProviderResult]:
    """The answer ``--offline`` or a fresh snapshot gives, or None when a fetch is needed.

    ``cached`` is the snapshot of the current login only; ``other_login`` says that one of
    another login is cached (offline, that is named rather than shown).
    """
    if options.offline:
        return _offline(provider, cached, fetch, now, other_login)
    if options.refresh or cached is None:
        return None
    age = (now - cached.fetched_at).total_seconds()
    if 0 <= age < fetch.fresh_ttl:
        return ProviderResult(provider, snapshot=cached, cached=True)
    return None


def _offline(
    provider: Provider,
    cached: Optional[UsageSnapshot],
    fetch: FetchConfig,
    now: datetime,
    other_login: bool = False,
) -> ProviderResult:
    if cached is None:
        message = f"No cached {provider.name} data to show offline"
        if other_login:
            message = (
                f"The cached {provider.name} data belongs to another login: nothing to show offline"
            )
        return ProviderResult(
            provider,
            error=VibeusageError(
                message,
                # Exit 3: the data exists only behind the network --offline forbids.
                ErrorCategory.NETWORK,
                remediation="Run once without `--offline` to fill the cache.",
                provider=provider.id,
            ),
        )
    age = (now - cached.fetched_at).total_seconds()
    if age > fetch.stale_threshold:
        return ProviderResult(
            provider,
            snapshot=cached,
            cached=True,
            stale=True,
            error=VibeusageError(
                f"Offline: {provider.name} data is {format_age(age)} old",
                ErrorCategory.NETWORK,
                severity=Severity.WARNING,
                remediation="Run without `--offline` to refresh it.",
                provider=provider.id,
            ),
        )
    return ProviderResult(provider, snapshot=cached, cached=True)


def all_gates_closed(
    provider: Provider, states: Sequence[GateState], now: datetime
) -> Optional[VibeusageError]:
    """An error naming the next try when every usable strategy is resting, else None."""
    if not states or not all(state.is_closed(now) for state in states):
        return None
    reopen = min(s.closed_until for s in states if s.closed_until is not None)
    return gate_error(provider, states[0].reason, reopen, states[0].category)


def gate_error(
    provider: Provider, reason: Optional[str], reopen: datetime, category: Optional[str] = None
) -> VibeusageError:
    """The error of a closed gate, in the category of the failure that closed it."""
    local = reopen.astimezone().strftime("%H:%M")
    known = {c.value: c for c in GATED_CATEGORIES}
    return VibeusageError(
        f"{provider.name} is paused after failures ({reason or 'backing off'}); "
        f"next try at {local}",
        known.get(category or "", ErrorCategory.RATE_LIMITED),
        remediation="Wait until then, or use `--refresh` to try now.",
        provider=provider.id,
    )


#: Causes on our side of the wire: the provider never saw the request, so nothing is spared
#: by pausing it, and a quick manual retry after fixing the network must go through.
LOCAL_CAUSES = frozenset({"dns", "refused", "proxy", "tls"})


def counts_against_gate(error: VibeusageError, cancelled: bool) -> bool:
    """Whether a failed attempt closes the gate a little more (a cancelled one never does)."""
    if cancelled or error.category not in GATED_CATEGORIES:
        return False
    return error.cause not in LOCAL_CAUSES


def with_stale(
    provider: Provider,
    error: VibeusageError,
    cached: Optional[UsageSnapshot],
    attempts: tuple = (),  # type: ignore[type-arg]
    duration_ms: int = 0,
) -> ProviderResult:
    """The failed result, carrying the last good snapshot (marked stale) when there is one."""
    return ProviderResult(
        provider,
        snapshot=cached,
        error=error.for_provider(provider.id),
        cached=cached is not None,
        stale=cached is not None,
        attempts=attempts,
        duration_ms=duration_ms,
    )


def with_observation_age(
    result: ProviderResult, fetch: FetchConfig, now: datetime
) -> ProviderResult:
    """The result, marked stale when its data was observed longer ago than
    ``fetch.stale_threshold``, whichever strategy produced it.

    A snapshot's ``fetched_at`` is when its data was observed: the request's time for an
    API, the reading's own time for another tool's files (a session log's event, a
    statusline capture), which can be days old although it was read just now.
    """
    snapshot = result.snapshot
    if snapshot is None or result.stale:
        return result
    age = (now - snapshot.fetched_at).total_seconds()
    if age <= fetch.stale_threshold:
        return result
    provider = result.provider
    error = result.error or VibeusageError(
        f"{provider.name} data was observed {format_age(age)} ago "
        f"({snapshot.source}); nothing newer was found",
        ErrorCategory.NOT_FOUND,
        severity=Severity.WARNING,
        remediation=f"Use {provider.name} again, or use a source that asks the provider; "
        "`fetch.stale_threshold` sets how old data may be.",
        provider=provider.id,
    )
    return replace(result, stale=True, error=error)


def format_age(seconds: float) -> str:
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    return f"{int(seconds // 86400)}d"
