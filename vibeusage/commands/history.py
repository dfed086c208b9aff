"""``vibeusage history``: record the ledger, show its series, trends and events, export it.

Three forms share one parser (``history [PROVIDER]`` takes a provider where the others take
an action word); each form then accepts only its own options (FEATURES.md §3.1).
"""

from __future__ import annotations

import argparse

from .app import PROG, App, UsageError, add_output_options, new_parser
from .usage import positive_seconds

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: completion builds this parser at start-up
if TYPE_CHECKING:
    from datetime import datetime
    from typing import Dict, List, Optional, Tuple

    from ..history.reader import LedgerRead

ACTIONS = ("record", "export")

#: The options of each form, by destination, with the flag that names them in errors.
_FORM_OPTIONS: Dict[str, Tuple[str, ...]] = {
    "record": ("offline", "timeout"),
    "show": ("since", "json", "events"),
    "export": ("format", "since", "output"),
}
_FLAGS = {
    "offline": "--offline",
    "timeout": "--timeout",
    "since": "--since",
    "json": "--json",
    "events": "--events",
    "format": "--format",
    "output": "--output",
}


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog=f"{PROG} history",
        usage=(
            f"{PROG} history [PROVIDER] [--since DURATION|DATE] [--json] [--events]\n"
            f"       {PROG} history record [PROVIDER ...] [--offline] [--timeout SECONDS]\n"
            f"       {PROG} history export --format csv|jsonl [--since DURATION|DATE] [-o FILE]"
        ),
        description=(
            "A ledger of usage over time on this machine.\n\n"
            "  record   fetch as the usage view does and add a line per window when\n"
            "           something changed (or every 30 minutes); silent on success\n"
            "  (none)   each window now, its last window, the same point of the last\n"
            "           window, burn per day and samples; --events lists resets,\n"
            "           windows moved back, plan and limit changes\n"
            "  export   every line as CSV or JSON Lines, in observation order"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "--since: 90m, 12h, 30d, 8w, or an ISO date/time (UTC without an offset);\n"
            "  default 30d, and the whole ledger for export\n"
            "ledger: $VIBEUSAGE_STATE_DIR, else $XDG_STATE_HOME/vibeusage or\n"
            "  ~/.local/state/vibeusage (`vibeusage config path` shows it)\n"
            "exit codes: record 0 when at least one provider was recorded, else the first\n"
            "  failure's code; show and export 0; bad arguments 4"
        ),
    )
    parser.add_argument(
        "provider",
        nargs="*",
        metavar="record|export|PROVIDER",
        help="an action, then (record) providers to record; or the one provider to show",
    )
    parser.add_argument(
        "--since",
        metavar="DURATION|DATE",
        help="the start of the range (show, export)",
    )
    parser.add_argument(
        "--events", action="store_true", default=None, help="list events instead (show)"
    )
    parser.add_argument(
        "--format", choices=("csv", "jsonl"), help="the export format (export, required)"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the export to FILE atomically (export)"
    )
    parser.add_argument(
        "--offline",
        action="store_true",
        default=None,
        help="record cached data only; no network (record)",
    )
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="SECONDS",
        help="per-strategy timeout (record; default: fetch.timeout, 30)",
    )
    add_output_options(parser, json_help="print the series, trends and events as JSON (show)")
    parser.set_defaults(json=None)
    # Options may come between the words (`history record --offline claude`), as in the
    # usage view; the dispatcher calls parse_args.
    setattr(parser, "parse_args", parser.parse_intermixed_args)  # noqa: B010
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    words: List[str] = list(args.provider)
    form = words.pop(0) if words and words[0] in ACTIONS else "show"
    _check_options(form, args)
    if form == "record":
        return _record(app, args, words)
    if words and form == "export":
        raise UsageError("`history export` takes no provider; filter the export instead")
    if len(words) > 1:
        raise UsageError("`history` shows one provider at a time (or all, with none named)")
    if form == "export":
        return _export(app, args)
    return _show(app, args, words[0] if words else None)


def _check_options(form: str, args: argparse.Namespace) -> None:
    allowed = _FORM_OPTIONS[form]
    for dest, flag in _FLAGS.items():
        if dest not in allowed and getattr(args, dest) is not None:
            name = "history" if form == "show" else f"history {form}"
            raise UsageError(f"{flag} is not an option of `{PROG} {name}`")
    if form == "export" and args.format is None:
        raise UsageError("`history export` needs --format csv or --format jsonl")


def _since(args: argparse.Namespace, now: datetime, default: str) -> datetime:
    from ..history.since import parse_since

    try:
        return parse_since(default if args.since is None else args.since, now)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _record(app: App, args: argparse.Namespace, names: List[str]) -> int:
    """Fetch like the usage view, record the fresh data, say only what went wrong."""
    from ..errors import ErrorCategory, ExitCode, VibeusageError
    from ..pipeline import RunOptions
    from ..service.history import record_results, state_directory
    from ..service.usage import collect, select_providers

    selection = select_providers(app, names, offline=bool(args.offline))
    if not selection.providers:
        raise VibeusageError(
            "No provider is connected, so there is nothing to record",
            ErrorCategory.NOT_FOUND,
            remediation=f"Run `{PROG}` to see how to connect one, or name one to record.",
        )
    report = collect(app, selection, RunOptions(offline=bool(args.offline), timeout=args.timeout))
    try:
        outcome = record_results(app, report.results, app.clock())
    except OSError as exc:
        where = exc.filename or state_directory(app)
        raise VibeusageError(
            f"cannot write the history ledger: {where}: {exc.strerror or exc}",
            remediation="Check that the state directory is writable, or set VIBEUSAGE_STATE_DIR.",
        ) from exc
    for result in report.results:
        if result.provider_id in outcome.recorded:
            continue
        why = outcome.rejected.get(result.provider_id)
        if why is None and result.error is not None:
            why = result.error.message
        app.terminal.error(f"{result.provider_id} not recorded: {why or 'no fresh data'}")
    if outcome.recorded:
        return ExitCode.OK
    for result in report.results:
        if result.error is not None:
            return result.error.exit_code
    return ExitCode.ERROR


def _show(app: App, args: argparse.Namespace, name: Optional[str]) -> int:
    from ..history.view import build_history
    from ..service.history import read_history

    provider = app.provider(name).id if name is not None else None
    now = app.clock()
    since = _since(args, now, "30d")
    machine, read = read_history(app, since, now)
    _warn_unreadable(app, read)
    view = build_history(read, since, now, provider)
    if args.json:
        from ..history.document import history_document

        app.emit_json(history_document(view, machine))
        return 0
    if args.events:
        from ..history.text import render_events
        from ..views.local_zone import LocalZone

        app.emit(render_events(view, LocalZone()))
        return 0
    from ..history.text import render_history

    app.emit(render_history(view))
    return 0


def _export(app: App, args: argparse.Namespace) -> int:
    from ..history.export import export_records, export_text
    from ..history.reader import ALL_TIME
    from ..service.history import read_history

    now = app.clock()
    since = ALL_TIME if args.since is None else _since(args, now, "")
    _, read = read_history(app, since, now)
    _warn_unreadable(app, read)
    if read.skipped_lines:
        noun = "line" if read.skipped_lines == 1 else "lines"
        app.terminal.error(f"warning: {read.skipped_lines} unreadable ledger {noun} skipped")
    app.emit(export_text(export_records(read, since), args.format), args.output)
    return 0


def _warn_unreadable(app: App, read: LedgerRead) -> None:
    for path in read.unreadable:
        app.terminal.error(f"warning: cannot read {path}; its lines are left out")
