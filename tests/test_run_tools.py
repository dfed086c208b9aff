"""``run_tools = false`` (global, per provider) and VIBEUSAGE_RUN_TOOLS=0: no provider program
is started, by any strategy; the ones that need a program say why they are not used."""

import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import responses

from tests.conftest import load_fixture
from vibeusage.errors import ErrorCategory
from vibeusage.kit.processes import spawn_group, terminate_group
from vibeusage.kit.tools import ToolsForbidden, check_allowed, tools_policy
from vibeusage.timeparse import utcnow

posix_only = pytest.mark.skipif(sys.platform.startswith("win"), reason="#! scripts")

CODEX_USAGE = "https://chatgpt.com/backend-api/wham/usage"
CLAUDE_USAGE = "https://api.anthropic.com/api/oauth/usage"


def _fake(folder: Path, name: str, marks: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f'#!/bin/sh\necho "$0 $*" >> {marks}\nexit 1\n', encoding="utf-8")
    path.chmod(0o755)


@pytest.fixture
def tools(home, tmp_path, monkeypatch):
    """Fake ``claude`` and ``codex`` first on PATH; returns the file each start appends to."""
    marks = tmp_path / "started.txt"
    folder = tmp_path / "fakebin"
    for name in ("claude", "codex"):
        _fake(folder, name, marks)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return marks


def _started(marks: Path) -> str:
    return marks.read_text(encoding="utf-8") if marks.exists() else ""


def _expired_claude(home):
    expired = int((utcnow() - timedelta(hours=1)).timestamp() * 1000)
    home.write_claude_credentials(expiresAt=expired)


def _claude_refused(cli, *args):
    """``cli(*args)`` with Claude's usage endpoint refusing the expired token (HTTP 401)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        mocked.add(responses.GET, CLAUDE_USAGE, status=401, json={"type": "error"})
        return cli(*args)


def _codex_login(home, monkeypatch, tmp_path):
    codex_home = tmp_path / "codex-home"
    codex_home.mkdir()
    data = load_fixture("codex/auth.json")
    (codex_home / "auth.json").write_text(json.dumps(data), encoding="utf-8")
    monkeypatch.setenv("CODEX_HOME", str(codex_home))


@posix_only
def test_without_the_switch_claude_is_started_to_renew_and_probe(cli, home, tools):
    _expired_claude(home)
    _claude_refused(cli, "claude", "--json")
    assert "claude" in _started(tools)  # the control: the fakes are reachable


@posix_only
def test_fetch_run_tools_false_starts_no_claude_and_says_why(cli, home, tools):
    _expired_claude(home)
    home.write_config("[fetch]\nrun_tools = false\n")
    result = _claude_refused(cli, "claude", "--json")
    assert _started(tools) == ""
    assert result.code != 0
    document = json.loads(result.out)
    message = json.dumps(document)
    assert "fetch.run_tools = false" in message
    assert "not starting `claude` (to renew its expired login)" in message


@posix_only
def test_environment_switch_forbids_every_provider_tool(cli, home, tools, monkeypatch):
    _expired_claude(home)
    monkeypatch.setenv("VIBEUSAGE_RUN_TOOLS", "0")
    result = _claude_refused(cli, "claude", "--json")
    assert _started(tools) == ""
    assert "VIBEUSAGE_RUN_TOOLS=0" in result.out


@posix_only
def test_provider_run_tools_false_keeps_codex_exec_and_app_server_from_running(
    cli, home, tools, monkeypatch, tmp_path
):
    _codex_login(home, monkeypatch, tmp_path)
    home.write_config("[providers.codex]\nrun_tools = false\n")
    with responses.RequestsMock() as mocked:
        mocked.add(responses.GET, CODEX_USAGE, status=401, json={"error": "expired"})
        result = cli("codex", "--json")
    assert _started(tools) == ""
    assert "providers.codex.run_tools = false" in result.out
    assert "`codex`" in result.out


@posix_only
def test_a_provider_may_allow_its_tools_when_the_global_switch_is_off(cli, home, tools):
    _expired_claude(home)
    home.write_config("[fetch]\nrun_tools = false\n\n[providers.claude]\nrun_tools = true\n")
    _claude_refused(cli, "claude", "--json")
    assert "claude" in _started(tools)


@posix_only
def test_auth_and_doctor_say_the_probe_is_not_used_because_of_the_switch(cli, home, tools):
    home.write_claude_credentials()
    home.write_config("[fetch]\nrun_tools = false\n")
    for command in ("auth", "doctor"):
        result = cli(command, "--json")
        text = result.out + result.err
        assert "it starts `claude` and fetch.run_tools = false" in text, command
    assert _started(tools) == ""


def test_config_show_lists_the_switch_and_rejects_a_non_boolean(cli, home):
    home.write_config("[fetch]\nrun_tools = false\n")
    shown = cli("config", "show", "--json").out
    assert "fetch.run_tools" in shown and "providers.codex.run_tools" in shown
    home.write_config('[providers.claude]\nrun_tools = "no"\n')
    result = cli("config", "show")
    assert result.code == 4
    assert "providers.claude.run_tools" in result.err


@posix_only
def test_the_kit_refuses_provider_programs_but_not_system_helpers_under_a_ban(tmp_path):
    with tools_policy("fetch.run_tools = false forbids starting provider tools"):
        with pytest.raises(ToolsForbidden) as caught:
            spawn_group([str(tmp_path / "codex"), "exec", "say ok"])
        assert caught.value.category is ErrorCategory.CONFIGURATION
        assert "not starting `codex`: fetch.run_tools = false" in caught.value.message
        check_allowed("/usr/bin/security")  # reads the keyring; reaches no provider
        check_allowed("ps")
    # Outside a strategy (alert hooks, statusLine commands) nothing is refused.
    process = spawn_group(["/bin/sh", "-c", "exit 0"])
    terminate_group(process)


#: Provider modules that start a program without the kit, and why that is allowed: the
#: macOS Keychain reader runs the system's `security` (a system helper, never refused).
DIRECT_STARTS = {"claude/oauth.py"}


def test_providers_start_programs_only_through_the_kit():
    """So that run_tools is enforced in one place (kit.processes.spawn_group)."""
    root = Path(__file__).resolve().parent.parent / "vibeusage" / "providers"
    starters = (
        "subprocess.run(",
        "subprocess.Popen(",
        "subprocess.call(",
        "os.system(",
        "os.exec",
        "os.spawn",
        "os.posix_spawn",
        "check_output(",
    )
    found = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if any(starter in text for starter in starters):
            found.add(path.relative_to(root).as_posix())
    assert found == DIRECT_STARTS
