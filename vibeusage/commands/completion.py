"""``vibeusage completion bash|zsh|fish``: a completion script built from the parsers."""

from __future__ import annotations

import argparse

from . import COMMANDS, load
from .app import App, add_output_options, new_parser

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:
    from typing import Callable, Dict, List, Tuple

    from ..providers.manifest import Provider
    from ..views.completion import Command, Kind, Option

SHELLS = ("bash", "zsh", "fish")

#: Words a command's first positional accepts beside providers (its metavar or help says
#: so): each action and whether providers may follow it; then whether more providers may
#: follow a first provider.
ACTIONS: Dict[str, Tuple[Dict[str, bool], bool]] = {
    "history": ({"record": True, "export": False}, False),
    "statusline": ({"install": False, "uninstall": False, "status": False}, True),
}


def _all(provider: Provider) -> bool:
    return True


#: Which providers each command accepts where it takes one (``key`` only those with a secret).
PROVIDER_FILTERS: Dict[str, Callable[[Provider], bool]] = {
    "key": lambda p: p.secret is not None,
}


def build_parser(app: App) -> argparse.ArgumentParser:
    parser = new_parser(
        app.terminal,
        prog="vibeusage completion",
        description="Print a completion script for the shell (see the README to install it).",
    )
    parser.add_argument("shell", choices=SHELLS)
    add_output_options(parser)
    return parser


def _option(action: argparse.Action, providers: List[str]) -> Option:
    from ..views.completion import Option

    names = list(action.option_strings)
    if action.nargs == 0:
        return Option(names, None, action.help or "")
    if action.choices:
        return Option(names, ("words", [str(c) for c in action.choices]), action.help or "")
    metavar = str(action.metavar or action.dest).upper()
    if metavar == "FILE" or action.dest == "output":
        kind: Kind = ("file", [])
    elif metavar == "DIR":
        kind = ("dir", [])
    elif metavar == "P" or action.dest in ("provider", "provider_flags"):
        kind = ("words", providers)
    else:
        kind = ("any", [])
    return Option(names, kind, action.help or "")


def command_spec(name: str, parser: argparse.ArgumentParser, providers: List[str]) -> Command:
    """What each position and option of one parser accepts (``name`` "" is the usage view)."""
    from ..views.completion import Command

    options = [
        _option(action, providers)
        for action in parser._actions  # argparse keeps no public list of its actions
        if action.option_strings
    ]
    slots: List[List[str]] = []
    repeat = False
    follow: Dict[str, List[str]] = {}
    for action in parser._actions:
        if action.option_strings:
            continue
        if action.choices:
            slots.append([str(c) for c in action.choices])
        elif action.dest in ("provider", "providers", "words") and name in ACTIONS:
            actions, more = ACTIONS[name]
            slots.append(list(actions) + providers)
            follow = {word: providers if then else [] for word, then in actions.items()}
            if more:
                slots.append(providers)
            repeat = more
            break
        elif action.dest in ("provider", "providers", "words"):
            slots.append(providers)
        else:
            slots.append([])
        if action.nargs in ("*", "+"):
            repeat = True
            break
    command = Command(name, options, slots, repeat)
    command.follow = follow
    return command


def specs(app: App) -> List[Command]:
    """The usage view's spec (with every command as its first word), then each command's."""
    from .usage import build_parser as usage_parser

    registry = app.registry
    top = command_spec("", usage_parser(app), list(registry))
    top.slots = [list(COMMANDS) + list(registry), list(registry)]
    described = {pid: p.description for pid, p in registry.items()}
    top.descriptions = dict(described, **{name: help_ for name, (_, help_) in COMMANDS.items()})
    result = [top]
    for name in COMMANDS:
        keep = PROVIDER_FILTERS.get(name, _all)
        providers = [pid for pid, p in registry.items() if keep(p)]
        spec = command_spec(name, load(name).build_parser(app), providers)
        spec.descriptions = described
        result.append(spec)
    return result


def run(app: App, args: argparse.Namespace) -> int:
    from ..views.completion import bash_script, fish_script, zsh_script

    script = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[args.shell](specs(app))
    app.emit(script)
    return 0
