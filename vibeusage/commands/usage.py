"""The usage view: ``vibeusage [OPTIONS] [PROVIDER ...]``."""

from __future__ import annotations

import argparse

from .. import __version__
from . import COMMANDS
from .app import PROG, App, UsageError, new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Any, List, Optional

    from ..service.report import Report
    from ..service.usage import Selection


FORMATS = ("table", "json", "prometheus")


def positive_seconds(text: str) -> float:
    """A ``--timeout`` value: seconds within the bounds ``fetch.timeout`` has in the file."""
    from ..config import TIMEOUT_BOUNDS

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    low, high = TIMEOUT_BOUNDS
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g} seconds")
    return value


def build_parser(app: App, with_help: bool = True) -> argparse.ArgumentParser:
    """The usage view's parser; ``with_help=False`` leaves out the description and epilog
    (laying them out costs a run that prints no help a tenth of its start-up)."""
    width = app.help_width()
    parser = new_parser(
        app.terminal,
        usage=f"{PROG} [OPTIONS] [PROVIDER ...]\n       {PROG} [OPTIONS] COMMAND [ARGS]",
        formatter_class=_formatter(width),
    )
    if with_help:
        from ..views.usage_help import help_description, help_epilog

        parser.description = help_description(width)
        parser.epilog = help_epilog(
            [(p.id, f"{p.description} ({p.dashboard_url})") for p in app.registry.values()],
            [(name, help_) for name, (_, help_) in COMMANDS.items()],
            width,
        )
    parser.add_argument(
        "providers",
        nargs="*",
        metavar="PROVIDER",
        help="providers to show (default: every enabled provider with credentials)",
    )
    parser.add_argument("-j", "--json", action="store_true", help="print JSON only")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="show plan, account, pace, status page, source, attempts and timings",
    )
    parser.add_argument("-q", "--quiet", action="store_true", help="one line per window")
    parser.add_argument(
        "--format",
        choices=FORMATS,
        help="table (default), json (as --json) or prometheus (text exposition for "
        "node_exporter's textfile collector or a Pushgateway)",
    )
    parser.add_argument(
        "--record",
        action="store_true",
        help="after the output, add what changed to the history ledger (`history --help`)",
    )
    parser.add_argument("--no-color", action="store_true", help="never use colour")
    parser.add_argument(
        "--refresh",
        action="store_true",
        help="ignore the fresh cache and the failure gate; always ask",
    )
    parser.add_argument("--offline", action="store_true", help="show cached data only; no network")
    parser.add_argument(
        "--timeout",
        type=positive_seconds,
        metavar="SECONDS",
        help="per-strategy timeout, 0.1 to 600 (default: fetch.timeout, 30)",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write the output to FILE atomically instead of stdout",
    )
    parser.add_argument(
        "--debug", action="store_true", help="tracebacks and HTTP traces on stderr (secrets masked)"
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def _formatter(width: int) -> Any:
    """argparse's formatter for a description and epilog laid out already, options to ``width``."""

    class Formatter(argparse.RawDescriptionHelpFormatter):
        sets_width = True  # new_parser must not wrap it to add a width

        def __init__(self, prog: str) -> None:
            super().__init__(prog, width=width, max_help_position=min(24, max(width // 3, 8)))

    return Formatter


#: Options of the usage view that take a value (needed to find a command name in argv).
VALUE_OPTIONS = frozenset({"--timeout", "-o", "--output", "--format"})


def parse_args(app: App, argv: List[str]) -> argparse.Namespace:
    wants_help = any(a == "-h" or (a.startswith("--h") and "--help".startswith(a)) for a in argv)
    parser = build_parser(app, with_help=wants_help)
    if wants_help:
        named = [a for a in argv if not a.startswith("-") and a.lower() in app.registry]
        if named:
            from ..views.provider_help import provider_help

            app.emit(provider_help(app.provider(named[0]), app.help_width()))
            raise SystemExit(0)
    args = parser.parse_intermixed_args(argv)
    _check_provider_words(app, args.providers)
    if args.quiet and args.verbose:
        raise UsageError("--quiet and --verbose cannot be used together")
    if args.offline and args.refresh:
        raise UsageError("--offline and --refresh cannot be used together")
    _settle_format(args)
    return args


def _check_provider_words(app: App, words: List[str]) -> None:
    """Each word names a provider; a command after a provider (``claude auth``) says the order."""
    for word in words:
        if word.lower() in app.registry:
            continue
        if word in COMMANDS:
            from .suggest import command_order_hint

            others = [w for w in words if w != word]
            raise UsageError(
                f"`{word}` is a command, and commands come before providers: "
                f"write `{command_order_hint(word, others)}`"
            )
        app.provider(word, commands=list(COMMANDS))


def _settle_format(args: argparse.Namespace) -> None:
    """``--json`` is ``--format json``; prometheus takes neither ``--quiet`` nor ``--verbose``."""
    if args.json and args.format not in (None, "json"):
        raise UsageError(
            f"--json means --format json; it cannot be used with --format {args.format}"
        )
    args.format = "json" if args.json else (args.format or "table")
    args.json = args.format == "json"
    if args.format == "prometheus" and (args.quiet or args.verbose):
        flag = "--quiet" if args.quiet else "--verbose"
        raise UsageError(f"{flag} cannot be used with --format prometheus")


def run(app: App, args: argparse.Namespace) -> int:
    """Select the providers, collect their report, print it; the report's exit code."""
    from ..pipeline import RunOptions
    from ..service.usage import collect, select_providers

    selection = select_providers(app, args.providers, offline=args.offline)
    style = app.style(args)
    progress = None
    if not selection.first_run and _wants_progress(app, args):
        progress = _Progress(app)
    options = RunOptions(
        refresh=args.refresh,
        offline=args.offline,
        timeout=args.timeout,
        with_status=args.verbose,
    )
    try:
        report = collect(app, selection, options, progress.update if progress else None)
    finally:
        if progress is not None:
            progress.clear()
    text = _render(app, args, selection, report, style)
    if text is not None:
        app.emit(text, args.output)
    if args.record:
        _record(app, report)
    if selection.first_run:
        from ..errors import ExitCode

        if args.quiet and not args.json:
            app.terminal.stderr.write("No provider is connected: run `vibeusage` to see how.\n")
        return int(ExitCode.AUTH)
    return report.exit_code


def _record(app: App, report: Report) -> None:
    """Add the report's fresh data to the history ledger; a failure is only a warning."""
    from ..service.history import record_results, recordable, state_directory

    if not recordable(report.results):
        return
    try:
        outcome = record_results(app, report.results, app.clock())
    except OSError as exc:
        where = exc.filename or state_directory(app)
        app.terminal.error(f"warning: history not recorded: {where}: {exc.strerror or exc}")
        return
    for provider, why in outcome.rejected.items():
        app.terminal.error(f"warning: history: {provider} not recorded: {why}")


def _render(
    app: App, args: argparse.Namespace, selection: Selection, report: Report, style: Any
) -> Optional[str]:
    """The text to print; None when there is nothing to print (a quiet first run)."""
    if args.format == "prometheus":
        from ..views.usage_prometheus import render_report_metrics

        return render_report_metrics(report)
    if args.json:
        from ..views.json_dump import dumps
        from ..views.usage_json import report_document

        return dumps(report_document(report))
    if selection.first_run:
        if args.quiet:
            return None
        from ..views.first_run import render_first_run

        return render_first_run(list(app.registry.values()), style)
    if args.quiet:
        from ..views.usage_quiet import render_quiet

        return render_quiet(report.results, report.now, style.reset_format)
    from ..views.usage_text import render_results

    return render_results(report.results, report.now, style)


def _wants_progress(app: App, args: argparse.Namespace) -> bool:
    return (
        app.terminal.stderr_tty
        and not args.json
        and not args.quiet
        and not args.output
        and not args.offline
    )


class _Progress:
    """A one-line indicator on stderr while providers are pending; erased before output."""

    DELAY = 0.25  # quick runs should not flicker

    def __init__(self, app: App) -> None:
        self.stream = app.terminal.stderr
        self.shown = False

    def update(self, pending: List[str], elapsed: float) -> None:
        if elapsed < self.DELAY:
            return
        from ..views.progress import progress_line

        self.stream.write(progress_line(pending, elapsed))
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            from ..views.progress import CLEAR_LINE

            self.stream.write(CLEAR_LINE)
            self.stream.flush()
            self.shown = False
