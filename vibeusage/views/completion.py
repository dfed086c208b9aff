"""Shell completion scripts (bash, zsh, fish) built from the words each position accepts."""

from typing import Dict, List

#: ``options``, ``commands``, ``providers``, and per command its first arguments and options.
Words = Dict[str, List[str]]


def _joined(words: Words, command: str) -> str:
    return " ".join(words[command] + words[f"{command}_options"])


def bash_script(words: Words) -> str:
    """A bash script: the words for the previous token, else options, commands, providers."""
    cases = "\n".join(
        f'        {name}) COMPREPLY=($(compgen -W "{_joined(words, name)}" -- "$cur")); return ;;'
        for name in words["commands"]
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


def zsh_script(words: Words) -> str:
    """A zsh script (compdef) offering the same words as the bash one."""
    cases = "\n".join(
        f"        {name}) compadd -- {_joined(words, name)} ;;"
        for name in words["commands"]
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


def fish_script(words: Words) -> str:
    """A fish script: commands, providers and options, then each command's first words."""
    lines = [
        "# fish completion for vibeusage",
        "complete -c vibeusage -f",
        f"complete -c vibeusage -n __fish_use_subcommand -a '{' '.join(words['commands'])}'",
        f"complete -c vibeusage -n __fish_use_subcommand -a '{' '.join(words['providers'])}'",
    ]
    for option in words["options"]:
        lines.append(f"complete -c vibeusage -l {option[2:]}")
    for name in words["commands"]:
        if name in words:
            lines.append(
                f"complete -c vibeusage -n '__fish_seen_subcommand_from {name}' "
                f"-a '{' '.join(words[name])}'"
            )
    return "\n".join(lines) + "\n"
