"""The README's cron and systemd recipes, pasted after its own install command, run the way
cron and systemd run them: ``env -i HOME=… PATH=/usr/bin:/bin sh -c '<line>'``.

The install is a stand-in clone whose ``.venv/bin/vibeusage`` runs this checkout; the data
comes from a Codex session log (no network, no login), so nothing leaves the machine.
"""

import json
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

import pytest

from tests.codex_logs import write_recent_reading

posix_only = pytest.mark.skipif(os.name != "posix", reason="cron and systemd recipes are POSIX")

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.rst").read_text(encoding="utf-8")
CRON_PATH = "/usr/bin:/bin"
TEXTFILE_DIR = "/var/lib/node_exporter/textfile_collector"


def literal(prefix: str) -> List[str]:
    """Every line of a literal block (indented four spaces) that starts with ``prefix``."""
    return [
        line.strip()
        for line in README.splitlines()
        if line.startswith("    ") and line.strip().startswith(prefix)
    ]


def cron_line(marker: str) -> str:
    (line,) = [row for row in literal("*/5 * * * * ") if marker in row]
    assert "%" not in line  # cron would turn it into a newline
    return line.split(None, 5)[5]


def systemd_unit(name: str) -> Dict[str, str]:
    """``key=value`` lines of the README's unit ``~/.config/systemd/user/<name>``."""
    lines = README.splitlines()
    title = f"# ~/.config/systemd/user/{name}"
    start = next(i for i, line in enumerate(lines) if line.strip() == title)
    keys: Dict[str, str] = {}
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        if "=" in line and not line.strip().startswith("["):
            key, value = line.strip().split("=", 1)
            keys[key] = value
    return keys


def cron_sh(line: str, home: Path, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["env", "-i", f"HOME={home}", f"PATH={CRON_PATH}", "sh", "-c", line],
        cwd=str(cwd),
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def installed(tmp_path):
    """A clone after the README's install command, and an empty home linked as it says."""
    clone = tmp_path / "clone"
    venv_bin = clone / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    program = venv_bin / "vibeusage"
    shim = f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m vibeusage "$@"\n'
    program.write_text(shim)
    program.chmod(0o755)
    home = tmp_path / "home"
    home.mkdir()
    (link,) = literal('mkdir -p "$HOME/.local/bin" && ln -sf')
    done = cron_sh(link, home, clone)
    assert done.returncode == 0, done.stderr
    assert (home / ".local" / "bin" / "vibeusage").resolve() == program.resolve()
    return clone, home


def codex_session_log(home: Path) -> None:
    """Codex's own session log with a reading from a minute ago (the ``local`` strategy)."""
    write_recent_reading(home / ".codex")
    config = home / ".config" / "vibeusage"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('enabled_providers = ["codex"]\n')


@posix_only
def test_every_recipe_names_the_program_where_the_link_line_puts_it():
    cron = [line.split(None, 5)[5] for line in literal("*/5 * * * * ") + literal("0 2 * * *")]
    assert len(cron) >= 5
    for command in cron:
        assert "$HOME/.local/bin/vibeusage " in command, command
        assert not any(part.strip().startswith("vibeusage ") for part in command.split("&&"))
        if '2>>"$HOME/.cache/' in command:
            assert command.startswith('mkdir -p "$HOME/.cache" && '), command
    unit = systemd_unit("vibeusage.service")
    assert shlex.split(unit["ExecStart"])[0] == "%h/.local/bin/vibeusage"
    (tmux,) = literal("set -g status-right")
    assert "#($HOME/.local/bin/vibeusage statusline" in tmux


@posix_only
def test_the_cron_json_line_works_pasted_into_a_fresh_home(installed):
    clone, home = installed
    codex_session_log(home)
    assert not (home / ".cache").exists()
    done = cron_sh(cron_line("--json --output"), home, clone)
    assert done.returncode == 0, (done.stdout, done.stderr)
    document = json.loads((home / ".cache" / "usage.json").read_text())
    assert document["providers"]["codex"]["periods"][0]["utilization"] == 27
    assert (home / ".cache" / "usage.err").read_text() == ""


@posix_only
def test_the_cron_json_line_in_a_home_with_nothing_connected_exits_2_with_its_files(installed):
    clone, home = installed
    done = cron_sh(cron_line("--json --output"), home, clone)
    assert (done.returncode, done.stderr) == (2, "")  # not "cannot create …/usage.err" (sh: 2)
    assert (home / ".cache" / "usage.err").is_file()
    assert json.loads((home / ".cache" / "usage.json").read_text())["providers"] == {}


@posix_only
def test_the_history_and_textfile_cron_lines_work_pasted(installed, tmp_path):
    clone, home = installed
    codex_session_log(home)
    done = cron_sh(cron_line("history record"), home, clone)
    assert done.returncode == 0, done.stderr
    assert list((home / ".local" / "state" / "vibeusage" / "history").rglob("*.jsonl"))
    collector = tmp_path / "textfile_collector"
    collector.mkdir()
    line = cron_line("textfile_collector/").replace(TEXTFILE_DIR, str(collector))
    done = cron_sh(line, home, clone)
    assert done.returncode == 0, done.stderr
    text = (collector / "vibeusage.prom").read_text()
    assert 'vibeusage_provider_up{provider="codex"} 1' in text


@posix_only
def test_the_systemd_unit_runs_the_installed_program_with_systemds_environment(installed):
    clone, home = installed
    codex_session_log(home)
    service = systemd_unit("vibeusage.service")
    timer = systemd_unit("vibeusage.timer")
    assert service["Type"] == "oneshot"
    assert timer["WantedBy"] == "timers.target" and timer["OnCalendar"]
    # systemd runs ExecStart* without a shell, %h being the home directory.
    for key in ("ExecStartPre", "ExecStart"):
        argv = [w.replace("%h", str(home)) for w in shlex.split(service[key])]
        assert os.path.isabs(argv[0]), key
        done = subprocess.run(
            ["env", "-i", f"HOME={home}", f"PATH={CRON_PATH}", *argv],
            cwd="/",
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, (key, done.stderr)
    document = json.loads((home / ".cache" / "usage.json").read_text())
    assert "codex" in document["providers"]
