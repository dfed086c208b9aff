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
    from typing import Any, NoReturn, TextIO


def new_parser(terminal: Terminal, **kwargs: Any) -> argparse.ArgumentParser:
    """An ArgumentParser whose errors raise UsageError and whose help goes to ``terminal``."""

    class Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UsageError(message)

        def _print_message(self, message: str, file: Any = None) -> None:
            if message:
                stream: TextIO = terminal.stderr if file is sys.stderr else terminal.stdout  # type: ignore[assignment]
                stream.write(message)

    kwargs.setdefault("prog", PROG)
    return Parser(**kwargs)
