"""The argument parser every command builds on, importable without the App's dependencies.

``vibeusage statusline`` runs on every prompt, so its parser must not pull in the
configuration, provider or HTTP modules that ``App`` needs.
"""

from __future__ import annotations

import argparse
import sys

from ..terminal import PROG, Terminal, UsageError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Any, NoReturn


class LinesHelpFormatter(argparse.HelpFormatter):
    """Wraps the description and epilog to the width, but keeps their own line breaks."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(
            super(LinesHelpFormatter, self)._fill_text(line, width, indent)
            for line in text.split("\n")
        )


def new_parser(
    terminal: Terminal, *, usage_exit_code: int = 4, **kwargs: Any
) -> argparse.ArgumentParser:
    """An ArgumentParser whose errors raise UsageError and whose help goes to ``terminal``.

    ``usage_exit_code`` is the exit code of its errors (guard's contract says 64).
    """

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **options: Any) -> None:
            layout = options.get("formatter_class", argparse.HelpFormatter)
            # Subparsers too; a factory function, or a class that sets its own width, is
            # left alone.
            if isinstance(layout, type) and not getattr(layout, "sets_width", False):
                options["formatter_class"] = _told_the_width(layout)
            super().__init__(*args, **options)

        def error(self, message: str) -> NoReturn:
            raise UsageError(message, usage_exit_code)

        def _print_message(self, message: str, file: Any = None) -> None:
            if not message:
                return
            if file is sys.stderr:
                terminal.stderr.write(message)
            else:
                terminal.write_out(message)  # --help and --version: the output proper

    kwargs.setdefault("prog", PROG)
    return Parser(**kwargs)


def _told_the_width(layout: type) -> Any:
    """``layout`` built with the terminal's width: left to itself, argparse imports ``shutil``
    to measure it, on every ``add_argument`` (about a tenth of a bare interpreter's start)."""

    def build(prog: str) -> argparse.HelpFormatter:
        formatter: argparse.HelpFormatter = layout(prog, width=help_width())
        return formatter

    return build


def help_width() -> int:
    """What ``shutil.get_terminal_size`` gives argparse: ``$COLUMNS``, the terminal, or 80;
    less the two columns argparse keeps free."""
    import os

    try:
        columns = int(os.environ.get("COLUMNS", ""))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):  # no stdout, or not a terminal
            columns = 0
    return max((columns or 80) - 2, 20)
