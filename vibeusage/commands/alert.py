"""``vibeusage alert``: tell once when a window crosses a used-percent threshold (for cron)."""

from __future__ import annotations

import argparse
import sys

from .app import PROG, App, add_output_options, new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: completion builds this parser at start-up
if TYPE_CHECKING:
    from decimal import Decimal
    from typing import List, Tuple

    from ..alert.run import AlertOutcome


def _thresholds(text: str) -> Tuple[Decimal, ...]:
    from ..alert.thresholds import parse_thresholds

    try:
        return parse_thresholds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _hook(text: str) -> List[str]:
    from ..alert.hooks import split_hook

    try:
        return split_hook(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"cannot split {text!r}: {exc}") from None


def _timeout(text: str) -> float:
    from .usage import positive_seconds

    return positive_seconds(text)


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog=f"{PROG} alert",
        description=(
            "Check usage once and tell, once per window instance and threshold, when a\n"
            "window's used percent crosses a threshold. Meant for cron."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "a hook is run as argv (no shell) once per event, the event JSON on stdin,\n"
            "  with PATH HOME USER LOGNAME SHELL LANG LC_ALL LC_CTYPE TERM TMPDIR and\n"
            "  VIBEUSAGE_EVENT, _PROVIDER, _WINDOW, _PERIOD_TYPE, _THRESHOLD, _USED_PERCENT,\n"
            "  _REMAINING_PERCENT, _RESETS_AT, _TIMESTAMP; killed after 10 s\n"
            "state: <state dir>/alerts.json (VIBEUSAGE_STATE_DIR)\n"
            "exit codes: 1 an alert fired; else 0 all fresh, 5 partial, the first\n"
            "  failure's code when all failed; 4 bad arguments"
        ),
    )
    parser.add_argument(
        "providers",
        nargs="*",
        metavar="PROVIDER",
        help="providers to check (default: every enabled provider with credentials)",
    )
    parser.add_argument(
        "--at",
        action="append",
        type=_thresholds,
        metavar="PERCENTS",
        help="used percents to alert at, comma-separated (default: 80,95)",
    )
    parser.add_argument(
        "--hook",
        action="append",
        type=_hook,
        default=[],
        metavar="CMD",
        help="run CMD for each event (repeatable)",
    )
    parser.add_argument(
        "--notify", action="store_true", help="show a desktop notification for each event"
    )
    parser.add_argument(
        "--timeout",
        type=_timeout,
        metavar="SECONDS",
        help="per-strategy timeout (default: fetch.timeout, 30)",
    )
    add_output_options(parser, json_help="print the events and errors as JSON")
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    """Collect, fire what crossed, print, run the hooks and notify; 1 when an alert fired."""
    from ..alert.run import check, notify_events, run_hooks
    from ..alert.thresholds import DEFAULT_THRESHOLDS, merge_thresholds
    from ..pipeline import RunOptions
    from ..service.usage import select_providers

    selection = select_providers(app, args.providers)
    if selection.first_run:
        app.terminal.error("no provider is connected: nothing to check (see `vibeusage auth`)")
    thresholds = merge_thresholds(args.at) if args.at else DEFAULT_THRESHOLDS
    outcome = check(app, selection, thresholds, RunOptions(timeout=args.timeout))
    report = outcome.report
    if args.json:
        from ..views.alert_text import alert_document

        app.emit_json(alert_document(outcome.events, report.results))
    else:
        _print_text(app, args, outcome)
    run_hooks(args.hook, outcome.events, app.environ)
    if args.notify:
        names = {pid: provider.name for pid, provider in app.registry.items()}
        notify_events(
            outcome.events,
            names,
            app.environ,
            sys.platform,
            app.terminal.stderr,
            app.terminal.stderr_tty,
        )
    return outcome.exit_code


def _print_text(app: App, args: argparse.Namespace, outcome: AlertOutcome) -> None:
    from ..views.alert_text import render_events
    from ..views.usage_text import render_errors

    style = app.style(args)
    report = outcome.report
    text = render_events(outcome.events, report.now, style)
    if text:
        app.emit(text)
    failed = [r for r in report.results if r.error is not None]
    if failed:
        app.terminal.stderr.write(render_errors(failed, style) + "\n")
        app.terminal.stderr.flush()
