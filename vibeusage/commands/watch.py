"""``vibeusage watch``: the usage table kept live in the terminal, or printed after each fetch."""

import argparse
import math
from typing import Any, List, Sequence

from .app import PROG, App, new_parser

MIN_INTERVAL = 5.0
MAX_INTERVAL = 86400.0


def _interval(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not math.isfinite(value) or not MIN_INTERVAL <= value <= MAX_INTERVAL:
        raise argparse.ArgumentTypeError(
            f"must be between {MIN_INTERVAL:g} and {MAX_INTERVAL:g} seconds"
        )
    return value


def _timeout(text: str) -> float:
    from .usage import positive_seconds

    return positive_seconds(text)


def build_parser(app: App) -> argparse.ArgumentParser:
    from .. import __version__

    parser = new_parser(
        app.terminal,
        prog=f"{PROG} watch",
        description=(
            "Keep the usage table on screen, redrawn every second, each provider fetched "
            "at most every --interval (Claude's Claude Code login at most every 3 minutes). "
            "Off a terminal, print the table after each fetch."
        ),
        epilog="exit codes: 130 Ctrl-C, 143 SIGTERM, 4 bad arguments",
    )
    parser.add_argument(
        "providers",
        nargs="*",
        metavar="PROVIDER",
        help="providers to watch (default: every enabled provider with credentials)",
    )
    parser.add_argument(
        "--interval",
        type=_interval,
        default=60.0,
        metavar="SECONDS",
        help="fewest seconds between two fetches of a provider (default 60, minimum 5)",
    )
    parser.add_argument(
        "--timeout",
        type=_timeout,
        metavar="SECONDS",
        help="per-strategy timeout (default: fetch.timeout, 30)",
    )
    parser.add_argument("--no-color", action="store_true", help="never use colour")
    parser.add_argument(
        "--debug", action="store_true", help="tracebacks and HTTP traces on stderr (secrets masked)"
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def run(app: App, args: argparse.Namespace) -> int:
    """Watch until Ctrl-C (130) or SIGTERM (143), or until a pipe's reader is done (0)."""
    from ..errors import ErrorCategory, ExitCode, VibeusageError
    from ..pipeline import RunOptions
    from ..service.usage import select_providers
    from ..watch import loop
    from ..watch.context import RenewedPipelines

    selection = select_providers(app, args.providers)
    if not selection.providers:
        raise VibeusageError(
            "Nothing to watch: no provider is connected",
            ErrorCategory.NOT_FOUND,
            remediation="Connect one (see `vibeusage auth`), or name the provider to watch.",
        )
    style = app.style(args)
    watch = loop.Watch(
        RenewedPipelines(app),
        selection.providers,
        args.interval,
        RunOptions(timeout=args.timeout),
        loop.TIMER,
        on_terminal=app.terminal.stdout_tty,
    )
    if watch.on_terminal:
        from ..watch.screen import LiveScreen

        screen = LiveScreen(app.terminal.stdout, app.terminal.stdin)
        loop.TerminalView(watch, screen, _frame_maker(app, style)).run()
    else:
        from ..views.watch_text import off_terminal_block

        def emit(shown: List[Any]) -> None:
            app.emit(off_terminal_block(shown, app.clock(), style))

        try:
            loop.watch_off_terminal(watch, emit)
        except BrokenPipeError:  # ``vibeusage watch | head``: the reader is done
            _silence(app.terminal.stdout)
    return int(ExitCode.OK)


def _silence(stream: Any) -> None:
    """Point a closed pipe's descriptor at the null device (no error when Python exits)."""
    import os

    try:
        fd = stream.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):
        return
    try:
        os.dup2(null, fd)
    finally:
        os.close(null)


def _frame_maker(app: App, style: Any) -> Any:
    from ..views.watch_text import footer_text, watch_frame
    from ..watch.screen import terminal_size

    def frame(watch: Any, fetching: Sequence[str]) -> str:
        footer = footer_text(watch.updated_ago(), watch.next_fetch_in(), fetching, style)
        size = terminal_size(app.terminal.stdout, app.environ)
        return watch_frame(watch.shown(), app.clock(), style, size, footer)

    return frame
