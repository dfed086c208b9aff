"""What a provider is, as static data: metadata plus references that load code on first use.

A manifest (``providers/<id>/__init__.py``) builds one :class:`Provider` from strings and
:class:`Ref` s only, so that listing providers (``--help``, ``config``, ``completion``,
``--offline``) imports no strategy module. A reference names its target relative to this
package (``"claude.oauth:ClaudeOAuth"``), which keeps the package vendorable under any name.
Plain classes with ``__slots__`` rather than dataclasses: they are built at start-up.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Any, Callable, Mapping, Optional, Sequence, Tuple, Union

    from ..errors import VibeusageError
    from .base import FetchContext, FetchResult

_PACKAGE = __name__.rpartition(".")[0]


def resolve(target: str) -> Any:
    """The object a ``"module.path:attribute"`` reference names (module relative to providers)."""
    from importlib import import_module

    module_name, _, attribute = target.partition(":")
    obj: Any = import_module(f".{module_name}", _PACKAGE)
    for part in attribute.split(".") if attribute else ():
        obj = getattr(obj, part)
    return obj


class Ref:
    """A callable loaded on first call: ``Ref("copilot.device_flow:login")(ctx, io)``.

    A callable given instead of a reference is used as it is (tests, projects that build
    providers of their own).
    """

    __slots__ = ("target", "_loaded")

    def __init__(self, target: Union[str, Callable[..., Any]]) -> None:
        self.target = target if isinstance(target, str) else repr(target)
        self._loaded: Any = None if isinstance(target, str) else target

    def load(self) -> Any:
        if self._loaded is None:
            self._loaded = resolve(self.target)
        return self._loaded

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.load()(*args, **kwargs)

    def __repr__(self) -> str:
        return f"Ref({self.target!r})"


class Strategy:
    """One way of getting a provider's usage. Subclasses set ``name`` and ``label``."""

    #: Identifier used in ``source``, ``auth_source`` and attempt records.
    name: str = ""
    #: Where the credentials come from, for people ("Claude Code login").
    label: str = ""
    #: Whether it needs the network (a tool that talks to the provider does): after a
    #: connection failure in the same run, such strategies are skipped.
    needs_network: bool = True
    #: The provider program it cannot work without ("claude"), if any: with
    #: ``run_tools = false`` such a strategy is not available.
    program: str = ""

    def available(self, ctx: FetchContext) -> bool:
        """Cheap local check (a file exists, a variable is set): never touches the network."""
        raise NotImplementedError

    def fetch(self, ctx: FetchContext) -> FetchResult:
        """Run the strategy; an error it raises becomes a failed result (the chain goes on).

        It runs under the provider's tool policy: with ``run_tools = false`` the kit
        refuses to start any provider program (``kit.tools``).
        """
        from ..errors import VibeusageError
        from ..kit.tools import tools_policy
        from .base import FetchResult

        try:
            with tools_policy(getattr(ctx, "tools_ban", None)):
                return self.run(ctx)
        except VibeusageError as exc:
            return FetchResult.fail(exc)

    def run(self, ctx: FetchContext) -> FetchResult:
        """Get the usage: a result, or raise a VibeusageError saying what went wrong."""
        raise NotImplementedError

    def explain(self, ctx: FetchContext) -> str:
        """Why the strategy is or is not available, for ``auth`` and ``doctor`` (no secrets)."""
        return f"{self.label}: {'found' if self.available(ctx) else 'not found'}"

    def unusable(self, ctx: FetchContext) -> Optional[str]:
        """Credentials found that can never work here (a login type without a usage
        endpoint): why, else None. Cheap and local, as ``available``; only asked when
        ``available`` said yes. The default view skips a provider whose every available
        strategy says so; a provider named on the command line still shows the error."""
        return None


class StrategyRef(Strategy):
    """One strategy of a provider's chain: its name and label now, its code on first use.

    It answers ``available``/``fetch``/``explain`` like the strategy it stands for, so the
    pipeline and the commands need not know whether the code is loaded yet.
    """

    __slots__ = ("target", "args", "_instance")

    def __init__(self, name: str, label: str, target: str, args: Sequence[Any] = ()) -> None:
        #: Identifier used in ``source``, ``auth_source`` and attempt records.
        self.name = name
        #: Where the credentials come from, for people ("Claude Code login").
        self.label = label
        #: ``"module:Class"``; the class is called with ``args`` to make the strategy.
        self.target = target
        self.args = tuple(args)
        self._instance: Optional[Strategy] = None

    def load(self) -> Strategy:
        if self._instance is None:
            self._instance = resolve(self.target)(*self.args)
        return self._instance

    def available(self, ctx: FetchContext) -> bool:
        if self._forbidden(ctx):
            return False
        return bool(self.load().available(ctx))

    def fetch(self, ctx: FetchContext) -> FetchResult:
        return self.load().fetch(ctx)

    def unusable(self, ctx: FetchContext) -> Optional[str]:
        return self.load().unusable(ctx)

    def explain(self, ctx: FetchContext) -> str:
        ban = self._forbidden(ctx)
        if ban:
            return f"{self.label}: not used, it starts `{self.load().program}` and {ban}"
        return self.load().explain(ctx)

    def _forbidden(self, ctx: FetchContext) -> Optional[str]:
        """The setting that keeps this strategy from starting its program, if it needs one."""
        ban: Optional[str] = getattr(ctx, "tools_ban", None)
        return ban if ban and self.load().program else None

    def __repr__(self) -> str:
        return f"StrategyRef({self.name!r}, {self.target!r})"


class SecretSpec:
    """A secret the user can give vibeusage for a provider (``vibeusage key PROVIDER set``)."""

    __slots__ = ("name", "label", "check", "validate")

    def __init__(self, name: str, label: str, check: str, validate: Optional[str] = None) -> None:
        #: File name under ``<config>/credentials/<provider>/``.
        self.name = name
        #: What it is and where to find it, for prompts and help.
        self.label = label
        #: ``check(value)``: why a value does not look right, or None (a local format check).
        self.check = Ref(check)
        #: ``validate(session, value)``: one request proving a value works; None when it does.
        self.validate = Ref(validate) if validate else None


class Provider:
    """A provider is data: metadata, the strategies to try in order, and references."""

    __slots__ = (
        "id",
        "name",
        "homepage",
        "dashboard_url",
        "status_url",
        "strategies",
        "setup_hint",
        "description",
        "options",
        "option_defaults",
        "option_bounds",
        "secret",
        "login",
        "login_key",
        "status_fetch",
        "env_vars",
        "tools",
        "token_patterns",
    )

    def __init__(
        self,
        *,
        id: str,
        name: str,
        homepage: str,
        dashboard_url: str,
        status_url: Optional[str],
        strategies: Sequence[Strategy],
        setup_hint: str,
        description: str = "",
        options: Optional[Mapping[str, type]] = None,
        option_defaults: Optional[Mapping[str, Any]] = None,
        option_bounds: Optional[Mapping[str, Tuple[float, float]]] = None,
        secret: Optional[SecretSpec] = None,
        login: Union[str, Callable[..., str], None] = None,
        login_key: Union[str, Callable[..., Optional[str]], None] = None,
        status_fetch: Union[str, Callable[..., Any], None] = None,
        env_vars: Sequence[str] = (),
        tools: Sequence[str] = (),
        token_patterns: Sequence[str] = (),
    ) -> None:
        self.id = id
        self.name = name
        self.homepage = homepage
        self.dashboard_url = dashboard_url
        self.status_url = status_url
        self.strategies: Tuple[Strategy, ...] = tuple(strategies)
        #: One sentence telling a new user how to connect this provider.
        self.setup_hint = setup_hint
        #: What the provider is, for ``--help`` ("Claude Code on Pro, Max and Team plans").
        self.description = description
        #: Extra keys of ``[providers.<id>]`` and their types (validated with the config).
        self.options: Mapping[str, type] = dict(options or {})
        #: The value of an option the file does not set, where it is not the usual one
        #: (``true`` for a bool, none otherwise): see :meth:`option_default`.
        self.option_defaults: Mapping[str, Any] = dict(option_defaults or {})
        #: The lowest and highest value of a number option (checked when the config loads).
        self.option_bounds: Mapping[str, Tuple[float, float]] = dict(option_bounds or {})
        #: The secret vibeusage can store for this provider, if any.
        self.secret = secret
        #: ``login(ctx, io) -> summary``: an interactive way in, run by ``vibeusage auth``.
        self.login = Ref(login) if login else None
        #: ``login_key(ctx) -> fingerprint or None``: which login (and host) the provider's
        #: data would come from, read locally (no request, no program) and never raising;
        #: cached snapshots and gates of another login are not used. None: no such check.
        self.login_key = Ref(login_key) if login_key else None
        #: ``status_fetch(session, now, timeout) -> ProviderStatus`` for a status source that
        #: is not a Statuspage site at ``status_url``; it must never raise.
        self.status_fetch = Ref(status_fetch) if status_fetch else None
        #: Environment variables the provider's strategies read (for doctor and tests).
        self.env_vars: Tuple[str, ...] = tuple(env_vars)
        #: Programs the strategies may run (hidden from PATH in tests; shown by doctor).
        self.tools: Tuple[str, ...] = tuple(tools)
        #: Regular expressions of this provider's secrets, masked wherever text is shown.
        self.token_patterns: Tuple[str, ...] = tuple(token_patterns)

    def __repr__(self) -> str:
        return f"Provider({self.id!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Provider) and other.id == self.id

    def __hash__(self) -> int:
        return hash(self.id)

    def replace(self, **changes: Any) -> Provider:
        """A copy with some attributes changed (``strategies``, ``options``, ...)."""
        unknown = set(changes) - set(self.__slots__)
        if unknown:
            raise TypeError(f"Provider has no attribute {', '.join(sorted(unknown))}")
        copy = object.__new__(Provider)
        for name in self.__slots__:
            value = changes.get(name, getattr(self, name))
            setattr(copy, name, tuple(value) if name == "strategies" else value)
        return copy

    def option_default(self, name: str) -> Any:
        """What option ``name`` is when the file does not set it."""
        if name in self.option_defaults:
            return self.option_defaults[name]
        return True if self.options.get(name) is bool else None

    def strategy_names(self) -> Tuple[str, ...]:
        return tuple(s.name for s in self.strategies)

    def strategies_for(self, auth_source: str) -> Tuple[Strategy, ...]:
        """The chain restricted by ``auth_source`` (``auto`` keeps every strategy)."""
        if auth_source == "auto":
            return self.strategies
        return tuple(s for s in self.strategies if s.name == auth_source)

    def no_credentials_error(self) -> VibeusageError:
        from ..errors import ErrorCategory, VibeusageError

        return VibeusageError(
            f"No {self.name} credentials found",
            ErrorCategory.AUTHENTICATION,
            remediation=self.setup_hint,
            provider=self.id,
        )
