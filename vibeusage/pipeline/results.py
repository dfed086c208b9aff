"""What a run is asked for and what it produces for each provider."""

from dataclasses import dataclass
from typing import Optional, Tuple

from ..errors import VibeusageError
from ..models import Attempt, UsageSnapshot
from ..providers.manifest import Provider


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
    #: The login key the run read for the provider (the snapshot, if any, is of that login).
    login: Optional[str] = None

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
