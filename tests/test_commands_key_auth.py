"""``vibeusage key`` and ``vibeusage auth``: stored secrets, detection, validation, no prompts."""

import json
import stat
from datetime import datetime, timezone

import requests

from tests.conftest import load_fixture
from vibeusage.providers.claude.web import WEB_API

KEY = "sk-ant-sid01-" + "Qx7Vb2Lm9Tz4" * 5 + "-Zz"
ORGS_URL = f"{WEB_API}/organizations"
CHAT_ORG = "0d3c2b1a-0000-4000-8000-000000000002"
NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)


def key_file(home):
    return home.config_dir / "credentials" / "claude" / "session_key.json"


# --- key ----------------------------------------------------------------------------------


def test_key_set_from_argument_stores_a_private_file(cli, home):
    result = cli("key", "claude", "set", KEY)
    assert result.code == 0, result.err
    path = key_file(home)
    assert json.loads(path.read_text(encoding="utf-8"))["value"] == KEY
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert KEY not in result.out + result.err
    assert "sk-ant-…4-Zz" in result.out


def test_key_set_reads_piped_stdin(cli, home):
    result = cli("key", "claude", "set", stdin=KEY + "\n")
    assert result.code == 0, result.err
    assert json.loads(key_file(home).read_text(encoding="utf-8"))["value"] == KEY


def test_key_set_without_value_and_without_a_terminal_does_not_prompt(cli, home):
    result = cli("key", "claude", "set")
    assert result.code == 4
    assert "standard input is not a terminal" in result.err
    assert not key_file(home).exists()


def test_key_set_refuses_an_odd_value_without_force_when_nobody_can_answer(cli, home):
    result = cli("key", "claude", "set", "sk-ant-api03-" + "x" * 40)
    assert result.code == 4
    assert "sk-ant-sid01-" in result.err and "--force" in result.err
    assert not key_file(home).exists()
    forced = cli("key", "claude", "set", "sk-ant-api03-" + "x" * 40, "--force")
    assert forced.code == 0
    assert key_file(home).exists()


def test_key_set_clears_the_providers_cache_and_gate(cli, home):
    cached = ("snapshots/claude.json", "gate/claude.json", "providers/claude/organization.json")
    for relative in (*cached, "providers/claude/identity.json", "org-ids/claude"):
        path = home.cache_dir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("{}", encoding="utf-8")
    cli("key", "claude", "set", KEY)
    assert not (home.cache_dir / "snapshots" / "claude.json").exists()
    assert not (home.cache_dir / "gate" / "claude.json").exists()
    assert not (home.cache_dir / "providers" / "claude").exists()
    assert not (home.cache_dir / "org-ids" / "claude").exists()  # where older versions kept it


def test_key_show_masks_the_value(cli, home):
    cli("key", "claude", "set", KEY)
    shown = cli("key", "claude")
    assert shown.code == 0
    assert KEY not in shown.out
    assert "…" in shown.out and str(key_file(home)) in shown.out
    document = cli("key", "claude", "--json").json()
    assert document["stored"] is True and document["path"] == str(key_file(home))
    assert KEY not in json.dumps(document)


def test_key_status_lists_each_provider_with_a_secret(cli, home):
    result = cli("key", "--json")
    assert result.code == 0
    assert result.json()["claude"]["stored"] is False
    cli("key", "claude", "set", KEY)
    assert cli("key", "--json").json()["claude"]["stored"] is True


def test_key_delete_removes_only_vibeusages_file(cli, home):
    home.write_claude_credentials()
    cli("key", "claude", "set", KEY)
    result = cli("key", "claude", "delete")
    assert result.code == 0
    assert not key_file(home).exists()
    assert home.claude_credentials.exists()
    again = cli("key", "claude", "delete")
    assert "No Claude credential was stored" in again.out


def test_key_for_unknown_provider_is_exit_4(cli, home):
    assert cli("key", "nosuch", "set", "x").code == 4


def test_stored_key_is_then_used_by_the_usage_view(cli, home, mocked):
    cli("key", "claude", "set", KEY)
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(
        f"{WEB_API}/organizations/{CHAT_ORG}/usage",
        json=load_fixture("claude/oauth-usage-limits.json"),
    )
    mocked.get(f"{WEB_API}/organizations/{CHAT_ORG}/overage_spend_limit", status=404)
    result = cli("claude", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert result.json()["source"] == "web"
    assert mocked.calls[0].request.headers["Cookie"] == f"sessionKey={KEY}"


# --- auth ---------------------------------------------------------------------------------


def test_auth_overview_shows_connection_and_next_step(cli, home):
    result = cli("auth", "--json")
    assert result.code == 0
    claude = result.json()["claude"]
    assert claude["connected"] is False
    assert "claude" in claude["next_step"]
    home.write_claude_credentials()
    claude = cli("auth", "--json").json()["claude"]
    assert claude["connected"] is True
    assert claude["strategy"] == "oauth" and claude["source"] == "Claude Code login"
    assert any(str(home.claude_credentials) in line for line in claude["details"])


def test_auth_overview_table(cli, home):
    home.write_claude_credentials()
    result = cli("auth")
    assert result.code == 0
    assert "claude" in result.out and "connected" in result.out
    assert "Claude Code login" in result.out


def test_auth_detects_the_tools_login(cli, home):
    home.write_claude_credentials()
    result = cli("auth", "claude")
    assert result.code == 0
    assert "connected through: Claude Code login" in result.out


def test_auth_without_login_and_without_a_terminal_is_a_clear_error(cli, home):
    result = cli("auth", "claude")
    assert result.code == 2
    assert "not connected" in result.err
    assert "pipe a claude.ai session key" in result.err


def test_auth_validates_a_piped_session_key_before_storing(cli, home, mocked):
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    result = cli("auth", "claude", stdin=KEY)
    assert result.code == 0, result.err
    assert key_file(home).exists()
    assert mocked.calls[0].request.headers["Cookie"] == f"sessionKey={KEY}"
    assert KEY not in result.out + result.err


def test_auth_rejected_session_key_is_not_stored(cli, home, mocked):
    mocked.get(ORGS_URL, status=401)
    result = cli("auth", "claude", stdin=KEY)
    assert result.code == 2
    assert "rejected this session key" in result.err
    assert not key_file(home).exists()


def test_auth_unreachable_claude_ai_is_a_network_error_and_not_stored(cli, home, mocked):
    mocked.get(ORGS_URL, body=requests.ConnectionError("offline"))
    result = cli("auth", "claude", stdin=KEY)
    assert result.code == 3  # issue 13: a network error, not "copy a fresh key"
    assert "Could not connect to Claude (claude.ai)" in result.err
    assert "fresh" not in result.err
    assert not key_file(home).exists()


def test_auth_delete_removes_the_stored_key_only(cli, home):
    home.write_claude_credentials()
    cli("key", "claude", "set", KEY)
    result = cli("auth", "claude", "--delete", "--json")
    assert result.code == 0
    assert result.json()["deleted"] is True
    assert not key_file(home).exists()
    assert home.claude_credentials.exists()
