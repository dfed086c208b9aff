"""Fake providers and strategies for pipeline and CLI tests (no network, no real tools)."""

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable, List, Optional, Sequence

from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot
from vibeusage.providers.base import FetchContext, FetchResult, Provider, Strategy


class FakeStrategy(Strategy):
    """A strategy whose availability and behaviour are set by the test."""

    def __init__(
        self,
        provider_id: str,
        name: str = "fake",
        *,
        available: bool = True,
        delay: float = 0.0,
        error: Optional[VibeusageError] = None,
        should_fallback: bool = True,
        hang: Optional[threading.Event] = None,
        utilization: int = 40,
        behaviour: Optional[Callable[[FetchContext], FetchResult]] = None,
    ) -> None:
        self.provider_id = provider_id
        self.name = name
        self.label = f"fake {name}"
        self._available = available
        self.delay = delay
        self.error = error
        self.should_fallback = should_fallback
        self.hang = hang
        self.utilization = utilization
        self.behaviour = behaviour
        self.calls = 0
        self.threads: List[str] = []

    def available(self, ctx: FetchContext) -> bool:
        return self._available

    def fetch(self, ctx: FetchContext) -> FetchResult:
        self.calls += 1
        self.threads.append(threading.current_thread().name)
        if self.hang is not None:
            self.hang.wait()  # blocks until the test releases it
        if self.delay:
            time.sleep(self.delay)
        if self.behaviour is not None:
            return self.behaviour(ctx)
        if self.error is not None:
            return FetchResult.fail(self.error, self.should_fallback)
        return FetchResult.ok(snapshot_for(self.provider_id, ctx.now(), self.utilization))


def snapshot_for(provider_id: str, now: datetime, utilization: int = 40) -> UsageSnapshot:
    return UsageSnapshot(
        provider=provider_id,
        fetched_at=now,
        periods=(
            UsagePeriod("Session (5h)", utilization, PeriodType.SESSION, now + timedelta(hours=2)),
        ),
        source="fake",
    )


def fake_provider(
    provider_id: str, strategies: Sequence[Strategy], status_url: Optional[str] = None
) -> Provider:
    return Provider(
        id=provider_id,
        name=provider_id.title(),
        homepage=f"https://{provider_id}.example",
        dashboard_url=f"https://{provider_id}.example/usage",
        status_url=status_url,
        strategies=tuple(strategies),
        setup_hint=f"Log in to {provider_id}.",
    )


def network_error(message: str = "boom") -> VibeusageError:
    return VibeusageError(message, ErrorCategory.NETWORK)


FIXED_NOW = datetime(2026, 1, 16, 10, 30, tzinfo=timezone.utc)
