"""The completion scripts run in the real bash, zsh and fish (each skipped when absent)."""

import shutil
import subprocess

import pytest

needs = {shell: shutil.which(shell) for shell in ("bash", "zsh", "fish")}


def _script(cli, tmp_path, shell, name=None):
    path = tmp_path / (name or f"vibeusage.{shell}")
    result = cli("completion", shell)
    assert result.code == 0
    path.write_text(result.out, encoding="utf-8")
    return path


def _run(argv, home, tmp_path):
    env = {"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=30, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


# --- bash ------------------------------------------------------------------------------------

BASH_PROBE = """
source {script}
complete -p vibeusage
t() {{
    COMP_WORDS=("$@"); COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
    _vibeusage; echo "${{COMPREPLY[*]}}"
}}
"""


def _bash(cli, home, tmp_path, *lines):
    script = _script(cli, tmp_path, "bash")
    probe = BASH_PROBE.format(script=script) + "\n".join(lines)
    return _run(["bash", "--norc", "--noprofile", "-c", probe], home, tmp_path).splitlines()


@pytest.mark.skipif(not needs["bash"], reason="needs bash")
def test_bash_completes_every_level_from_the_parsers(cli, home, tmp_path):
    (tmp_path / "report.json").write_text("{}")
    registered, *got = _bash(
        cli,
        home,
        tmp_path,
        "t vibeusage con",
        "t vibeusage key ''",
        "t vibeusage key claude ''",
        "t vibeusage history ''",
        "t vibeusage history record co",
        "t vibeusage --format ''",
        "t vibeusage --format = j",
        "t vibeusage -o rep",
        "t vibeusage claude -",
        "t vibeusage guard --window ''",
        "t vibeusage guard --provider cu",
        "t vibeusage --timeout 3 cod",
        "t vibeusage auth -",
        "t vibeusage history export ''",
        "t vibeusage statusline install ''",
        "t vibeusage statusline claude cu",
    )
    assert registered == "complete -F _vibeusage vibeusage"
    assert got[0] == "config"
    key_providers = got[1].split()
    assert "claude" in key_providers and "cursor" in key_providers
    assert "codex" not in key_providers and "gemini" not in key_providers  # `key` rejects them
    assert got[2].split() == ["show", "set", "delete"]
    assert {"record", "export", "claude"} <= set(got[3].split())
    assert got[4].split() == ["codex", "copilot"]
    assert got[5].split() == ["table", "json", "prometheus"]
    assert got[6] == "json"
    assert got[7] == "report.json"
    assert {"-j", "--json", "-v", "-q", "--offline", "-o"} <= set(got[8].split())
    assert "binding" in got[9].split() and "weekly" in got[9].split()
    assert got[10] == "cursor"
    assert got[11] == "codex"  # the value of --timeout is skipped; no command after it
    assert {"--delete", "-f", "--force"} <= set(got[12].split())
    assert got[13:] == ["", "", "cursor"]  # what an action word lets follow


# --- zsh -------------------------------------------------------------------------------------

ZSH_PROBE = """
compadd() {{
    while [[ $1 == -* && $1 != -- ]]; do shift; done
    [[ $1 == -- ]] && shift; print -r -- "$*"
}}
_files() {{ print -r -- "FILES $*"; }}
fpath=({folder} $fpath)
autoload -Uz compinit && compinit -u -d {folder}/zcompdump
print -r -- "registered: $_comps[vibeusage]"
t() {{ words=("$@"); CURRENT=${{#words}}; IPREFIX=; PREFIX=; _vibeusage; }}
"""


@pytest.mark.skipif(not needs["zsh"], reason="needs zsh")
def test_zsh_script_autoloaded_from_fpath_completes_on_the_first_tab(cli, home, tmp_path):
    _script(cli, tmp_path, "zsh", "_vibeusage")
    probe = ZSH_PROBE.format(folder=tmp_path) + "\n".join(
        [
            "t vibeusage con",  # the first call: the autoloaded file must complete, not only define
            "t vibeusage key ''",
            "t vibeusage --format=j",
            "print -r -- $IPREFIX",
            "t vibeusage -o x",
            "t vibeusage statusline --claude-config-dir ''",
            "t vibeusage auth -",
        ]
    )
    registered, first, key, formats, iprefix, files, dirs, options = _run(
        ["zsh", "-f", "-c", probe], home, tmp_path
    ).splitlines()
    assert registered == "registered: _vibeusage"
    assert "config" in first.split() and "claude" in first.split()
    assert "cursor" in key.split() and "codex" not in key.split()
    assert formats.split() == ["table", "json", "prometheus"] and iprefix == "--format="
    assert files.strip() == "FILES"
    assert dirs == "FILES -/"
    assert {"--delete", "-f", "--force", "-j"} <= set(options.split())


@pytest.mark.skipif(not needs["zsh"], reason="needs zsh")
def test_zsh_script_sourced_registers_itself_with_compdef(cli, home, tmp_path):
    script = _script(cli, tmp_path, "zsh")
    probe = (
        f"autoload -Uz compinit && compinit -u -d {tmp_path}/zcompdump; source {script}; "
        "print -r -- $_comps[vibeusage]"
    )
    assert _run(["zsh", "-f", "-c", probe], home, tmp_path).strip() == "_vibeusage"


ZPTY_PROBE = r"""
zmodload zsh/zpty
zpty z 'env HOME={folder} TERM=dumb zsh -f -i'
zpty -w z 'fpath=({folder} $fpath); autoload -U compinit; compinit -u -D; cd {folder}'
zpty -w z 'vibeusage() {{ print -r -- "GOT=${{(j:,:)@}}=" }}'
for typed in "$@"; do
    zpty -w -n z "$typed"$'\t'
    sleep 0.3
    zpty -w -n z $'\n'
    out=""
    for i in {{1..400}}; do
        zpty -r -t z chunk && out+=$chunk
        [[ $out == *GOT=[^$]*=* ]] && break
        sleep 0.05
    done
    print -r -- ${{(M)${{(f)out}}:#GOT=[^$]*}}
done
zpty -d z
"""


@pytest.mark.skipif(not needs["zsh"], reason="needs zsh")
def test_zsh_completes_in_a_real_interactive_shell_on_the_first_tab(cli, home, tmp_path):
    """zpty drives an interactive zsh: Tab, then Enter runs a function printing the words."""
    _script(cli, tmp_path, "zsh", "_vibeusage")
    (tmp_path / "w9w.json").write_text("{}")
    probe = ZPTY_PROBE.format(folder=tmp_path)
    typed = ["vibeusage con", "vibeusage key cu", "vibeusage -o w9", "vibeusage --format=pro"]
    lines = _run(["zsh", "-f", "-c", probe, "zsh", *typed], home, tmp_path).splitlines()
    got = [line.strip().strip("\r") for line in lines if line.startswith("GOT=")]
    assert got == [
        "GOT=config=",
        "GOT=key,cursor=",
        "GOT=-o,w9w.json=",
        "GOT=--format=prometheus=",
    ]


# --- fish ------------------------------------------------------------------------------------


def _fish(cli, home, tmp_path, *lines):
    script = _script(cli, tmp_path, "fish")
    probe = f"source {script}\n" + "\n".join(
        f"echo (complete -C{line!r} | string replace -r '\\t.*' '' | string join ' ')"
        for line in lines
    )
    return _run(["fish", "--no-config", "-c", probe], home, tmp_path).splitlines()


@pytest.mark.skipif(not needs["fish"], reason="needs fish")
def test_fish_completes_short_options_values_and_files_only_after_o(cli, home, tmp_path):
    (tmp_path / "w9w.json").write_text("{}")
    got = _fish(
        cli,
        home,
        tmp_path,
        "vibeusage con",
        "vibeusage key ",
        "vibeusage auth -",
        "vibeusage --format ",
        "vibeusage --format=j",
        "vibeusage -o w9",
        "vibeusage w9",
        "vibeusage history record co",
        "vibeusage statusline install ",
    )
    assert got[0] == "config"
    assert "cursor" in got[1].split() and "codex" not in got[1].split()
    assert {"-f", "-h", "-j", "--delete", "--force"} <= set(got[2].split())
    assert set(got[3].split()) == {"table", "json", "prometheus"}
    assert got[4] == "--format=json"
    assert got[5] == "w9w.json"
    assert got[6] == ""  # no file where a provider or command is expected
    assert set(got[7].split()) == {"codex", "copilot"}
    assert got[8] == ""


def test_completion_bash_builds_every_parser_without_strategy_modules(cli, home):
    script = cli("completion", "bash").out
    for word in ("--claude-config-dir", "--min-remaining", "--since", "uninstall", "--interval"):
        assert word in script
