"""``vibeusage statusline install | uninstall | status``: set-up of Claude Code's statusLine."""

import argparse
import os
from typing import Any, Dict, Optional, Tuple

from ..errors import ErrorCategory, VibeusageError
from ..paths import home_dir, state_dir
from ..statusline import install as setup
from ..statusline.location import capture_file, claude_config_dir, config_key, install_record_file
from ..statusline.record import chained_command, make_record, read_record
from .app import App

#: ``uninstall`` found someone else's statusLine and left it.
FOREIGN_EXIT = 1


class _Where:
    """The files of one Claude config dir: settings, install record, capture."""

    def __init__(self, app: App, override: Optional[str]) -> None:
        home = str(home_dir(app.environ))
        self.config_dir = claude_config_dir(app.environ, home, override)
        self.default_dir = claude_config_dir({}, home)
        self.settings_file = os.path.join(self.config_dir, setup.SETTINGS_NAME)
        state = str(state_dir(app.environ))
        key = config_key(self.config_dir)
        self.record_file = install_record_file(state, key)
        self.capture_file = capture_file(state, key)


def run(app: App, args: argparse.Namespace, action: str) -> int:
    where = _Where(app, args.claude_config_dir)
    if action == "status":
        return _status(app, args, where)
    original, settings = _settings(where)
    record = read_record(where.record_file)
    command = setup.hook_command(where.config_dir, where.default_dir)
    try:
        if action == "install":
            plan = setup.plan_install(settings, record, command, where.settings_file)
        else:
            plan = setup.plan_uninstall(settings, record)
    except setup.Refused as refused:
        raise VibeusageError(
            refused.message, ErrorCategory.CONFIGURATION, remediation=refused.steps
        ) from None
    now = app.clock().timestamp()
    if not plan.changed:
        return _unchanged(app, action, plan, where, record, command, now)
    text = setup.settings_text(plan.settings)
    app.emit(setup.diff(where.settings_file, original, text))
    if args.dry_run:
        app.terminal.say("Dry run: nothing was written.")
        return 0
    if not args.yes and not _confirmed(app, where.settings_file):
        return 0
    if action == "install":
        _write_record(where, command, plan.previous, now)
    saved = setup.backup(where.settings_file, original, now) if original is not None else None
    setup.write_settings(where.settings_file, text)
    if action == "uninstall":
        _remove(where.record_file)
    _report(app, action, plan, where, saved)
    return 0


def _settings(where: _Where) -> Tuple[Optional[bytes], Dict[str, Any]]:
    try:
        return setup.read_settings(where.settings_file)
    except ValueError as exc:
        raise VibeusageError(
            str(exc),
            ErrorCategory.CONFIGURATION,
            remediation="Fix the file (Claude Code cannot read it either); nothing was written.",
        ) from None


def _confirmed(app: App, settings_file: str) -> bool:
    """Ask on a terminal; off one, refuse without ``--yes`` (exit 4)."""
    if not app.terminal.stdin_tty:
        raise VibeusageError(
            f"not changing {settings_file} without --yes (no terminal to ask on)",
            ErrorCategory.CONFIGURATION,
            remediation="Re-run with --yes, or with --dry-run to see the change only.",
        )
    app.terminal.stderr.write(f"Apply this change to {settings_file}? [y/N] ")
    app.terminal.stderr.flush()
    answer = app.terminal.stdin.readline().strip().lower()
    if answer in ("y", "yes"):
        return True
    app.terminal.say("Nothing was changed.")
    return False


def _unchanged(
    app: App,
    action: str,
    plan: setup.Plan,
    where: _Where,
    record: Optional[Dict[str, Any]],
    command: str,
    now: float,
) -> int:
    if action == "install":
        if record is None:  # ours, but the record was lost: keep one for uninstall
            _write_record(where, command, plan.previous, now)
        app.emit(f"vibeusage's statusLine is already installed in {where.settings_file}.\n")
        _warn_overrides(app, where)
        return 0
    _remove(where.record_file)
    if plan.foreign:
        app.terminal.error(f"{plan.summary} ({where.settings_file})")
        return FOREIGN_EXIT
    app.emit(f"vibeusage's statusLine is not installed in {where.settings_file}.\n")
    return 0


def _report(app: App, action: str, plan: setup.Plan, where: _Where, saved: Optional[str]) -> None:
    from ..views.statusline_setup import changed_text

    previous = chained_command({"previous": plan.previous})
    app.emit(changed_text(action, plan.summary, where.settings_file, saved, previous))
    if action == "install":
        _warn_overrides(app, where)


def _warn_overrides(app: App, where: _Where) -> None:
    for path in setup.project_overrides(os.getcwd(), where.settings_file):
        app.terminal.error(f"warning: {path} defines a statusLine that wins in that project")


def _write_record(
    where: _Where, command: str, previous: Optional[Dict[str, Any]], now: float
) -> None:
    from ..statusline.capture import write_private
    from ..views.json_dump import dumps

    record = make_record(where.config_dir, where.settings_file, command, previous, now)
    write_private(where.record_file, dumps(record).encode("utf-8"))


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def _status(app: App, args: argparse.Namespace, where: _Where) -> int:
    from ..statusline.capture import read_capture
    from ..views.statusline_setup import status_text

    try:
        _, settings = setup.read_settings(where.settings_file)
    except ValueError as exc:
        settings = {}
        app.terminal.error(f"warning: {exc}")
    record = read_record(where.record_file)
    current = settings.get("statusLine")
    installed = setup.is_ours(current, record)
    command = current.get("command") if isinstance(current, dict) else None
    updated, windows = setup.capture_summary(read_capture(where.capture_file))
    overrides = setup.project_overrides(os.getcwd(), where.settings_file)
    document = {
        "settings_file": where.settings_file,
        "installed": installed,
        "command": command if isinstance(command, str) else None,
        "chained_command": chained_command(record) if installed else None,
        "capture_file": where.capture_file,
        "capture_updated_at": updated,
        "windows": windows,
        "warnings": [
            f"{path} defines a statusLine that wins in that project" for path in overrides
        ],
    }
    if args.json:
        app.emit_json(document)
    else:
        app.emit(status_text(document))
    return 0
