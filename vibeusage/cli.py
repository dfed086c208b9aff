"""Command line: the only place that parses argv, prints, and turns outcomes into exit codes.

Kept light at import time (no argparse, requests or tabulate until needed) so that
``vibeusage --version`` starts about as fast as Python itself.
"""

from __future__ import annotations

import os
import sys

from . import __version__

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    import argparse
    from datetime import datetime
    from typing import IO, Any, Callable, List, Mapping, NoReturn, Optional, Sequence

    from .config import Config
    from .pipeline import ProviderResult
    from .providers.base import Provider

PROG = "vibeusage"


class Terminal:
    """The streams the CLI talks to, injectable for in-process tests."""

    def __init__(self, stdout: IO[str], stderr: IO[str]) -> None:
        self.stdout = stdout
        self.stderr = stderr

    @classmethod
    def from_sys(cls) -> Terminal:
        return cls(sys.stdout, sys.stderr)

    @staticmethod
    def _isatty(stream: IO[str]) -> bool:
        try:
            return bool(stream.isatty())
        except (AttributeError, ValueError):
            return False

    @property
    def stdout_tty(self) -> bool:
        return self._isatty(self.stdout)

    @property
    def stderr_tty(self) -> bool:
        return self._isatty(self.stderr)

    def error(self, message: str) -> None:
        self.stderr.write(f"{PROG}: {message}\n")
        self.stderr.flush()


class UsageError(Exception):
    """A bad command line (argparse errors land here, exit code 4)."""


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Console entry point: run the command and return its exit code."""
    return run(argv, Terminal.from_sys(), os.environ)


def run(
    argv: Optional[Sequence[str]],
    terminal: Terminal,
    environ: Mapping[str, str],
    clock: Optional[Callable[[], datetime]] = None,
) -> int:
    """Run one command line against ``terminal``; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == ["--version"]:  # fast path: nothing else imported
        terminal.stdout.write(f"{PROG} {__version__}\n")
        return 0
    from .errors import ExitCode, VibeusageError, redact
    from .timeparse import utcnow

    debug = "--debug" in args_list
    try:
        args = parse_args(args_list, terminal)
    except UsageError as exc:
        terminal.error(f"{exc}\nTry `{PROG} --help` for the options.")
        return ExitCode.INVALID_INPUT
    except SystemExit as exc:  # --help / --version printed and asked to exit
        return int(exc.code or 0) if not isinstance(exc.code, str) else ExitCode.INVALID_INPUT
    if debug:
        _enable_debug_logging(terminal.stderr)
    try:
        return _usage_command(args, terminal, environ, clock or utcnow)
    except KeyboardInterrupt:
        terminal.error("interrupted")
        return ExitCode.INTERRUPTED
    except VibeusageError as exc:
        terminal.error(exc.message)
        if exc.remediation:
            terminal.stderr.write(f"  {exc.remediation}\n")
        return exc.exit_code
    except Exception as exc:
        if debug:
            import traceback

            terminal.stderr.write(redact(traceback.format_exc()))
        terminal.error(f"unexpected error ({type(exc).__name__}); run with --debug for details")
        return ExitCode.ERROR


# --- arguments ---------------------------------------------------------------------------


def _positive_float(text: str) -> float:
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 < value <= 3600:
        raise argparse.ArgumentTypeError("must be between 0 and 3600 seconds")
    return value


def build_parser(terminal: Terminal) -> argparse.ArgumentParser:
    import argparse

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UsageError(message)

        def _print_message(self, message: str, file: Any = None) -> None:
            if message:
                (terminal.stderr if file is sys.stderr else terminal.stdout).write(message)

    parser = Parser(
        prog=PROG,
        description=(
            "Show how much of your AI coding plans' rate limits you have used and when "
            "each window resets."
        ),
        epilog=(
            "Exit codes: 0 ok, 1 error, 2 authentication, 3 network, 4 invalid input, "
            "5 partial (some data shown, some failed or stale), 130 interrupted. "
            "Environment: VIBEUSAGE_CONFIG_DIR, VIBEUSAGE_CACHE_DIR, "
            "VIBEUSAGE_ENABLED_PROVIDERS, NO_COLOR."
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
        help="show plan, account, source, attempts and timings",
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
        type=_positive_float,
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


def parse_args(argv: List[str], terminal: Terminal) -> argparse.Namespace:
    parser = build_parser(terminal)
    args = parser.parse_intermixed_args(argv)
    if args.quiet and args.verbose:
        raise UsageError("--quiet and --verbose cannot be used together")
    if args.offline and args.refresh:
        raise UsageError("--offline and --refresh cannot be used together")
    return args


def _enable_debug_logging(stream: IO[str]) -> None:
    import logging

    from .errors import redact

    class RedactingFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))

    handler = logging.StreamHandler(stream)
    handler.setFormatter(RedactingFormatter("debug: %(name)s: %(message)s"))
    logger = logging.getLogger(__package__ or PROG)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)


# --- the usage view ------------------------------------------------------------------------


def _usage_command(
    args: argparse.Namespace,
    terminal: Terminal,
    environ: Mapping[str, str],
    clock: Callable[[], datetime],
) -> int:
    from .config import load_config
    from .paths import resolve_paths
    from .pipeline import Pipeline, RunOptions
    from .providers import all_providers

    registry = {p.id: p for p in all_providers()}
    paths = resolve_paths(environ)
    config = load_config(
        paths.config_file,
        {pid: p.strategy_names() for pid, p in registry.items()},
        environ,
        {pid: p.options for pid, p in registry.items()},
    )
    pipeline = Pipeline(config, paths, environ, clock=clock)
    named = _named_providers(args.providers, registry)
    if named:
        selected = named
    else:
        selected = [
            p
            for p in _enabled(registry, config)
            if pipeline.has_credentials(p) or (args.offline and pipeline.has_cache(p))
        ]
    style = _style(args, terminal, environ, config)
    if not selected:
        return _first_run(args, terminal, list(registry.values()), style, clock())

    progress = _Progress(terminal) if _wants_progress(args, terminal) else None
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
    now = clock()
    text = _render(args, results, now, style, single=len(named) == 1)
    _emit(args, terminal, text)
    return exit_code_for(results)


def _named_providers(names: Sequence[str], registry: Mapping[str, Provider]) -> List[Provider]:
    from .errors import ConfigError

    selected: List[Provider] = []
    for name in names:
        key = name.lower()
        if key not in registry:
            raise ConfigError(
                f"unknown provider {name!r}",
                remediation=f"Known providers: {', '.join(sorted(registry))}.",
            )
        if registry[key] not in selected:
            selected.append(registry[key])
    return selected


def _enabled(registry: Mapping[str, Provider], config: Config) -> List[Provider]:
    order = config.enabled_providers or tuple(registry)
    return [registry[pid] for pid in order if pid in registry and config.provider(pid).enabled]


def _style(
    args: argparse.Namespace, terminal: Terminal, environ: Mapping[str, str], config: Config
) -> Any:
    from .render.text import Style, unicode_supported

    color = (
        terminal.stdout_tty
        and not args.output
        and not args.no_color
        and not environ.get("NO_COLOR")
        and not environ.get("VIBEUSAGE_NO_COLOR")
    )
    encoding = "utf-8" if args.output else getattr(terminal.stdout, "encoding", None)
    return Style(
        color=bool(color),
        unicode=unicode_supported(encoding),
        pace_colors=config.display.pace_colors,
        reset_format=config.display.reset_format,
        verbose=args.verbose,
    )


def _render(
    args: argparse.Namespace,
    results: Sequence[ProviderResult],
    now: datetime,
    style: Any,
    single: bool,
) -> str:
    if args.json:
        from .render.json_doc import dumps, providers_document, single_document

        document = single_document(results[0], now) if single else providers_document(results, now)
        return dumps(document)
    from .render.text import render_quiet, render_results

    if args.quiet:
        return render_quiet(results, now, style.reset_format)
    return render_results(results, now, style)


def _first_run(
    args: argparse.Namespace,
    terminal: Terminal,
    providers: List[Provider],
    style: Any,
    now: datetime,
) -> int:
    if args.json:
        from .render.json_doc import dumps, providers_document

        _emit(args, terminal, dumps(providers_document([], now)))
    elif not args.quiet:
        from .render.text import render_first_run

        _emit(args, terminal, render_first_run(providers, style))
    return 0


def _emit(args: argparse.Namespace, terminal: Terminal, text: str) -> None:
    if args.output:
        from .errors import VibeusageError
        from .store import atomic_write_text

        try:
            atomic_write_text(args.output, text)
        except OSError as exc:
            raise VibeusageError(
                f"cannot write {args.output}: {exc.strerror or exc}",
                remediation="Check that the directory exists and is writable.",
            ) from exc
        return
    terminal.stdout.write(text)
    terminal.stdout.flush()


def exit_code_for(results: Sequence[ProviderResult]) -> int:
    """0 when everything is fresh, 5 when some data was shown, else the first failure's code."""
    from .errors import ExitCode

    if all(r.fresh for r in results):
        return ExitCode.OK
    if any(r.snapshot is not None for r in results):
        return ExitCode.PARTIAL
    for result in results:
        if result.error is not None:
            return result.error.exit_code
    return ExitCode.ERROR


def _wants_progress(args: argparse.Namespace, terminal: Terminal) -> bool:
    return (
        terminal.stderr_tty
        and not args.json
        and not args.quiet
        and not args.output
        and not args.offline
    )


class _Progress:
    """A one-line indicator on stderr while providers are pending; erased before output."""

    DELAY = 0.25  # quick runs should not flicker

    def __init__(self, terminal: Terminal) -> None:
        self.stream = terminal.stderr
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
