"""``statusline install | uninstall | status``: the edit of Claude Code's settings.json."""

import io
import json
import os
import re
import shlex
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import CliResult
from tests.statusline_helpers import claude_dir, clock, payload, read_capture_json, record_path
from vibeusage.cli import Terminal, run

ROOT = Path(__file__).resolve().parent.parent
OURS = f"{shlex.quote(sys.executable)} -m vibeusage statusline"
BACKUP = re.compile(r"^settings\.json\.vibeusage-bak-\d{8}T\d{6}Z$")
posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX shell and permission bits")

#: A user's settings, written the way Claude Code writes them (indent 2, final newline).
USER_SETTINGS = {
    "$schema": "https://json.schemastore.org/claude-code-settings.json",
    "model": "opus",
    "permissions": {"allow": ["Bash(git status)"], "deny": []},
    "env": {"GREETING": "grüß dich ✓"},
    "statusLine": {
        "type": "command",
        "command": "~/.claude/statusline.sh",
        "padding": 0,
        "refreshInterval": 5,
        "hideVimModeIndicator": True,
    },
    "alwaysThinkingEnabled": True,
}


def settings_file(home):
    return claude_dir(home) / "settings.json"


def write_settings(home, data=None, text=None):
    path = settings_file(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    if text is None:
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, "utf-8")
    return path


def backups(home):
    return sorted(p.name for p in claude_dir(home).iterdir() if "vibeusage-bak" in p.name)


def record(home):
    return json.loads(record_path(home).read_text())


def on_terminal(*argv, answer):
    """Run with stdin and stdout on a terminal, the person answering ``answer``."""

    class Tty(io.StringIO):
        def isatty(self):
            return True

    out, err, given = Tty(), Tty(), Tty(answer)
    code = run(list(argv), Terminal(out, err, given), os.environ, clock=clock())
    return CliResult(code, out.getvalue(), err.getvalue())


# --- install --------------------------------------------------------------------------------


def test_install_into_a_missing_settings_file(cli, home):
    result = cli("statusline", "install", "--yes", clock=clock())
    assert result.code == 0, result.err
    assert json.loads(settings_file(home).read_text()) == {
        "statusLine": {"type": "command", "command": OURS}
    }
    assert backups(home) == []
    assert record(home)["previous"] is None
    assert record(home)["installed_command"] == OURS
    assert f'+    "command": {json.dumps(OURS)}' in result.out


def test_install_keeps_every_other_key_in_order_and_chains_the_previous_command(cli, home):
    original = write_settings(home, USER_SETTINGS).read_bytes()
    result = cli("statusline", "install", "--yes", clock=clock())
    assert result.code == 0, result.err
    text = settings_file(home).read_text("utf-8")
    written = json.loads(text)
    assert list(written) == list(USER_SETTINGS)
    assert {k: v for k, v in written.items() if k != "statusLine"} == {
        k: v for k, v in USER_SETTINGS.items() if k != "statusLine"
    }
    assert written["statusLine"] == {
        "type": "command",
        "command": OURS,
        "padding": 0,
        "refreshInterval": 5,
    }
    assert text.endswith("}\n") and '\n  "model": "opus",' in text and "grüß dich ✓" in text
    (backup,) = backups(home)
    assert BACKUP.match(backup)
    assert (claude_dir(home) / backup).read_bytes() == original
    saved = record(home)
    assert saved["previous"] == USER_SETTINGS["statusLine"]
    assert saved["settings_file"] == str(settings_file(home))
    assert saved["installed_at"] == "2026-09-20T13:12:00+00:00"
    assert "~/.claude/statusline.sh" in result.out  # says the old one still runs


def test_installing_again_changes_nothing(cli, home):
    write_settings(home, USER_SETTINGS)
    cli("statusline", "install", "--yes", clock=clock())
    before = settings_file(home).read_bytes()
    first_record = record(home)
    result = cli("statusline", "install", "--yes", clock=clock())
    assert result.code == 0
    assert "already installed" in result.out
    assert settings_file(home).read_bytes() == before
    assert record(home) == first_record  # ours is never recorded as the previous command
    assert len(backups(home)) == 1


def test_installing_over_an_older_vibeusage_command_keeps_the_chain(cli, home):
    write_settings(home, USER_SETTINGS)
    cli("statusline", "install", "--yes", clock=clock())
    data = json.loads(settings_file(home).read_text())
    data["statusLine"]["command"] = "/old/venv/bin/python -m vibeusage statusline"
    write_settings(home, data)
    assert cli("statusline", "install", "--yes", clock=clock()).code == 0
    assert json.loads(settings_file(home).read_text())["statusLine"]["command"] == OURS
    assert record(home)["previous"] == USER_SETTINGS["statusLine"]


@posix_only
def test_install_keeps_the_file_mode_and_writes_through_a_symlink(cli, home, tmp_path):
    dotfiles = tmp_path / "dotfiles" / "claude-settings.json"
    dotfiles.parent.mkdir()
    dotfiles.write_text(json.dumps({"model": "opus"}))
    os.chmod(dotfiles, 0o640)
    claude_dir(home).mkdir()
    settings_file(home).symlink_to(dotfiles)
    assert cli("statusline", "install", "--yes", clock=clock()).code == 0
    assert settings_file(home).is_symlink()
    assert json.loads(dotfiles.read_text())["statusLine"]["command"] == OURS
    assert stat.S_IMODE(dotfiles.stat().st_mode) == 0o640


@pytest.mark.parametrize(
    "status_line, why",
    [
        ({"type": "static", "text": "hi"}, "of type 'static'"),
        ("echo hi", "of type 'str'"),
        ({"type": "command", "command": "echo one\necho two"}, "spans several lines"),
        ({"type": "command"}, "spans several lines"),
    ],
)
def test_install_refuses_what_it_cannot_chain(cli, home, status_line, why):
    path = write_settings(home, {"model": "opus", "statusLine": status_line})
    before = path.read_bytes()
    result = cli("statusline", "install", "--yes", clock=clock())
    assert result.code == 4
    assert why in result.err
    assert '"statusLine": {"type": "command"' in result.err  # the manual steps
    assert path.read_bytes() == before
    assert backups(home) == [] and not record_path(home).exists()


@pytest.mark.parametrize(
    "text, why",
    [("{ not json", "is not valid JSON"), ("[1, 2]", "does not hold a JSON object"), ("", "JSON")],
)
@pytest.mark.parametrize("action", ["install", "uninstall"])
def test_invalid_settings_exit_4_and_nothing_is_written(cli, home, text, why, action):
    path = write_settings(home, text=text)
    result = cli("statusline", action, "--yes", clock=clock())
    assert result.code == 4
    assert str(path) in result.err and why in result.err
    assert path.read_text() == text
    assert backups(home) == [] and not record_path(home).exists()


def test_off_a_terminal_install_needs_yes(cli, home):
    path = write_settings(home, USER_SETTINGS)
    before = path.read_bytes()
    result = cli("statusline", "install", clock=clock())
    assert result.code == 4
    assert "--yes" in result.err
    assert path.read_bytes() == before and backups(home) == []
    assert not record_path(home).exists()


def test_dry_run_shows_the_diff_and_writes_nothing(cli, home):
    path = write_settings(home, USER_SETTINGS)
    before = path.read_bytes()
    result = cli("statusline", "install", "--dry-run", clock=clock())
    assert result.code == 0
    assert f"--- {path}" in result.out
    assert '-    "command": "~/.claude/statusline.sh",' in result.out
    assert "nothing was written" in result.err
    assert path.read_bytes() == before and backups(home) == []
    assert not record_path(home).exists()


def test_on_a_terminal_install_asks_first(home):
    path = write_settings(home, USER_SETTINGS)
    before = path.read_bytes()
    declined = on_terminal("statusline", "install", answer="n\n")
    assert declined.code == 0
    assert "Apply this change" in declined.err and "Nothing was changed" in declined.err
    assert path.read_bytes() == before
    accepted = on_terminal("statusline", "install", answer="y\n")
    assert accepted.code == 0
    assert json.loads(path.read_text())["statusLine"]["command"] == OURS


def test_a_custom_config_dir_is_named_in_the_command(cli, home, tmp_path):
    other = tmp_path / "work claude"
    other.mkdir()
    result = cli("statusline", "install", "--yes", "--claude-config-dir", str(other), clock=clock())
    assert result.code == 0, result.err
    command = json.loads((other / "settings.json").read_text())["statusLine"]["command"]
    assert command == f"{OURS} --claude-config-dir {shlex.quote(str(other))}"
    assert record_path(home, other).exists()


# --- uninstall ------------------------------------------------------------------------------


def test_install_then_uninstall_gives_the_file_back(cli, home):
    path = write_settings(home, USER_SETTINGS)
    original = path.read_bytes()
    cli("statusline", "install", "--yes", clock=clock())
    result = cli("statusline", "uninstall", "--yes", clock=clock())
    assert result.code == 0, result.err
    assert path.read_bytes() == original
    assert not record_path(home).exists()
    assert len(backups(home)) == 2


def test_uninstall_without_a_previous_command_drops_the_key(cli, home):
    path = write_settings(home, {"model": "opus"})
    original = path.read_bytes()
    cli("statusline", "install", "--yes", clock=clock())
    assert cli("statusline", "uninstall", "--yes", clock=clock()).code == 0
    assert path.read_bytes() == original


def test_uninstall_leaves_a_changed_statusline_alone(cli, home):
    write_settings(home, USER_SETTINGS)
    cli("statusline", "install", "--yes", clock=clock())
    changed = dict(USER_SETTINGS, statusLine={"type": "command", "command": "starship statusline"})
    path = write_settings(home, changed)
    before = path.read_bytes()
    result = cli("statusline", "uninstall", "--yes", clock=clock())
    assert result.code == 1
    assert "changed since install" in result.err
    assert path.read_bytes() == before


def test_uninstall_with_nothing_installed_is_nothing_to_do(cli, home):
    path = write_settings(home, USER_SETTINGS)
    before = path.read_bytes()
    result = cli("statusline", "uninstall", "--yes", clock=clock())
    assert (result.code, path.read_bytes()) == (0, before)
    assert "not installed" in result.out


def test_uninstall_off_a_terminal_needs_yes(cli, home):
    write_settings(home, USER_SETTINGS)
    cli("statusline", "install", "--yes", clock=clock())
    before = settings_file(home).read_bytes()
    assert cli("statusline", "uninstall", clock=clock()).code == 4
    assert settings_file(home).read_bytes() == before


# --- status ---------------------------------------------------------------------------------


def test_status_json(cli, home):
    write_settings(home, USER_SETTINGS)
    cli("statusline", "install", "--yes", clock=clock())
    cli("statusline", stdin=json.dumps(payload()), clock=clock())
    document = json.loads(cli("statusline", "status", "--json").out)
    assert list(document)[:7] == [
        "settings_file",
        "installed",
        "command",
        "chained_command",
        "capture_file",
        "capture_updated_at",
        "windows",
    ]
    assert document["installed"] is True
    assert document["command"] == OURS
    assert document["chained_command"] == "~/.claude/statusline.sh"
    assert document["capture_updated_at"] == "2026-09-20T13:12:00+00:00"
    assert document["windows"]["five_hour"]["used_percent"] == 57.0
    assert document["windows"]["five_hour"]["resets_at"] == "2026-09-20T16:00:00+00:00"
    assert document["warnings"] == []
    text = cli("statusline", "status").out
    assert "installed:       yes" in text and "five_hour: 57% used" in text


def test_status_before_anything(cli, home):
    document = json.loads(cli("statusline", "status", "--json").out)
    assert document["installed"] is False
    assert document["command"] is None and document["capture_updated_at"] is None
    assert document["windows"] == {}


def test_a_project_statusline_that_would_win_is_warned_about(cli, home, tmp_path, monkeypatch):
    project = tmp_path / "project"
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.local.json").write_text(
        json.dumps({"statusLine": {"type": "command", "command": "echo project"}})
    )
    monkeypatch.chdir(project / ".claude")
    document = json.loads(cli("statusline", "status", "--json").out)
    assert document["warnings"] == [
        f"{project / '.claude' / 'settings.local.json'} defines a statusLine that wins in that "
        "project"
    ]
    result = cli("statusline", "install", "--yes", clock=clock())
    assert result.code == 0 and "settings.local.json defines a statusLine" in result.err


# --- the installed command, for real --------------------------------------------------------


@posix_only
def test_the_installed_command_passes_the_previous_one_through_byte_for_byte(cli, home):
    seen = home.root / "seen.bin"
    previous = (
        f"cat > {shlex.quote(str(seen))}; printf 'A\\377\\000B\\n'; printf 'warn\\n' >&2; exit 7"
    )
    write_settings(home, {"statusLine": {"type": "command", "command": previous}})
    assert cli("statusline", "install", "--yes", clock=clock()).code == 0
    command = json.loads(settings_file(home).read_text())["statusLine"]["command"]
    now = int(time.time())
    data = payload(session_name="répertoire ✓")
    data["rate_limits"]["five_hour"]["resets_at"] = now + 3600
    data["rate_limits"]["seven_day"]["resets_at"] = now + 86400
    body = json.dumps(data, ensure_ascii=False).encode("utf-8")
    env = {
        "HOME": str(home.root),
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "VIBEUSAGE_STATE_DIR": os.environ["VIBEUSAGE_STATE_DIR"],
        "VIBEUSAGE_CACHE_DIR": os.environ["VIBEUSAGE_CACHE_DIR"],
        "VIBEUSAGE_CONFIG_DIR": os.environ["VIBEUSAGE_CONFIG_DIR"],
    }
    done = subprocess.run(
        ["/bin/sh", "-c", command], input=body, capture_output=True, env=env, timeout=60
    )
    assert done.returncode == 7
    assert done.stdout == b"A\xff\x00B\n"
    assert done.stderr == b"warn\n"
    assert seen.read_bytes() == body
    assert read_capture_json(home)["windows"]["seven_day"]["used_percent"] == 14.0
