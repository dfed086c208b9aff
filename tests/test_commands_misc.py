"""status, config, cache, doctor, completion and help, in-process through ``run``."""

import json
import os
import shutil
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from tests.conftest import USAGE_URL, load_fixture
from vibeusage.cache import FailureGate, SnapshotCache
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot

STATUS_URL = "https://status.claude.com/api/v2/status.json"
NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)
TOKEN = "sk-ant-oat01-DoctorMustNeverPrintThisTokenValue0123456789"
SESSION_KEY = "sk-ant-sid01-DoctorMustNeverPrintThisSessionKey0123456789"


# --- status -------------------------------------------------------------------------------


def test_status_json_maps_the_statuspage_indicator(cli, home, mocked):
    mocked.get(STATUS_URL, json=load_fixture("status/statuspage-minor.json"))
    result = cli("status", "--json")
    assert result.code == 5  # codex page unreachable: partial
    assert result.json()["claude"] == {
        "level": "degraded",
        "description": "Partially Degraded Service",
        "updated_at": "2026-11-25T09:12:01.123000+00:00",
    }
    assert result.json()["codex"]["level"] == "unknown"  # its page was not mocked


def test_status_table_uses_symbols_and_survives_an_unreachable_page(cli, home, mocked):
    result = cli("status", tty=True)
    assert result.code == 3  # every page unreachable
    assert "?" in result.out and "unknown" in result.out
    mocked.get(STATUS_URL, json={"status": {"indicator": "none", "description": "All good"}})
    ok = cli("status", "claude")
    assert "●" in ok.out and "operational" in ok.out and "All good" in ok.out


# --- config -------------------------------------------------------------------------------


def test_config_show_tells_where_each_value_comes_from(cli, home, monkeypatch):
    home.write_config("[fetch]\ntimeout = 12\n")
    monkeypatch.setenv("VIBEUSAGE_ENABLED_PROVIDERS", "claude")
    values = cli("config", "show", "--json").json()["values"]
    assert values["fetch.timeout"] == {"value": 12.0, "source": "file"}
    assert values["fetch.max_concurrent"] == {"value": 5, "source": "default"}
    assert values["enabled_providers"] == {"value": ["claude"], "source": "environment"}
    assert values["providers.claude.cli_refresh"] == {"value": True, "source": "default"}


def test_config_show_on_an_invalid_file_is_exit_4(cli, home):
    home.write_config("[fetch\n")
    assert cli("config").code == 4


def test_config_path_lists_paths_and_existence(cli, home):
    document = cli("config", "path", "--json").json()
    assert document["config_dir"] == {"path": str(home.config_dir), "exists": False}
    assert document["cache_dir"]["path"] == str(home.cache_dir)


def test_config_reset_needs_confirmation_without_a_terminal(cli, home):
    path = home.write_config("[fetch]\ntimeout = 12\n")
    refused = cli("config", "reset")
    assert refused.code == 4 and "--yes" in refused.err
    assert "timeout = 12" in path.read_text(encoding="utf-8")
    done = cli("config", "reset", "--yes")
    assert done.code == 0
    assert "timeout = 12" in path.with_name("config.toml.bak").read_text(encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert "# timeout = 30" in text
    assert cli("config", "show", "--json").json()["values"]["fetch.timeout"]["source"] == "default"


def test_config_edit_creates_a_commented_file_and_validates_after_the_editor(
    cli, home, tmp_path, monkeypatch
):
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\n"
        "path = sys.argv[1]\n"
        "text = open(path).read()\n"
        "open(path, 'w').write(text + '\\n[display]\\nreset_format = \"absolute\"\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("EDITOR", f"{sys.executable} {editor}")
    monkeypatch.delenv("VISUAL", raising=False)
    result = cli("config", "edit")
    assert result.code == 0, result.err
    assert "is valid" in result.out
    assert "# [fetch]" in (home.config_dir / "config.toml").read_text(encoding="utf-8")


def test_config_edit_reports_an_invalid_result(cli, home, tmp_path, monkeypatch):
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys\nopen(sys.argv[1], 'a').write('\\n[fetch]\\ntimeout = \"x\"\\n')\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("VISUAL", f"{sys.executable} {editor}")
    result = cli("config", "edit")
    assert result.code == 4
    assert "fetch.timeout" in result.err


def test_config_edit_without_an_editor_is_a_clear_error(cli, home, monkeypatch):
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    result = cli("config", "edit")
    assert result.code == 4 and "EDITOR" in result.err


# --- cache --------------------------------------------------------------------------------


def _seed_cache(home):
    snapshot = UsageSnapshot(
        "claude",
        NOW - timedelta(minutes=5),
        (UsagePeriod("Weekly", 10, PeriodType.WEEKLY),),
        source="oauth",
    )
    SnapshotCache(home.cache_dir / "snapshots").save(snapshot)
    FailureGate(home.cache_dir / "gate").record_failure(
        "claude", NOW, "HTTP 429", retry_after=600, strategy="oauth"
    )
    for relative in ("claude/organization.json", "claude/identity.json", "gemini/token.json"):
        path = home.cache_dir / "providers" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text('{"uuid": "x"}', encoding="utf-8")


def test_cache_show_reports_age_gate_and_org(cli, home):
    _seed_cache(home)
    document = cli("cache", "--json", clock=lambda: NOW).json()
    claude = document["providers"]["claude"]
    assert claude["snapshot"]["age_seconds"] == 300
    assert claude["gate"]["oauth"]["closed_until"] == (NOW + timedelta(seconds=600)).isoformat()
    assert claude["org_id_cached"] is True
    text = cli("cache", clock=lambda: NOW).out
    until = (NOW + timedelta(seconds=600)).astimezone().strftime("%H:%M")
    assert "5m (oauth)" in text and "oauth: paused until " in text and until in text


def test_cache_clear_empties_the_providers_folder_but_keeps_the_org_id_unless_asked(cli, home):
    _seed_cache(home)
    folder = home.cache_dir / "providers"
    assert cli("cache", "clear", "claude").code == 0
    assert not (home.cache_dir / "snapshots" / "claude.json").exists()
    assert not (home.cache_dir / "gate" / "claude.json").exists()
    assert not (folder / "claude" / "identity.json").exists()
    assert (folder / "claude" / "organization.json").exists()
    assert (folder / "gemini" / "token.json").exists()  # another provider's is untouched
    removed = cli("cache", "clear", "--org", "--json").json()["removed"]
    assert removed == [
        str(folder / "claude" / "organization.json"),
        str(folder / "gemini" / "token.json"),
    ]
    assert not (folder / "claude").exists() and not (folder / "gemini").exists()


# --- doctor -------------------------------------------------------------------------------


def test_doctor_json_has_no_secret_from_any_source(cli, home, mocked, monkeypatch):
    home.write_claude_credentials(accessToken=TOKEN)
    cli("key", "claude", "set", SESSION_KEY)
    monkeypatch.setenv("HTTPS_PROXY", "http://alice:hunter2secret@proxy.internal.test:3128")
    mocked.get(USAGE_URL, status=401, json={"error": TOKEN})
    cli("claude", "--refresh")  # leaves a last-run record behind
    result = cli("doctor", "--json")
    assert result.code == 0
    for secret in (TOKEN, SESSION_KEY, "hunter2secret", TOKEN[13:33], SESSION_KEY[13:33]):
        assert secret not in result.out
    report = result.json()
    assert report["environment"]["HTTPS_PROXY"] == "http://alice:***@proxy.internal.test:3128"
    claude = report["providers"]["claude"]
    assert claude["would_use"] == "oauth"
    assert any("Claude Code login in" in line for line in claude["strategies"])
    assert any("session key stored" in line for line in claude["strategies"])
    assert claude["last_run"]["success"] is False
    assert claude["last_run"]["attempts"][0]["strategy"] == "oauth"


def test_doctor_text_survives_an_invalid_config(cli, home):
    home.write_config("[fetch\n")
    result = cli("doctor")
    assert result.code == 0
    assert "config: INVALID" in result.out


# --- completion and help --------------------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_scripts_name_commands_options_and_providers(cli, home, shell):
    result = cli("completion", shell)
    assert result.code == 0
    for word in ("doctor", "claude", "--json", "--offline"):
        assert word in result.out


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_bash_completion_is_valid_bash_and_completes(cli, home, tmp_path):
    script = tmp_path / "vibeusage.bash"
    script.write_text(cli("completion", "bash").out, encoding="utf-8")
    probe = (
        f"source {script}; COMP_WORDS=(vibeusage con); COMP_CWORD=1; _vibeusage; "
        'echo "${COMPREPLY[@]}"; COMP_WORDS=(vibeusage config ""); COMP_CWORD=2; _vibeusage; '
        'echo "${COMPREPLY[@]}"'
    )
    proc = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, timeout=10)
    assert proc.returncode == 0, proc.stderr
    first, second = proc.stdout.splitlines()
    assert first == "config"
    assert "reset" in second.split() and "edit" in second.split()


def test_help_lists_providers_and_commands(cli, home):
    result = cli("--help")
    assert result.code == 0
    assert "claude" in result.out and "https://claude.ai/settings/usage" in result.out
    for command in ("auth", "key", "status", "config", "cache", "doctor", "completion"):
        assert f"  {command}" in result.out


def test_provider_help_describes_the_provider(cli, home):
    result = cli("claude", "--help")
    assert result.code == 0
    assert "Claude Code on Pro, Max and Team plans" in result.out
    assert "oauth" in result.out and "web" in result.out
    assert "cli_refresh" in result.out


def test_command_help_and_bad_command_arguments(cli, home):
    assert cli("cache", "--help").code == 0
    bad = cli("cache", "explode")
    assert bad.code == 4 and "invalid choice" in bad.err


def test_options_before_a_command_are_understood(cli, home, mocked):
    mocked.get(STATUS_URL, json=load_fixture("status/statuspage-minor.json"))
    result = cli("--json", "status")
    assert result.code == 5
    assert json.loads(result.out)["claude"]["level"] == "degraded"


def test_commands_do_not_shadow_the_usage_view_options(cli, home):
    # --output takes a value: a file called "status" is not the status command.
    target = os.path.join(str(home.root), "status")
    result = cli("--json", "-o", target)
    assert result.code == 2  # nothing connected
    assert json.loads(open(target, encoding="utf-8").read())["schema_version"] == 1
