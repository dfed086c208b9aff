"""What a strategy is, what it is given (the context) and what it returns."""

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from ..config import ProviderConfig
from ..errors import VibeusageError
from ..kit.http import Http, json_body
from ..kit.state import ProviderState
from ..models import UsageSnapshot
from ..paths import Paths
from ..timeparse import utcnow
from .manifest import Provider, SecretSpec, Strategy, StrategyRef

__all__ = [
    "FetchContext",
    "FetchResult",
    "LoginFlow",
    "LoginIO",
    "Provider",
    "SecretSpec",
    "Strategy",
    "StrategyRef",
    "json_body",
]


@dataclass(frozen=True)
class FetchResult:
    """Outcome of one strategy: a snapshot, or an error and whether to try the next one."""

    snapshot: Optional[UsageSnapshot] = None
    error: Optional[VibeusageError] = None
    should_fallback: bool = True

    @classmethod
    def ok(cls, snapshot: UsageSnapshot) -> "FetchResult":
        return cls(snapshot=snapshot)

    @classmethod
    def fail(cls, error: VibeusageError, should_fallback: bool = True) -> "FetchResult":
        return cls(error=error, should_fallback=should_fallback)

    @classmethod
    def fatal(cls, error: VibeusageError) -> "FetchResult":
        return cls(error=error, should_fallback=False)

    @property
    def success(self) -> bool:
        return self.snapshot is not None


@dataclass
class FetchContext:
    """Everything a strategy may use; nothing is read from globals or the environment."""

    environ: Mapping[str, str]
    paths: Paths
    home: Path
    config: ProviderConfig = field(default_factory=ProviderConfig)
    timeout: float = 30.0
    #: The worker thread's HTTP session (a ``requests.Session`` from ``http.make_session``).
    session: Any = None
    clock: Callable[[], datetime] = utcnow
    #: ``sys.platform`` unless a test says otherwise (Keychain, PTY and paths depend on it).
    platform: str = field(default_factory=lambda: sys.platform)
    #: Which provider the strategy works for (named in errors the kit raises).
    provider_id: str = ""
    provider_name: str = ""
    #: The provider's login key in this run (``Provider.login_key``), when the pipeline read
    #: one: a cache in ``state`` may be tied to it (it survives token refreshes).
    login: Optional[str] = None
    #: Why this provider's programs must not be started (``run_tools = false``), or None.
    tools_ban: Optional[str] = None
    #: When the runner stops waiting for this strategy (``time.monotonic()``); its HTTP
    #: exchanges are clipped to end before it.
    deadline: Optional[float] = None

    @classmethod
    def for_provider(
        cls,
        provider: Provider,
        environ: Mapping[str, str],
        paths: Paths,
        config: ProviderConfig,
        clock: Callable[[], datetime] = utcnow,
        timeout: float = 30.0,
        tools_ban: Optional[str] = None,
    ) -> "FetchContext":
        """The context every strategy, check and login flow of ``provider`` runs with."""
        from ..paths import home_dir

        return cls(
            environ=environ,
            paths=paths,
            home=home_dir(environ),
            config=config,
            timeout=timeout,
            clock=clock,
            provider_id=provider.id,
            provider_name=provider.name,
            tools_ban=tools_ban,
        )

    def now(self) -> datetime:
        return self.clock()

    @property
    def http(self) -> Http:
        """Requests on the worker's Session with this strategy's timeout and clock."""
        name = self.provider_name or self.provider_id
        return Http(self.session, name, self.timeout, self.clock, self.deadline)

    @property
    def state(self) -> ProviderState:
        """The provider's own cache folder, JSON caches and locks."""
        return ProviderState(self.paths, self.provider_id)


@dataclass
class LoginIO:
    """How an interactive login (``vibeusage auth PROVIDER``) talks to the person.

    Providers never print: they call ``notify``. ``sleep`` and ``clock`` are injectable so
    that polling flows are tested without waiting.
    """

    notify: Callable[[str], None]
    #: Try to open a URL in a browser; False when there is no desktop to open it on.
    open_url: Callable[[str], bool]
    #: True when a person is at a terminal (stdin is a TTY).
    interactive: bool
    # Looked up at call time, so that tests can replace time.sleep / time.monotonic.
    sleep: Callable[[float], None] = lambda seconds: time.sleep(seconds)
    clock: Callable[[], float] = lambda: time.monotonic()


#: ``login(ctx, io)`` runs a provider's own way in and returns a one-line summary; it raises
#: VibeusageError on failure (including when ``io.interactive`` is False and it needs a person).
LoginFlow = Callable[[FetchContext, LoginIO], str]
