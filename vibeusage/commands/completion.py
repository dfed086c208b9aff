"""``vibeusage completion bash|zsh|fish``: a completion script built from the parsers."""

from __future__ import annotations

import argparse

from . import COMMANDS, load
from .app import App, add_output_options, new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Dict, List

SHELLS = ("bash", "zsh", "fish")


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage completion",
        description="Print a completion script for the shell (see the README to install it).",
    )
    parser.add_argument("shell", choices=SHELLS)
    add_output_options(parser)
    return parser


def _options(parser: argparse.ArgumentParser) -> List[str]:
    return sorted(
        {
            option
            for action in parser._actions  # argparse keeps no public list of its options
            for option in action.option_strings
            if option.startswith("--")
        }
    )


def vocabulary(app: App) -> Dict[str, List[str]]:
    """Words to complete: options, commands, providers, and each command's first argument."""
    from .usage import build_parser as usage_parser

    providers = list(app.registry)
    words: Dict[str, List[str]] = {
        "options": _options(usage_parser(app)),
        "commands": list(COMMANDS),
        "providers": providers,
    }
    for name in COMMANDS:
        parser = load(name).build_parser(app)
        first = next((a for a in parser._actions if not a.option_strings), None)
        if first is not None and first.choices:
            words[name] = [str(c) for c in first.choices]
        elif first is not None and first.dest in ("provider", "providers"):
            words[name] = providers
        words[f"{name}_options"] = _options(parser)
    return words


def run(app: App, args: argparse.Namespace) -> int:
    from ..views.completion import bash_script, fish_script, zsh_script

    words = vocabulary(app)
    script = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[args.shell](words)
    app.emit(script)
    return 0
