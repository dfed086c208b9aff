"""What a provider is (data plus an ordered tuple of strategies) and what a strategy returns."""

import sys
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Optional, Tuple

from ..config import ProviderConfig
from ..errors import ErrorCategory, VibeusageError, parse_error
from ..models import ProviderStatus, UsageSnapshot
from ..paths import Paths
from ..timeparse import utcnow


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

    def now(self) -> datetime:
        return self.clock()


class Strategy:
    """One way of getting a provider's usage. Subclasses set ``name`` and ``label``."""

    #: Identifier used in ``source``, ``auth_source`` and attempt records.
    name: str = ""
    #: Where the credentials come from, for people ("Claude Code login").
    label: str = ""

    def available(self, ctx: FetchContext) -> bool:
        """Cheap local check (a file exists, a variable is set): never touches the network."""
        raise NotImplementedError

    def fetch(self, ctx: FetchContext) -> FetchResult:
        raise NotImplementedError

    def explain(self, ctx: FetchContext) -> str:
        """Why the strategy is or is not available, for ``auth`` and ``doctor`` (no secrets)."""
        return f"{self.label}: {'found' if self.available(ctx) else 'not found'}"


@dataclass(frozen=True)
class SecretSpec:
    """A secret the user can give vibeusage for a provider (``vibeusage key PROVIDER set``)."""

    #: File name under ``<config>/credentials/<provider>/``.
    name: str
    #: What it is and where to find it, for prompts and help.
    label: str
    #: Why a value does not look right, or None when it does (a local format check).
    check: Callable[[str], Optional[str]]
    #: One request proving that a value works: None when it does, else the reason.
    validate: Optional[Callable[[Any, str], Optional[str]]] = None


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


@dataclass(frozen=True)
class Provider:
    """A provider is data: metadata plus the strategies to try, in order."""

    id: str
    name: str
    homepage: str
    dashboard_url: str
    status_url: Optional[str]
    strategies: Tuple[Strategy, ...]
    #: One sentence telling a new user how to connect this provider.
    setup_hint: str
    #: What the provider is, for ``--help`` ("Claude Code on Pro, Max and Team plans").
    description: str = ""
    #: Extra keys of ``[providers.<id>]`` and their types (validated with the config).
    options: Mapping[str, type] = field(default_factory=dict)
    #: The secret vibeusage can store for this provider, if any.
    secret: Optional[SecretSpec] = None
    #: An interactive way in (e.g. a device flow), run by ``vibeusage auth PROVIDER``.
    login: Optional[LoginFlow] = None
    #: ``status_fetch(session, now, timeout)`` for a status source that is not a Statuspage
    #: site at ``status_url``; it must never raise (failures are an ``unknown`` status).
    status_fetch: Optional[Callable[[Any, datetime, Optional[float]], ProviderStatus]] = None

    def strategy_names(self) -> Tuple[str, ...]:
        return tuple(s.name for s in self.strategies)

    def strategies_for(self, auth_source: str) -> Tuple[Strategy, ...]:
        """The chain restricted by ``auth_source`` (``auto`` keeps every strategy)."""
        if auth_source == "auto":
            return self.strategies
        return tuple(s for s in self.strategies if s.name == auth_source)

    def no_credentials_error(self) -> VibeusageError:
        return VibeusageError(
            f"No {self.name} credentials found",
            ErrorCategory.AUTHENTICATION,
            remediation=self.setup_hint,
            provider=self.id,
        )


def json_body(response: Any, provider_name: str, what: str) -> Any:
    """The decoded JSON of a response, or a parse error that says what came instead."""
    try:
        return response.json()
    except ValueError as exc:
        content_type = response.headers.get("Content-Type", "")
        kind = "an HTML page" if "html" in content_type.lower() else "a body that is not JSON"
        raise parse_error(provider_name, f"{kind} instead of {what}") from exc
