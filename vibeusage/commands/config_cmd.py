"""``vibeusage config show | path | reset | edit``."""

import argparse
import os
import shlex
from typing import Any, Dict, List, Tuple

from ..config import DisplayConfig, FetchConfig, load_config
from ..errors import ConfigError, ErrorCategory, VibeusageError
from ..store import atomic_write_text
from .app import App, add_output_options, new_parser


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage config",
        description=(
            "show: the effective configuration and where each value comes from; path: every "
            "file and directory vibeusage uses; reset: back to the defaults (the old file is "
            "kept as config.toml.bak); edit: open the file in $VISUAL/$EDITOR, then validate it."
        ),
    )
    parser.add_argument(
        "action", choices=("show", "path", "reset", "edit"), nargs="?", default="show"
    )
    parser.add_argument("-y", "--yes", action="store_true", help="reset without asking")
    add_output_options(parser)
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    if args.action == "path":
        return _path(app, args)
    if args.action == "reset":
        return _reset(app, args)
    if args.action == "edit":
        return _edit(app, args)
    return _show(app, args)


def default_file_text(app: App) -> str:
    """A config file that sets nothing but documents every key with its default."""
    display, fetch = DisplayConfig(), FetchConfig()
    lines = [
        "# vibeusage configuration. Every key is optional: remove the leading '# ' to set one.",
        "# `vibeusage config show` prints the values in effect and where they come from.",
        "",
        f"# enabled_providers = [{', '.join(repr(p) for p in app.registry)}]".replace("'", '"'),
        "",
        "# [display]",
        f"# pace_colors = {str(display.pace_colors).lower()}",
        f'# reset_format = "{display.reset_format}"        # or "absolute"',
        "",
        "# [fetch]",
        f"# timeout = {fetch.timeout:g}                    # seconds per strategy",
        f"# deadline = {fetch.deadline:g}                   # seconds for the whole run",
        f"# max_concurrent = {fetch.max_concurrent}              # providers fetched at once",
        f"# fresh_ttl = {fetch.fresh_ttl:g}                  # reuse a snapshot this young",
        f"# stale_threshold = {fetch.stale_threshold:g}          # --offline: older is stale",
    ]
    for provider in app.registry.values():
        strategies = ", ".join(f'"{name}"' for name in provider.strategy_names())
        lines += [
            "",
            f"# [providers.{provider.id}]",
            "# enabled = true",
            f'# auth_source = "auto"             # or one of {strategies}',
        ]
        lines += [f"# {key} = true" for key, kind in provider.options.items() if kind is bool]
    return "\n".join(lines) + "\n"


def _raw_file(app: App) -> Dict[str, Any]:
    """The TOML as written (already validated by ``app.config``), for telling sources apart."""
    import sys

    if not app.paths.config_file.is_file():
        return {}
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - py39/py310
        import tomli as tomllib
    return dict(tomllib.loads(app.paths.config_file.read_bytes().decode("utf-8-sig")))


def effective_values(app: App) -> List[Tuple[str, Any, str]]:
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
    for provider in app.registry.values():
        settings = config.provider(provider.id)
        table = ("providers", provider.id)
        for name in ("enabled", "auth_source"):
            rows.append(
                (f"providers.{provider.id}.{name}", getattr(settings, name), source(*table, name))
            )
        for name in provider.options:
            default = True if provider.options[name] is bool else None
            value = settings.options.get(name, default)
            rows.append((f"providers.{provider.id}.{name}", value, source(*table, name)))
    return rows


def _show(app: App, args: argparse.Namespace) -> int:
    rows = effective_values(app)
    if args.json:
        app.emit_json(
            {
                "file": str(app.paths.config_file),
                "values": {key: {"value": value, "source": src} for key, value, src in rows},
            }
        )
        return 0
    from tabulate import tabulate

    text = tabulate([[k, _toml(v), s] for k, v, s in rows], headers=["key", "value", "source"])
    app.emit(f"# {app.paths.config_file}\n{text}\n")
    return 0


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _path(app: App, args: argparse.Namespace) -> int:
    paths = app.paths
    entries = {
        "config_dir": paths.config_dir,
        "config_file": paths.config_file,
        "credentials_dir": paths.credentials_dir,
        "cache_dir": paths.cache_dir,
        "snapshots_dir": paths.snapshots_dir,
        "gate_dir": paths.gate_dir,
    }
    if args.json:
        app.emit_json({k: {"path": str(p), "exists": p.exists()} for k, p in entries.items()})
        return 0
    from tabulate import tabulate

    rows = [[k, str(p), "yes" if p.exists() else "no"] for k, p in entries.items()]
    app.emit(tabulate(rows, headers=["what", "path", "exists"]) + "\n")
    return 0


def _reset(app: App, args: argparse.Namespace) -> int:
    path = app.paths.config_file
    if path.exists() and not args.yes:
        if not app.terminal.stdin_tty:
            raise ConfigError(
                f"Not resetting {path} without confirmation",
                remediation="Pass --yes to reset without being asked.",
            )
        app.terminal.stderr.write(f"Reset {path} to the defaults? [y/N] ")
        app.terminal.stderr.flush()
        if app.terminal.stdin.readline().strip().lower() not in ("y", "yes"):
            app.terminal.say("Nothing changed.")
            return 0
    backup = None
    if path.exists():
        backup = path.with_name(path.name + ".bak")
        os.replace(path, backup)
    atomic_write_text(path, default_file_text(app))
    if args.json:
        app.emit_json({"reset": True, "path": str(path), "backup": str(backup) if backup else None})
    else:
        kept = f" (the old one is {backup})" if backup else ""
        app.terminal.say(f"Wrote a default configuration to {path}{kept}.")
    return 0


def _edit(app: App, args: argparse.Namespace) -> int:
    editor = app.environ.get("VISUAL") or app.environ.get("EDITOR")
    if not editor:
        raise ConfigError(
            "No editor set",
            remediation=f"Set VISUAL or EDITOR, or edit {app.paths.config_file} directly.",
        )
    path = app.paths.config_file
    if not path.exists():
        atomic_write_text(path, default_file_text(app))
    import subprocess

    try:
        code = subprocess.call([*shlex.split(editor), str(path)], env=dict(app.environ))
    except OSError as exc:
        raise VibeusageError(
            f"Cannot start the editor {editor!r}: {exc.strerror or exc}",
            ErrorCategory.CONFIGURATION,
        ) from exc
    if code != 0:
        raise VibeusageError(f"The editor exited with status {code}", ErrorCategory.CONFIGURATION)
    load_config(
        path,
        {pid: p.strategy_names() for pid, p in app.registry.items()},
        app.environ,
        {pid: p.options for pid, p in app.registry.items()},
    )
    app.terminal.say(f"{path} is valid.")
    return 0
