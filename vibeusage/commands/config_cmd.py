"""``vibeusage config show | path | reset | edit``."""

from __future__ import annotations

import argparse
import shlex

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


def _default_text(app: App) -> str:
    """A config file that sets nothing but documents every key with its default."""
    from ..views.config_file import default_config_text

    return default_config_text(list(app.registry.values()))


def _show(app: App, args: argparse.Namespace) -> int:
    from ..service import settings

    rows = settings.effective_values(app)
    file = str(app.paths.config_file)
    if args.json:
        from ..views.config import settings_document

        app.emit_json(settings_document(file, rows))
        return 0
    from ..views.config import settings_table

    app.emit(settings_table(file, rows, app.width()))
    return 0


def _path(app: App, args: argparse.Namespace) -> int:
    from ..service import settings

    entries = settings.config_paths(app)
    if args.json:
        app.emit_json(entries)
        return 0
    from ..views.config import paths_table

    app.emit(paths_table(entries, app.width()))
    return 0


def _reset(app: App, args: argparse.Namespace) -> int:
    from ..errors import ConfigError
    from ..service import settings

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
            app.result("Nothing changed.")
            return 0
    from ..views.config import reset_document, reset_message

    backup = settings.replace_file(app, _default_text(app))
    kept = str(backup) if backup else None
    if args.json:
        app.emit_json(reset_document(str(path), kept))
    else:
        app.result(reset_message(str(path), kept))
    return 0


def _edit(app: App, args: argparse.Namespace) -> int:
    from ..errors import ConfigError, ErrorCategory, VibeusageError
    from ..service import settings

    editor = app.environ.get("VISUAL") or app.environ.get("EDITOR")
    if not editor:
        raise ConfigError(
            "No editor set",
            remediation=f"Set VISUAL or EDITOR, or edit {app.paths.config_file} directly.",
        )
    path = settings.ensure_file(app, _default_text(app))
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
    settings.validate_file(app, path)
    app.result(f"{path} is valid.")
    return 0
