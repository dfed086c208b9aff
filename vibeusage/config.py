"""The TOML configuration file: defaults, loading, validation with errors that name the key."""

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

from .errors import ConfigError

RESET_FORMATS = ("countdown", "absolute")
#: The seconds a strategy's timeout may be, in the file (``fetch.timeout``) and on the
#: command line (``--timeout``) alike.
TIMEOUT_BOUNDS = (0.1, 600.0)


@dataclass(frozen=True)
class DisplayConfig:
    pace_colors: bool = True
    reset_format: str = "countdown"


@dataclass(frozen=True)
class FetchConfig:
    timeout: float = 30.0
    max_concurrent: int = 5
    fresh_ttl: float = 60.0
    stale_threshold: float = 3600.0
    deadline: float = 60.0
    #: False: never start a provider's program (``claude``, ``codex``, ``gcloud`` …).
    run_tools: bool = True


@dataclass(frozen=True)
class HistoryConfig:
    #: Ledger segments whose month ended longer ago than this are deleted (FEATURES.md §3.2).
    retention_days: int = 400


@dataclass(frozen=True)
class ProviderConfig:
    enabled: bool = True
    auth_source: str = "auto"
    #: Provider-specific keys, validated by the provider that reads them.
    options: Mapping[str, Any] = field(default_factory=dict)
    #: None: as ``fetch.run_tools``; True or False: this provider's own choice.
    run_tools: Optional[bool] = None


@dataclass(frozen=True)
class Config:
    enabled_providers: Optional[Tuple[str, ...]] = None
    display: DisplayConfig = DisplayConfig()
    fetch: FetchConfig = FetchConfig()
    providers: Mapping[str, ProviderConfig] = field(default_factory=dict)
    source: Optional[Path] = None
    history: HistoryConfig = HistoryConfig()

    def provider(self, provider_id: str) -> ProviderConfig:
        return self.providers.get(provider_id, ProviderConfig())


def tools_ban(config: Config, provider_id: str, environ: Mapping[str, str]) -> Optional[str]:
    """Why ``provider_id``'s programs must not be started (the setting that says so), or None.

    ``VIBEUSAGE_RUN_TOOLS=0`` forbids every provider's; otherwise a provider's own
    ``run_tools`` wins over ``fetch.run_tools``.
    """
    if environ.get("VIBEUSAGE_RUN_TOOLS", "").strip().lower() in ("0", "false", "no", "off"):
        return "VIBEUSAGE_RUN_TOOLS=0 forbids starting provider tools"
    own = config.provider(provider_id).run_tools
    if own is False:
        return f"providers.{provider_id}.run_tools = false forbids starting its tools"
    if own is None and not config.fetch.run_tools:
        return "fetch.run_tools = false forbids starting provider tools"
    return None


def _shown(value: object, limit: int = 80) -> str:
    """A value quoted in an error, cut short (a configuration value can be megabytes)."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


#: A configuration file is a few hundred bytes; anything past this is not one.
MAX_CONFIG_BYTES = 1024 * 1024


def _load_toml(path: Path) -> Dict[str, Any]:
    from .store import read_bounded

    try:
        raw = read_bounded(path, MAX_CONFIG_BYTES)
    except FileNotFoundError:
        return {}  # the common case: the TOML parser (and its regexes) is never imported
    except OSError as exc:
        raise ConfigError(f"Cannot read config file {path}: {exc.strerror or exc}") from exc
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised by the py39/py310 tox envs
        import tomli as tomllib
    try:
        # utf-8-sig: tolerate the byte-order mark some Windows editors write.
        return dict(tomllib.loads(raw.decode("utf-8-sig")))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"Config file {path} is not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"Invalid TOML in config file {path}: {exc}",
            remediation="Fix the line named above, or move the file away to use the defaults.",
        ) from exc
    except RecursionError as exc:
        raise ConfigError(f"Config file {path} is nested too deeply to read") from exc


def load_config(
    path: Path,
    known_providers: Mapping[str, Sequence[str]],
    environ: Mapping[str, str],
    provider_options: Optional[Mapping[str, Mapping[str, type]]] = None,
    provider_bounds: Optional[Mapping[str, Mapping[str, Tuple[float, float]]]] = None,
) -> Config:
    """Read and validate ``path`` (missing = defaults), then apply environment overrides.

    ``known_providers`` maps each provider id to its strategy names, so that typos in
    provider ids or ``auth_source`` are reported instead of silently ignored.
    ``provider_options`` maps a provider id to the extra keys its table accepts and their
    types; a provider listed there rejects any other key. ``provider_bounds`` gives the
    lowest and highest value of a provider's number options.
    """
    data = _load_toml(path)
    config = (
        _parse(data, known_providers, path, provider_options or {}, provider_bounds or {})
        if data
        else Config()
    )
    env_value = environ.get("VIBEUSAGE_ENABLED_PROVIDERS")
    names = tuple(n.strip().lower() for n in (env_value or "").split(",") if n.strip())
    if names:
        unknown = [n for n in names if n not in known_providers]
        if unknown:
            raise ConfigError(
                f"VIBEUSAGE_ENABLED_PROVIDERS names unknown provider(s): {', '.join(unknown)}",
                remediation=f"Known providers: {', '.join(sorted(known_providers))}.",
            )
        config = Config(
            enabled_providers=names,
            display=config.display,
            fetch=config.fetch,
            providers=config.providers,
            source=config.source,
            history=config.history,
        )
    return config


class _Reader:
    """Type-checked access to one TOML table, naming file and key in every error."""

    def __init__(self, table: Mapping[str, Any], prefix: str, path: Path) -> None:
        self.table = table
        self.prefix = prefix
        self.path = path

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def fail(self, name: str, expected: str) -> ConfigError:
        value = self.table[name]
        return ConfigError(
            f"Invalid config file {self.path}: `{self.key(name)}` must be {expected}, "
            f"not {_shown(value)}"
        )

    def check_keys(self, allowed: Sequence[str]) -> None:
        for name in self.table:
            if name not in allowed:
                raise ConfigError(
                    f"Invalid config file {self.path}: unknown key `{self.key(name)}`",
                    remediation=f"Known keys here: {', '.join(allowed)}.",
                )

    def boolean(self, name: str, default: bool) -> bool:
        if name not in self.table:
            return default
        if not isinstance(self.table[name], bool):
            raise self.fail(name, "true or false")
        return bool(self.table[name])

    def number(self, name: str, default: float, minimum: float, maximum: float) -> float:
        if name not in self.table:
            return default
        value = self.table[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(name, "a number")
        if not minimum <= value <= maximum:
            raise self.fail(name, f"between {minimum:g} and {maximum:g}")
        return float(value)

    def choice(self, name: str, default: str, choices: Sequence[str]) -> str:
        if name not in self.table:
            return default
        value = self.table[name]
        if value not in choices:
            raise self.fail(name, "one of " + ", ".join(f'"{c}"' for c in choices))
        return str(value)

    def table_of(self, name: str) -> Mapping[str, Any]:
        if name not in self.table:
            return {}
        value = self.table[name]
        if not isinstance(value, dict):
            raise self.fail(name, "a table")
        return value


def _parse(
    data: Mapping[str, Any],
    known: Mapping[str, Sequence[str]],
    path: Path,
    provider_options: Mapping[str, Mapping[str, type]],
    provider_bounds: Mapping[str, Mapping[str, Tuple[float, float]]],
) -> Config:
    top = _Reader(data, "", path)
    top.check_keys(("enabled_providers", "display", "fetch", "providers", "history"))

    enabled: Optional[Tuple[str, ...]] = None
    if "enabled_providers" in data:
        value = data["enabled_providers"]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise top.fail("enabled_providers", "a list of provider names")
        enabled = tuple(v.lower() for v in value)
        for name in enabled:
            if name not in known:
                raise ConfigError(
                    f"Invalid config file {path}: `enabled_providers` names unknown "
                    f"provider {name!r}",
                    remediation=f"Known providers: {', '.join(sorted(known))}.",
                )

    display_table = _Reader(top.table_of("display"), "display.", path)
    display_table.check_keys(("pace_colors", "reset_format"))
    display = DisplayConfig(
        pace_colors=display_table.boolean("pace_colors", True),
        reset_format=display_table.choice("reset_format", "countdown", RESET_FORMATS),
    )

    fetch_table = _Reader(top.table_of("fetch"), "fetch.", path)
    fetch_table.check_keys(
        ("timeout", "max_concurrent", "fresh_ttl", "stale_threshold", "deadline", "run_tools")
    )
    defaults = FetchConfig()
    max_concurrent = fetch_table.number("max_concurrent", defaults.max_concurrent, 1, 64)
    if max_concurrent != int(max_concurrent):
        raise fetch_table.fail("max_concurrent", "a whole number")
    fetch = FetchConfig(
        timeout=fetch_table.number("timeout", defaults.timeout, *TIMEOUT_BOUNDS),
        max_concurrent=int(max_concurrent),
        fresh_ttl=fetch_table.number("fresh_ttl", defaults.fresh_ttl, 0, 86400),
        stale_threshold=fetch_table.number(
            "stale_threshold", defaults.stale_threshold, 0, 30 * 86400
        ),
        deadline=fetch_table.number("deadline", defaults.deadline, 0.1, 3600),
        run_tools=fetch_table.boolean("run_tools", defaults.run_tools),
    )

    history_table = _Reader(top.table_of("history"), "history.", path)
    history_table.check_keys(("retention_days",))
    retention = history_table.number("retention_days", HistoryConfig().retention_days, 1, 36500)
    if retention != int(retention):
        raise history_table.fail("retention_days", "a whole number")
    history = HistoryConfig(retention_days=int(retention))

    providers: Dict[str, ProviderConfig] = {}
    providers_table = top.table_of("providers")
    for provider_id in providers_table:
        if provider_id.lower() not in known:
            raise ConfigError(
                f"Invalid config file {path}: unknown provider `providers.{provider_id}`",
                remediation=f"Known providers: {', '.join(sorted(known))}.",
            )
        reader = _Reader(
            _Reader(providers_table, "providers.", path).table_of(provider_id),
            f"providers.{provider_id}.",
            path,
        )
        key = provider_id.lower()
        sources = ("auto",) + tuple(known[key])
        common = ("enabled", "auth_source", "run_tools")
        options = {k: v for k, v in reader.table.items() if k not in common}
        if key in provider_options:
            schema = provider_options[key]
            reader.check_keys((*common, *schema))
            for name, expected in schema.items():
                if name in options and not _is_type(options[name], expected):
                    raise reader.fail(name, _TYPE_NAMES.get(expected, expected.__name__))
        for name, (low, high) in provider_bounds.get(key, {}).items():
            value = options.get(name)
            if isinstance(value, (int, float)) and not low <= value <= high:
                raise reader.fail(name, f"between {low:g} and {high:g}")
        providers[key] = ProviderConfig(
            enabled=reader.boolean("enabled", True),
            auth_source=reader.choice("auth_source", "auto", sources),
            options=options,
            run_tools=reader.boolean("run_tools", True) if "run_tools" in reader.table else None,
        )
    return Config(enabled, display, fetch, providers, path, history=history)


_TYPE_NAMES = {bool: "true or false", str: "a string", int: "a whole number", float: "a number"}


def _is_type(value: Any, expected: type) -> bool:
    if expected is bool or isinstance(value, bool):
        return isinstance(value, bool) and expected is bool
    if expected is float:
        return isinstance(value, (int, float))
    return isinstance(value, expected)
