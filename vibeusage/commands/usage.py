"""The usage view: ``vibeusage [OPTIONS] [PROVIDER ...]``."""

import argparse
from datetime import datetime
from typing import Any, List, Sequence

from .. import __version__
from ..errors import ErrorCategory, ExitCode, VibeusageError
from ..pipeline import ProviderResult, RunOptions
from ..providers.base import Provider
from . import COMMANDS
from .app import PROG, App, UsageError, new_parser


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


def build_parser(app: App) -> argparse.ArgumentParser:
    commands = "\n".join(f"  {name:<12}{help_}" for name, (_, help_) in COMMANDS.items())
    providers = "\n".join(
        f"  {p.id:<12}{p.description} ({p.dashboard_url})" for p in app.registry.values()
    )
    parser = new_parser(
        app.terminal,
        usage=f"{PROG} [OPTIONS] [PROVIDER ...]\n       {PROG} [OPTIONS] COMMAND [ARGS]",
        description=(
            "Show how much of your AI coding plans' rate limits you have used and when "
            "each window resets."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            f"providers:\n{providers}\n\ncommands (`{PROG} COMMAND --help` for each):\n"
            f"{commands}\n\n"
            "exit codes: 0 ok, 1 error, 2 authentication, 3 network, 4 invalid input,\n"
            "  5 partial (some data shown, some failed or stale), 130 interrupted\n"
            "environment: VIBEUSAGE_CONFIG_DIR, VIBEUSAGE_CACHE_DIR,\n"
            "  VIBEUSAGE_ENABLED_PROVIDERS, NO_COLOR, HTTPS_PROXY, REQUESTS_CA_BUNDLE"
        ),
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
        help="per-strategy timeout (default: fetch.timeout, 30)",
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


#: Options of the usage view that take a value (needed to find a command name in argv).
VALUE_OPTIONS = frozenset({"--timeout", "-o", "--output"})


def parse_args(app: App, argv: List[str]) -> argparse.Namespace:
    parser = build_parser(app)
    if any(a in ("-h", "--help") for a in argv):
        named = [a for a in argv if not a.startswith("-") and a.lower() in app.registry]
        if named:
            app.emit(provider_help(app.provider(named[0])))
            raise SystemExit(0)
    args = parser.parse_intermixed_args(argv)
    if args.quiet and args.verbose:
        raise UsageError("--quiet and --verbose cannot be used together")
    if args.offline and args.refresh:
        raise UsageError("--offline and --refresh cannot be used together")
    return args


def provider_help(provider: Provider) -> str:
    """``vibeusage PROVIDER --help``: what the provider is and how vibeusage connects to it."""
    lines = [
        f"{PROG} {provider.id}: {provider.name} — {provider.description}",
        "",
        f"  dashboard:  {provider.dashboard_url}",
        f"  status:     {provider.status_url or 'no status page'}",
        f"  connect:    {provider.setup_hint}",
        "  strategies, tried in order:",
    ]
    lines += [f"    {s.name:<12}{s.label}" for s in provider.strategies]
    if provider.options:
        lines.append(f"  config keys in [providers.{provider.id}]:")
        lines += [f"    {key} ({kind.__name__})" for key, kind in provider.options.items()]
    lines += ["", f"Usage: {PROG} [OPTIONS] {provider.id}   (options: {PROG} --help)"]
    return "\n".join(lines) + "\n"


def run(app: App, args: argparse.Namespace) -> int:
    pipeline = app.pipeline()
    named = app.named_providers(args.providers)
    if named:
        selected = named
    elif args.offline:
        # Offline shows what is cached; it does not even look for credentials (some
        # checks open databases), so it stays fast on any machine.
        selected = [p for p in app.enabled_providers() if pipeline.has_cache(p)]
        if not selected:
            raise VibeusageError(
                "Nothing is cached yet",
                ErrorCategory.NOT_FOUND,
                remediation="Run `vibeusage` once without --offline.",
            )
    else:
        selected = [p for p in app.enabled_providers() if pipeline.has_credentials(p)]
    style = app.style(args)
    if not selected:
        return _first_run(app, args, list(app.registry.values()), style)

    progress = _Progress(app) if _wants_progress(app, args) else None
    options = RunOptions(
        refresh=args.refresh,
        offline=args.offline,
        timeout=args.timeout,
        with_status=args.verbose,
    )
    try:
        results = pipeline.run(selected, options, on_progress=progress.update if progress else None)
    finally:
        if progress is not None:
            progress.clear()
    now = app.clock()
    app.emit(_render(args, results, now, style, single=len(named) == 1), args.output)
    return exit_code_for(results)


def _render(
    args: argparse.Namespace,
    results: Sequence[ProviderResult],
    now: datetime,
    style: Any,
    single: bool,
) -> str:
    if args.json:
        from ..views.usage_json import dumps, providers_document, single_document

        document = single_document(results[0], now) if single else providers_document(results, now)
        return dumps(document)
    from ..views.usage_text import render_quiet, render_results

    if args.quiet:
        return render_quiet(results, now, style.reset_format)
    return render_results(results, now, style)


def _first_run(app: App, args: argparse.Namespace, providers: List[Provider], style: Any) -> int:
    if args.json:
        from ..views.usage_json import dumps, providers_document

        app.emit(dumps(providers_document([], app.clock())), args.output)
    elif not args.quiet:
        from ..views.usage_text import render_first_run

        app.emit(render_first_run(providers, style), args.output)
    return ExitCode.OK


def exit_code_for(results: Sequence[ProviderResult]) -> int:
    """0 when everything is fresh, 5 when some data was shown, else the first failure's code."""
    if all(r.fresh for r in results):
        return ExitCode.OK
    if any(r.snapshot is not None for r in results):
        return ExitCode.PARTIAL
    for result in results:
        if result.error is not None:
            return result.error.exit_code
    return ExitCode.ERROR


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
        names = ", ".join(pending)
        self.stream.write(f"\r\x1b[KFetching {names}... {elapsed:.1f}s")
        self.stream.flush()
        self.shown = True

    def clear(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
