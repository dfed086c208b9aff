"""The configuration as a command shows it: effective values with their source, files, reset."""

import os
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ..config import load_config
from ..paths import state_dir
from ..store import atomic_write_text
from .context import Context


def _raw_file(app: Context) -> Dict[str, Any]:
    """The TOML as written (already validated by ``app.config``), for telling sources apart."""
    import sys

    if not app.paths.config_file.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - py39/py310
        import tomli as tomllib
    return dict(tomllib.loads(app.paths.config_file.read_bytes().decode("utf-8-sig")))


def effective_values(app: Context) -> List[Tuple[str, Any, str]]:
    """``(key, value, source)`` for every setting; source is default, file or environment."""
    config = app.config
    raw = _raw_file(app)
    rows: List[Tuple[str, Any, str]] = []

    def source(*path: str) -> str:
        table: Any = raw
        for part in path:
            if not isinstance(table, dict) or part not in table:
                return "default"
            table = table[part]
        return "file"

    env = app.environ.get("VIBEUSAGE_ENABLED_PROVIDERS", "").strip(", ")
    rows.append(
        (
            "enabled_providers",
            list(config.enabled_providers or app.registry),
            "environment" if env else source("enabled_providers"),
        )
    )
    for name, value in vars(config.display).items():
        rows.append((f"display.{name}", value, source("display", name)))
    for name, value in vars(config.fetch).items():
        rows.append((f"fetch.{name}", value, source("fetch", name)))
    for name, value in vars(config.history).items():
        rows.append((f"history.{name}", value, source("history", name)))
    for provider in app.registry.values():
        settings = config.provider(provider.id)
        table = ("providers", provider.id)
        for name in ("enabled", "auth_source"):
            rows.append(
                (f"providers.{provider.id}.{name}", getattr(settings, name), source(*table, name))
            )
        own = settings.run_tools
        rows.append(
            (
                f"providers.{provider.id}.run_tools",
                config.fetch.run_tools if own is None else own,
                source(*table, "run_tools"),
            )
        )
        for name in provider.options:
            value = settings.options.get(name, provider.option_default(name))
            rows.append((f"providers.{provider.id}.{name}", value, source(*table, name)))
    return rows


def config_paths(app: Context) -> Dict[str, Dict[str, Any]]:
    """Every file and directory vibeusage uses, and whether it exists yet."""
    paths = app.paths
    entries = {
        "config_dir": paths.config_dir,
        "config_file": paths.config_file,
        "credentials_dir": paths.credentials_dir,
        "cache_dir": paths.cache_dir,
        "snapshots_dir": paths.snapshots_dir,
        "gate_dir": paths.gate_dir,
        "state_dir": state_dir(app.environ),
    }
    return {name: {"path": str(p), "exists": p.exists()} for name, p in entries.items()}


def replace_file(app: Context, text: str) -> Optional[Path]:
    """Write ``text`` as the config file, keeping the old one as ``.bak``; that backup, if any."""
    path = app.paths.config_file
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        os.replace(path, backup)
    atomic_write_text(path, text)
    return backup


def ensure_file(app: Context, text: str) -> Path:
    """The config file, written with ``text`` first when there is none."""
    path = app.paths.config_file
    if not path.exists():
        atomic_write_text(path, text)
    return path


def validate_file(app: Context, path: Path) -> None:
    """Load ``path`` as the configuration; raises ConfigError naming what is wrong."""
    load_config(
        path,
        {pid: tuple(s.name for s in p.strategies) for pid, p in app.registry.items()},
        app.environ,
        {pid: p.options for pid, p in app.registry.items()},
        {pid: p.option_bounds for pid, p in app.registry.items()},
    )
