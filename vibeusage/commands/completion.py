"""``vibeusage completion bash|zsh|fish``: a completion script built from the parsers."""

import argparse
from typing import Dict, List

from . import COMMANDS, load
from .app import App, add_output_options, new_parser

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


def _joined(words: Dict[str, List[str]], command: str) -> str:
    return " ".join(words[command] + words[f"{command}_options"])


def bash_script(words: Dict[str, List[str]]) -> str:
    cases = "\n".join(
        f'        {name}) COMPREPLY=($(compgen -W "{_joined(words, name)}" -- "$cur")); return ;;'
        for name in COMMANDS
        if name in words
    )
    top = " ".join(words["options"] + words["commands"] + words["providers"])
    return f"""# bash completion for vibeusage
_vibeusage() {{
    local cur prev
    cur="${{COMP_WORDS[COMP_CWORD]}}"
    prev="${{COMP_WORDS[COMP_CWORD-1]}}"
    case "$prev" in
        -o|--output) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --timeout) return ;;
{cases}
    esac
    COMPREPLY=($(compgen -W "{top}" -- "$cur"))
}}
complete -o default -F _vibeusage vibeusage
"""


def zsh_script(words: Dict[str, List[str]]) -> str:
    cases = "\n".join(
        f"        {name}) compadd -- {_joined(words, name)} ;;"
        for name in COMMANDS
        if name in words
    )
    top = " ".join(words["options"] + words["commands"] + words["providers"])
    return f"""#compdef vibeusage
# zsh completion for vibeusage
_vibeusage() {{
    case "${{words[CURRENT-1]}}" in
        -o|--output) _files ;;
        --timeout) ;;
{cases}
        *) compadd -- {top} ;;
    esac
}}
compdef _vibeusage vibeusage
"""


def fish_script(words: Dict[str, List[str]]) -> str:
    lines = [
        "# fish completion for vibeusage",
        "complete -c vibeusage -f",
        f"complete -c vibeusage -n __fish_use_subcommand -a '{' '.join(words['commands'])}'",
        f"complete -c vibeusage -n __fish_use_subcommand -a '{' '.join(words['providers'])}'",
    ]
    for option in words["options"]:
        lines.append(f"complete -c vibeusage -l {option[2:]}")
    for name in COMMANDS:
        if name in words:
            lines.append(
                f"complete -c vibeusage -n '__fish_seen_subcommand_from {name}' "
                f"-a '{' '.join(words[name])}'"
            )
    return "\n".join(lines) + "\n"


def run(app: App, args: argparse.Namespace) -> int:
    words = vocabulary(app)
    script = {"bash": bash_script, "zsh": zsh_script, "fish": fish_script}[args.shell](words)
    app.emit(script)
    return 0
