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


def new_parser(
    terminal: Terminal, *, usage_exit_code: int = 4, **kwargs: Any
) -> argparse.ArgumentParser:
    """An ArgumentParser whose errors raise UsageError and whose help goes to ``terminal``.

    ``usage_exit_code`` is the exit code of its errors (guard's contract says 64).
    """

    class Parser(argparse.ArgumentParser):
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
