"""Command line: the only place that parses argv, prints, and turns outcomes into exit codes.

Kept light at import time (no argparse, requests or tabulate until needed) so that
``vibeusage --version`` starts about as fast as Python itself. Commands are imported only
when they run.
"""

from __future__ import annotations

import os
import sys

from . import __version__
from .terminal import PROG, OutputFailed, Terminal, Terminated, UsageError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from datetime import datetime
    from typing import IO, Any, Callable, List, Mapping, Optional, Sequence

    from .commands.app import App

__all__ = ["Terminal", "UsageError", "main", "run"]

VERSION_ONLY = ["--version"]
#: Bad arguments (ExitCode.INVALID_INPUT, without importing the error module for it).
EXIT_INVALID_INPUT = 4


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Console entry point: run the command and return its exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    code = run(args_list, Terminal.from_sys(), os.environ, handle_sigterm=True)
    _quiet_exit_flush()
    return code


def _quiet_exit_flush() -> None:
    """Flush stdout now; if its reader went away, point it at nothing so exit stays silent."""
    try:
        if sys.stdout is not None:
            sys.stdout.flush()
    except (OSError, ValueError):
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except (OSError, ValueError):
            pass


def _handle_sigterm() -> Any:
    """Turn SIGTERM into Terminated in the main thread; the previous handler, or None."""
    import threading

    if threading.current_thread() is not threading.main_thread():
        return None
    import signal

    def terminate(signum: int, frame: object) -> None:
        raise Terminated()

    try:
        return signal.signal(signal.SIGTERM, terminate)
    except (ValueError, OSError):  # pragma: no cover - signals unavailable here
        return None


class _Runtime:
    """What a run sets up only once it does real work, and undoes at its end.

    ``--help``, ``--version`` and ``completion`` never get here, so they pay neither for
    ``logging`` nor for ``signal``: the App calls :meth:`start` on first loading the config.
    Even then ``logging`` is imported only once a module that logs is.
    """

    def __init__(self, stream: IO[str], debug: bool, handle_sigterm: bool) -> None:
        self.stream = stream
        self.debug = debug
        self.handle_sigterm = handle_sigterm
        self._undo: List[Callable[[], None]] = []

    def start(self) -> None:
        if self.debug or "logging" in sys.modules:
            self._undo.append(_attach_logging(self.stream, self.debug))
        else:  # only modules that log import it: a run without any (cached data) skips it
            from .after_import import AfterImport

            def attach() -> None:
                self._undo.append(_attach_logging(self.stream, self.debug))

            self._undo.append(AfterImport("logging", attach).install().remove)
        if self.handle_sigterm:
            previous = _handle_sigterm()
            if previous is not None:
                self._undo.append(lambda: _restore_sigterm(previous))

    def stop(self) -> None:
        while self._undo:
            self._undo.pop()()


def _restore_sigterm(previous: Any) -> None:
    import signal

    signal.signal(signal.SIGTERM, previous)


def run(
    argv: Optional[Sequence[str]],
    terminal: Terminal,
    environ: Mapping[str, str],
    clock: Optional[Callable[[], datetime]] = None,
    handle_sigterm: bool = False,
) -> int:
    """Run one command line against ``terminal``; returns the exit code (a plain int).

    The one error ladder: bad arguments exit 4, the project's errors exit with their
    category's code and remediation, Ctrl-C exits 130, anything else exits 1 with one line
    (the traceback only with ``--debug``).
    """
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list == VERSION_ONLY:  # fast path: nothing else imported
        try:
            terminal.write_out(f"{PROG} {__version__}\n")
        except OutputFailed as exc:
            return _output_failed(terminal, exc)
        return 0
    if args_list[:1] == ["statusline"]:  # Claude Code runs it on every prompt: a light path
        from .commands.statusline import run_light

        code = run_light(args_list[1:], terminal, environ, clock)
        if code is not None:
            return code
    runtime = _Runtime(terminal.stderr, "--debug" in args_list, handle_sigterm)
    try:
        return int(_run(args_list, terminal, environ, clock, runtime))
    finally:
        runtime.stop()


def _run(
    args_list: List[str],
    terminal: Terminal,
    environ: Mapping[str, str],
    clock: Optional[Callable[[], datetime]],
    runtime: _Runtime,
) -> int:
    debug = "--debug" in args_list
    exc: Any
    try:
        from .commands.app import App

        return dispatch(App(terminal, environ, clock or _utcnow, on_work=runtime.start), args_list)
    except UsageError as exc:
        terminal.error(f"{exc}\nTry `{PROG} --help` for the options.")
        return exc.exit_code
    except OutputFailed as exc:
        return _output_failed(terminal, exc)
    except SystemExit as exc:  # --help / --version printed and asked to exit
        return int(exc.code or 0) if not isinstance(exc.code, str) else EXIT_INVALID_INPUT
    except (KeyboardInterrupt, Terminated) as exc:
        from .errors import ExitCode
        from .kit.processes import kill_all

        kill_all()  # children of abandoned strategies, and their process groups
        terminal.error("interrupted" if isinstance(exc, KeyboardInterrupt) else "terminated")
        return ExitCode.INTERRUPTED if isinstance(exc, KeyboardInterrupt) else ExitCode.TERMINATED
    except Exception as exc:
        from .errors import ExitCode, VibeusageError, redact

        if isinstance(exc, OSError):
            from .disk_errors import write_failure

            exc = write_failure(exc) or exc
        if isinstance(exc, VibeusageError):
            _report_error(terminal, environ, exc)
            return exc.exit_code
        if debug:
            import traceback

            terminal.stderr.write(redact(traceback.format_exc()))
        terminal.error(f"unexpected error ({type(exc).__name__}); run with --debug for details")
        return ExitCode.ERROR


def _report_error(terminal: Terminal, environ: Mapping[str, str], exc: Any) -> None:
    """The message and the remediation on stderr, the remediation wrapped to the width."""
    terminal.error(exc.message)
    if exc.remediation:
        from .views.layout import wrap

        columns = environ.get("COLUMNS", "").strip()
        width = int(columns) if columns.isdigit() and int(columns) > 0 else None
        if width is None and terminal.stderr_tty:
            try:
                width = os.get_terminal_size(terminal.stderr.fileno()).columns or None
            except (AttributeError, OSError, ValueError):
                width = None
        lines = wrap(exc.remediation, width, "  ")
        terminal.stderr.write("\n".join(lines) + "\n")


def _output_failed(terminal: Terminal, exc: OutputFailed) -> int:
    """Exit 1; say why unless the reader simply went away (``| head``, ``| true``)."""
    if not exc.quiet:
        try:
            terminal.error(str(exc))
        except (OSError, ValueError):
            pass
    return 1


def _utcnow() -> datetime:
    """The current time, UTC (``timeparse`` is imported only when a command asks the clock)."""
    from .timeparse import utcnow

    return utcnow()


def dispatch(app: App, args_list: List[str]) -> int:
    """Run the command named in ``args_list``, or the usage view when there is none."""
    from . import commands
    from .commands import usage

    index = find_command(args_list, commands.COMMANDS, usage.VALUE_OPTIONS)
    if index is None:
        return usage.run(app, usage.parse_args(app, args_list))
    name = args_list[index]
    module = commands.load(name)
    rest = args_list[:index] + args_list[index + 1 :]
    args = module.build_parser(app).parse_args(rest)
    return int(module.run(app, args))


def find_command(
    args_list: List[str], names: Mapping[str, object], value_options: frozenset[str]
) -> Optional[int]:
    """Index of the first positional argument when it names a command, else None."""
    skip = False
    for index, token in enumerate(args_list):
        if skip:
            skip = False
            continue
        if token == "--":
            return None
        if token.startswith("-"):
            skip = token in value_options
            continue
        return index if token in names else None
    return None


def _attach_logging(stream: IO[str], debug: bool) -> Callable[[], None]:
    """Warnings (always) and debug traces (with --debug) on ``stream``, secrets masked.

    Returns the function that detaches the handler again, so that in-process runs (tests,
    projects that call ``run``) do not pile handlers up.
    """
    import logging

    from .errors import redact

    class RedactingFormatter(logging.Formatter):
        def format(self, record: logging.LogRecord) -> str:
            return redact(super().format(record))

    handler = logging.StreamHandler(stream)
    if debug:
        handler.setFormatter(RedactingFormatter("debug: %(name)s: %(message)s"))
    else:
        handler.setFormatter(RedactingFormatter(f"{PROG}: warning: %(message)s"))
    logger = logging.getLogger(__package__ or PROG)
    previous_level = logger.level
    logger.setLevel(logging.DEBUG if debug else logging.WARNING)
    logger.addHandler(handler)

    def detach() -> None:
        logger.removeHandler(handler)
        logger.setLevel(previous_level)

    return detach
