"""Shell completion scripts (bash, zsh, fish) from what each command's positions accept.

All three scripts share one walk over the words before the cursor: skip options (and the
value of an option that takes one), take the first word as the command when it is one,
count the positionals; then offer the pending option's values (its choices, files, a
directory, providers), else the command's options when the word starts with ``-``, else the
words of the positional slot reached.
"""

from typing import Dict, List, Optional, Tuple

#: An option's value: ``("words", [...])``, ``("file", [])``, ``("dir", [])``, ``("any", [])``.
Kind = Tuple[str, List[str]]


class Option:
    """One option: its spellings, the value it takes (None for a flag), its help."""

    __slots__ = ("names", "kind", "help")

    def __init__(self, names: List[str], kind: Optional[Kind], help: str) -> None:
        self.names = names
        self.kind = kind
        self.help = help


class Command:
    """A command's options and positional slots (``name`` "" is the usage view).

    ``slots[i]`` holds the words position ``i`` accepts; with ``repeat`` the last slot
    accepts any number of words. ``follow`` overrides the slots after a given first word
    (``history record`` takes providers, ``history export`` nothing).
    """

    __slots__ = ("name", "options", "slots", "repeat", "descriptions", "follow")

    def __init__(
        self, name: str, options: List[Option], slots: List[List[str]], repeat: bool
    ) -> None:
        self.name = name
        self.options = options
        self.slots = slots
        self.repeat = repeat
        self.descriptions: Dict[str, str] = {}
        self.follow: Dict[str, List[str]] = {}


def _kind_code(kind: Kind) -> str:
    """``w word ...``, ``f``, ``d`` or ``a``: how the scripts name an option's value."""
    tag, words = kind
    return "w " + " ".join(words) if tag == "words" else tag[0]


def _commands(specs: List[Command]) -> str:
    return " ".join(spec.name for spec in specs if spec.name)


#: A wildcard segment of a case pattern (each shell quotes the literal segments its way).
ANY = None
Pattern = List[Optional[str]]


def _slot_cases(spec: Command) -> List[Tuple[Pattern, str]]:
    """(case pattern, words) for the scripts' ``COMMAND:FIRST:POSITION`` key, first match
    wins: the words after a given first word, then each slot, the repeated last one for any
    position from there on."""
    name = spec.name
    cases: List[Tuple[Pattern, str]] = [
        ([f"{name}:{first}:", ANY], " ".join(words)) for first, words in spec.follow.items()
    ]
    for index, words in enumerate(spec.slots):
        last = index == len(spec.slots) - 1
        if last and spec.repeat:
            cases.append(([f"{name}:", ANY], " ".join(words)))
        else:
            cases.append(([f"{name}:", ANY, f":{index}"], " ".join(words)))
    return cases


def _render(pattern: Pattern, quote: str) -> str:
    """A case pattern: literal segments in ``quote`` marks, wildcards bare."""
    return "".join("*" if part is ANY else f"{quote}{part}{quote}" for part in pattern)


def bash_script(specs: List[Command]) -> str:
    """A bash script (``complete -F``); works with and without the bash-completion package."""
    values = []
    for spec in specs:
        for option in spec.options:
            if option.kind is not None:
                patterns = "|".join(f'"{spec.name}:{name}"' for name in option.names)
                values.append(f'        {patterns}) _vibeusage_kind="{_kind_code(option.kind)}" ;;')
    options = "\n".join(
        f'        "{spec.name}") _vibeusage_list="'
        + " ".join(n for o in spec.options for n in o.names)
        + '" ;;'
        for spec in specs
    )
    slots = "\n".join(
        f'        {_render(pattern, chr(34))}) _vibeusage_list="{words}" ;;'
        for spec in specs
        for pattern, words in _slot_cases(spec)
    )
    return f"""# bash completion for vibeusage (`vibeusage completion bash`)
_vibeusage_value() {{
    # The value option $2 of command $1 takes: "w WORDS", f (file), d (directory), a (any);
    # empty for a flag.
    _vibeusage_kind=
    case "$1:$2" in
{chr(10).join(values)}
    esac
}}
_vibeusage_options() {{
    _vibeusage_list=
    case "$1" in
{options}
    esac
}}
_vibeusage_slot() {{
    # $1 is COMMAND:FIRST:POSITION (FIRST: the first positional word, once there is one).
    _vibeusage_list=
    case "$1" in
{slots}
    esac
}}
_vibeusage() {{
    local cur="${{COMP_WORDS[COMP_CWORD]}}" cmd="" pos=0 first="" pending="" rest="" i w
    local commands=" {_commands(specs)} "
    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w="${{COMP_WORDS[i]}}"
        if [[ -n $pending ]]; then
            [[ $w == "=" ]] || pending=""
            continue
        fi
        if [[ -z $rest && $w == -* ]]; then
            if [[ $w == "--" ]]; then rest=1; continue; fi
            _vibeusage_value "$cmd" "$w"
            [[ -n $_vibeusage_kind ]] && pending=1
            continue
        fi
        if [[ -z $cmd && $pos -eq 0 && $commands == *" $w "* ]]; then
            cmd="$w"
            continue
        fi
        [[ $pos -eq 0 ]] && first="$w"
        pos=$((pos + 1))
    done
    [[ -n $pending && $cur == "=" ]] && cur=""
    if [[ -n $pending ]]; then
        case "$_vibeusage_kind" in
            w\\ *) COMPREPLY=($(compgen -W "${{_vibeusage_kind#w }}" -- "$cur")) ;;
            f) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -f -- "$cur")) ;;
            d) compopt -o filenames 2>/dev/null; COMPREPLY=($(compgen -d -- "$cur")) ;;
        esac
        return 0
    fi
    if [[ -z $rest && $cur == -* ]]; then
        _vibeusage_options "$cmd"
    else
        _vibeusage_slot "$cmd:$first:$pos"
    fi
    COMPREPLY=($(compgen -W "$_vibeusage_list" -- "$cur"))
    return 0
}}
complete -F _vibeusage vibeusage
"""


def _zsh_quote(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'"


def zsh_script(specs: List[Command]) -> str:
    """A zsh script: autoloaded from ``$fpath`` it completes on the first Tab; sourced, it
    registers itself with ``compdef``."""
    values = []
    for spec in specs:
        for option in spec.options:
            if option.kind is not None:
                patterns = "|".join(_zsh_quote(f"{spec.name}:{n}") for n in option.names)
                values.append(f"        {patterns}) reply=({_kind_code(option.kind)}) ;;")
    options = "\n".join(
        f"        {_zsh_quote(spec.name)}) reply=("
        + " ".join(n for o in spec.options for n in o.names)
        + ") ;;"
        for spec in specs
    )
    slots = "\n".join(
        f"        {_render(pattern, chr(39))}) reply=({words}) ;;"
        for spec in specs
        for pattern, words in _slot_cases(spec)
    )
    return f"""#compdef vibeusage
# zsh completion for vibeusage (`vibeusage completion zsh`)
_vibeusage_value() {{
    reply=()
    case "$1:$2" in
{chr(10).join(values)}
    esac
}}
_vibeusage_options() {{
    reply=()
    case "$1" in
{options}
    esac
}}
_vibeusage_slot() {{
    # $1 is COMMAND:FIRST:POSITION (FIRST: the first positional word, once there is one).
    reply=()
    case "$1" in
{slots}
    esac
}}
_vibeusage() {{
    local cur="${{words[CURRENT]}}" cmd="" pos=0 first="" pending="" rest="" i w
    local -a commands reply kind
    commands=({_commands(specs)})
    for ((i = 2; i < CURRENT; i++)); do
        w="${{words[i]}}"
        if [[ -n $pending ]]; then
            pending=""
            continue
        fi
        if [[ -z $rest && $w == -* ]]; then
            if [[ $w == "--" ]]; then rest=1; continue; fi
            _vibeusage_value "$cmd" "$w"
            if (( ${{#reply}} )); then pending=1; kind=("${{reply[@]}}"); fi
            continue
        fi
        if [[ -z $cmd && $pos -eq 0 && ${{commands[(Ie)$w]}} -gt 0 ]]; then
            cmd="$w"
            continue
        fi
        (( pos == 0 )) && first="$w"
        (( pos++ ))
    done
    if [[ -z $pending && -z $rest && $cur == -*=* ]]; then
        _vibeusage_value "$cmd" "${{cur%%=*}}"
        if (( ${{#reply}} )); then
            pending=1; kind=("${{reply[@]}}")
            IPREFIX="${{IPREFIX}}${{cur%%=*}}="; PREFIX="${{cur#*=}}"
        fi
    fi
    if [[ -n $pending ]]; then
        case "${{kind[1]}}" in
            w) compadd -- "${{(@)kind[2,-1]}}" ;;
            f) _files ;;
            d) _files -/ ;;
        esac
        return 0
    fi
    if [[ -z $rest && $cur == -* ]]; then
        _vibeusage_options "$cmd"
    else
        _vibeusage_slot "$cmd:$first:$pos"
    fi
    (( ${{#reply}} )) && compadd -- "${{reply[@]}}"
    return 0
}}
if [[ "${{funcstack[1]}}" == _vibeusage ]]; then
    _vibeusage "$@"
else
    compdef _vibeusage vibeusage
fi
"""


def _fish_quote(text: str) -> str:
    return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _fish_line(word: str, description: str) -> str:
    return _fish_quote(f"{word}\t{description}" if description else word)


def fish_script(specs: List[Command]) -> str:
    """A fish script: one function computes the candidates (with descriptions); files are
    offered only where an option takes a file."""
    values = []
    for spec in specs:
        for option in spec.options:
            if option.kind is not None:
                patterns = " ".join(_fish_quote(f"{spec.name}:{n}") for n in option.names)
                code = _kind_code(option.kind)
                values.append(f"        case {patterns}\n            echo {code}")
    options = []
    for spec in specs:
        lines = " ".join(_fish_line(n, o.help) for o in spec.options for n in o.names)
        options.append(f"        case {_fish_quote(spec.name)}\n            printf '%s\\n' {lines}")
    slots = []
    for spec in specs:
        for pattern, words in _slot_cases(spec):
            lines = " ".join(_fish_line(w, spec.descriptions.get(w, "")) for w in words.split())
            body = f"printf '%s\\n' {lines}" if lines else "true"
            # fish matches wildcards inside quotes in a case pattern
            quoted = _fish_quote("".join("*" if p is ANY else p for p in pattern))
            slots.append(f"        case {quoted}\n            {body}")
    return f"""# fish completion for vibeusage (`vibeusage completion fish`)
function __vibeusage_value
    switch "$argv[1]:$argv[2]"
{chr(10).join(values)}
    end
end
function __vibeusage_options
    switch "$argv[1]"
{chr(10).join(options)}
    end
end
function __vibeusage_slot
    # $argv[1] is COMMAND:FIRST:POSITION (FIRST: the first positional word, once there is one)
    switch "$argv[1]"
{chr(10).join(slots)}
    end
end
function __vibeusage_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l commands {_commands(specs)}
    set -e tokens[1]
    set -l cmd ''
    set -l pos 0
    set -l first ''
    set -l pending
    set -l rest ''
    for w in $tokens
        if set -q pending[1]
            set pending
            continue
        end
        if test -z "$rest"; and string match -q -- '-*' $w
            if test "$w" = '--'
                set rest 1
                continue
            end
            set pending (__vibeusage_value "$cmd" $w)
            continue
        end
        if test -z "$cmd" -a $pos -eq 0; and contains -- $w $commands
            set cmd $w
            continue
        end
        test $pos -eq 0; and set first $w
        set pos (math $pos + 1)
    end
    set -l prefix ''
    if not set -q pending[1]; and test -z "$rest"; and string match -q -- '-*=*' $cur
        set -l option (string split -m 1 = -- $cur)[1]
        set pending (__vibeusage_value "$cmd" $option)
        set prefix "$option="
        set cur (string split -m 1 = -- $cur)[2]
    end
    if set -q pending[1]
        set -l kind (string split ' ' -- $pending)
        switch $kind[1]
            case w
                printf "$prefix%s\\n" $kind[2..-1]
            case f
                printf "$prefix%s\\n" (__fish_complete_path "$cur")
            case d
                printf "$prefix%s\\n" (__fish_complete_directories "$cur" '')
        end
        return 0
    end
    if test -z "$rest"; and string match -q -- '-*' $cur
        __vibeusage_options "$cmd"
    else
        __vibeusage_slot "$cmd:$first:$pos"
    end
end
complete -c vibeusage -f -a '(__vibeusage_complete)'
"""
