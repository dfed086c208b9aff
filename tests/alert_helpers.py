"""Builders for alert tests: snapshots, results and fake providers with chosen used percents."""

from datetime import datetime, timedelta, timezone
from typing import Any, Dict, Optional, Sequence, Tuple

from tests.fakes import FakeStrategy, fake_provider
from vibeusage.models import PeriodType, ProviderIdentity, UsagePeriod, UsageSnapshot
from vibeusage.pipeline import ProviderResult
from vibeusage.providers.base import FetchResult

NOW = datetime(2026, 9, 20, 10, 0, tzinfo=timezone.utc)
WEEK_RESET = NOW + timedelta(days=4, hours=3, minutes=30)
SESSION_RESET = NOW + timedelta(hours=2)

#: (name, used, period type, resets_at) of a window.
Window = Tuple[str, int, PeriodType, Optional[datetime]]


def weekly(used: int, resets_at: Optional[datetime] = WEEK_RESET) -> Window:
    return ("Weekly", used, PeriodType.WEEKLY, resets_at)


def session(used: int, resets_at: Optional[datetime] = SESSION_RESET) -> Window:
    return ("Session (5h)", used, PeriodType.SESSION, resets_at)


def snapshot(
    provider: str,
    windows: Sequence[Window],
    fetched_at: datetime = NOW,
    email: Optional[str] = None,
    source: str = "fake",
) -> UsageSnapshot:
    return UsageSnapshot(
        provider=provider,
        fetched_at=fetched_at,
        periods=tuple(UsagePeriod(n, u, t, r) for n, u, t, r in windows),
        identity=ProviderIdentity(email=email) if email else None,
        source=source,
    )


class Scripted:
    """A fake provider whose windows the test changes between runs."""

    def __init__(self, provider_id: str, *windows: Window, email: Optional[str] = None) -> None:
        self.windows = list(windows)
        self.email = email
        self.error: Any = None
        self.strategy = FakeStrategy(provider_id, behaviour=self._fetch)
        self.provider = fake_provider(provider_id, [self.strategy])

    def _fetch(self, ctx: Any) -> FetchResult:
        if self.error is not None:
            return FetchResult.fail(self.error)
        return FetchResult.ok(snapshot(self.provider.id, self.windows, ctx.now(), email=self.email))


def fresh(provider: Any, snap: UsageSnapshot) -> ProviderResult:
    return ProviderResult(provider, snapshot=snap)


def stale(provider: Any, snap: UsageSnapshot, error: Any) -> ProviderResult:
    return ProviderResult(provider, snapshot=snap, error=error, cached=True, stale=True)


def minutes(n: float) -> datetime:
    return NOW + timedelta(minutes=n)


def by_key(events: Sequence[Dict[str, Any]]) -> Dict[Tuple[str, str], Any]:
    return {(e["provider"], e["window"]): e["threshold"] for e in events}
