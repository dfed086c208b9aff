"""``vibeusage statusline``: Claude Code's hook, the one-line output, and the hook's set-up.

Claude Code runs the hook on every prompt, so the common forms (hook mode and the own line
without ``--refresh``) also run through :func:`run_light`, which ``cli`` calls before any
of the App's machinery is imported: no configuration classes unless a config file exists,
no provider strategies, no HTTP, no pipeline.
"""

from __future__ import annotations

import os

from ..terminal import PROG, UsageError
from .parsing import LinesHelpFormatter, new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    import argparse
    from datetime import datetime
    from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

    from ..terminal import Terminal
    from .app import App

    #: The providers to show, their display names, and ``fetch.stale_threshold``.
    Settings = Tuple[List[str], Dict[str, str], float]

ACTIONS = ("install", "uninstall", "status")
#: ``fetch.stale_threshold`` and the ``--refresh`` budget when there is no config file.
DEFAULT_STALE_THRESHOLD = 3600.0
REFRESH_TIMEOUT = 2.0


def build_parser(app: App) -> argparse.ArgumentParser:
    return make_parser(app.terminal)


def make_parser(terminal: Terminal) -> argparse.ArgumentParser:
    """The parser of every form of the command (it needs no App)."""
    from .. import __version__
    from ..views.statusline import FORMATS, TEMPLATE_FIELDS

    parser = new_parser(
        terminal,
        prog=f"{PROG} statusline",
        usage=(
            f"{PROG} statusline [PROVIDER ...] [--format FORMAT] [--template T] [--width N] "
            "[--refresh]\n"
            f"       {PROG} statusline install|uninstall [--claude-config-dir DIR] [--yes] "
            "[--dry-run]\n"
            f"       {PROG} statusline status [--claude-config-dir DIR] [--json]"
        ),
        description=(
            "One line of usage for prompts, tmux and status bars, from cached data only. "
            "As Claude Code's statusLine command it also captures the rate limits Claude "
            "Code sends, so Claude's usage is known without a request."
        ),
        formatter_class=LinesHelpFormatter,
        epilog=(
            "template fields: " + " ".join("{" + f + "}" for f in TEMPLATE_FIELDS) + "\n"
            "install writes Claude Code's settings.json (with a backup); an existing "
            "statusLine command keeps running after vibeusage's capture."
        ),
    )
    parser.add_argument(
        "words",
        nargs="*",
        metavar="PROVIDER",
        help="providers to show (default: the enabled ones with cached data), "
        "or install, uninstall, status",
    )
    parser.add_argument("--format", choices=FORMATS, default="plain", help="default: plain")
    parser.add_argument(
        "--template", metavar="T", help="text of each window, e.g. '{label} {used}%%'"
    )
    parser.add_argument("--width", type=_columns, metavar="N", help="at most N columns")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help=f"fetch providers older than fetch.fresh_ttl first ({REFRESH_TIMEOUT:g} s at most)",
    )
    parser.add_argument(
        "--claude-config-dir",
        metavar="DIR",
        help="Claude Code's config dir (default: $CLAUDE_CONFIG_DIR, else ~/.claude)",
    )
    parser.add_argument("--yes", action="store_true", help="install/uninstall without asking")
    parser.add_argument("--dry-run", action="store_true", help="show the change, write nothing")
    parser.add_argument("-j", "--json", action="store_true", help="status as JSON")
    parser.add_argument("--debug", action="store_true", help="tracebacks on stderr")
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _columns(text: str) -> int:
    import argparse

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _action(args: argparse.Namespace) -> Optional[str]:
    """The set-up action named, or None for the line; bad combinations are usage errors."""
    words: List[str] = list(args.words)
    action = words[0] if words and words[0] in ACTIONS else None
    if action is None:
        if args.yes or args.dry_run or args.json:
            raise UsageError("--yes, --dry-run and --json go with install, uninstall or status")
        if args.format == "json" and (args.template is not None or args.width is not None):
            raise UsageError("--template and --width do not apply to --format json")
        if args.template is not None:
            from ..views.statusline import template_fields

            try:
                template_fields(args.template)
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        return None
    if len(words) > 1:
        raise UsageError(f"statusline {action} takes no provider names")
    line_options = (
        args.format != "plain"
        or args.template is not None
        or args.width is not None
        or args.refresh
    )
    if line_options:
        raise UsageError(f"--format, --template, --width and --refresh do not go with {action}")
    if action == "status" and (args.yes or args.dry_run):
        raise UsageError("--yes and --dry-run go with install or uninstall")
    if action != "status" and args.json:
        raise UsageError("--json goes with status")
    return action


# --- the fast path ----------------------------------------------------------------------


def run_light(
    argv: Sequence[str],
    terminal: Terminal,
    environ: Mapping[str, str],
    clock: Optional[Callable[[], datetime]] = None,
) -> Optional[int]:
    """Hook mode and the own line without the App; None to leave the run to the usual path.

    Left to it: set-up actions, ``--refresh``, ``--debug``, ``--help``, bad arguments and
    unknown providers (its error ladder reports them), and any config file or
    ``VIBEUSAGE_ENABLED_PROVIDERS`` (its configuration is validated there).
    """
    if any(arg in ("--debug", "-h", "--help", "--version") for arg in argv):
        return None
    try:
        args = make_parser(terminal).parse_args(list(argv))
        if _action(args) is not None or args.refresh:
            return None
    except (UsageError, SystemExit):
        return None
    from ..dirs import config_dir

    if environ.get("VIBEUSAGE_ENABLED_PROVIDERS") or os.path.exists(
        os.path.join(config_dir(environ), "config.toml")
    ):
        return None
    from ..providers import all_providers

    names = {p.id: p.name for p in all_providers()}
    if any(word.lower() not in names for word in args.words):
        return None
    ids = [w.lower() for w in args.words] or list(names)
    try:
        return _line(
            terminal, environ, _now(clock), args, lambda: (ids, names, DEFAULT_STALE_THRESHOLD)
        )
    except Exception as exc:  # noqa: BLE001 - the one error ladder is not loaded here
        terminal.error(f"unexpected error ({type(exc).__name__}); run with --debug for details")
        return 1


def _now(clock: Optional[Callable[[], datetime]]) -> float:
    if clock is None:
        import time

        return time.time()
    return clock().timestamp()


# --- the usual path ---------------------------------------------------------------------


def run(app: App, args: argparse.Namespace) -> int:
    action = _action(args)
    if action is not None:
        from . import statusline_setup

        return statusline_setup.run(app, args, action)

    def settings() -> Settings:
        # Read only after the capture: a broken config must not cost Claude's numbers.
        names = {pid: p.name for pid, p in app.registry.items()}
        if args.words:
            ids = [p.id for p in app.named_providers(args.words)]
        else:
            ids = [p.id for p in app.enabled_providers()]
        return ids, names, app.config.fetch.stale_threshold

    now = app.clock().timestamp()
    return _line(app.terminal, app.environ, now, args, settings, app if args.refresh else None)


def _line(
    terminal: Terminal,
    environ: Mapping[str, str],
    now: float,
    args: argparse.Namespace,
    settings: Callable[[], Settings],
    refresh: Optional[App] = None,
) -> int:
    """Capture a hook payload (then chain, or print), else print the own line.

    ``settings`` gives the providers to show, their names and ``fetch.stale_threshold``.
    """
    from ..dirs import cache_dir, home_dir, state_dir
    from ..statusline import hook
    from ..statusline.capture import read_capture
    from ..statusline.location import capture_file, claude_config_dir, config_key

    raw = hook.read_input(terminal.stdin)
    payload = hook.hook_payload(raw)
    claude_dir = claude_config_dir(environ, home_dir(environ), args.claude_config_dir)
    state = state_dir(environ)
    key = config_key(claude_dir)
    path = capture_file(state, key)
    capture = None
    if payload is not None and raw is not None:
        capture = hook.capture(payload, path, claude_dir, now)
        chained = _chained_command(state, key)
        if chained is not None:
            return hook.run_chained(chained, raw, terminal.stdout, terminal.stderr, environ)
    if capture is None:
        capture = read_capture(path)
    ids, names, stale_threshold = settings()
    fetched = None
    if refresh is not None:
        fetched = _refreshed(refresh, ids, bool(args.words), capture, now)
    from ..statusline.oneline import assessed, collect
    from ..views.statusline import ASSESSED_FORMATS, render

    providers = collect(ids, names, cache_dir(environ), capture, now, stale_threshold, fetched)
    if args.format in ASSESSED_FORMATS or (args.template and "{eta}" in args.template):
        providers = assessed(providers, now)
    line = render(providers, args.format, now, args.template, args.width)
    terminal.stdout.write(line + "\n")
    terminal.stdout.flush()
    return 0


def _chained_command(state: str, key: str) -> Optional[str]:
    from ..statusline.location import install_record_file
    from ..statusline.record import chained_command, read_record

    return chained_command(read_record(install_record_file(state, key)))


def _refreshed(
    app: App, ids: List[str], named: bool, capture: Optional[Dict[str, Any]], now: float
) -> Dict[str, Dict[str, Any]]:
    """Providers fetched now (those older than ``fetch.fresh_ttl``, 2 s at most), as line data.

    Unless named: the enabled providers with data, else those that have credentials.
    """
    from ..pipeline import RunOptions
    from ..service.usage import Selection, collect, select_providers
    from ..statusline.oneline import capture_provider

    chosen = [app.registry[pid] for pid in ids]
    if not named:
        pipeline = app.pipeline()
        has_capture = capture_provider(capture, now) is not None
        chosen = [
            p for p in chosen if pipeline.has_cache(p) or (p.id == "claude" and has_capture)
        ] or list(select_providers(app).providers)
    options = RunOptions(timeout=REFRESH_TIMEOUT, deadline=REFRESH_TIMEOUT)
    report = collect(app, Selection(tuple(chosen), named=True), options)
    from ..statusline.oneline import snapshot_provider

    fetched: Dict[str, Dict[str, Any]] = {}
    for result in report.results:
        if result.snapshot is not None:
            data = snapshot_provider(result.snapshot.to_dict(report.now), result.provider_id)
            if data is not None:
                fetched[result.provider_id] = data
    return fetched
