"""A login that can never work (the Gemini CLI on an API key) is skipped by the default view,
as a provider without credentials is; ``auth`` and ``doctor`` say why; naming it is an error."""

import json

import pytest

from tests.codex_logs import write_recent_reading


@pytest.fixture
def gemini_api_key(home):
    """The Gemini CLI set up with an API key: settings name the type, no Google login."""
    folder = home.root / ".gemini"
    folder.mkdir()
    (folder / "settings.json").write_text(
        json.dumps({"security": {"auth": {"selectedType": "gemini-api-key"}}}), encoding="utf-8"
    )


@pytest.fixture
def codex_log(home, monkeypatch, tmp_path):
    """A Codex session log with a reading from a minute ago (no network needed)."""
    codex_home = tmp_path / "codex"
    write_recent_reading(codex_home)
    monkeypatch.setenv("CODEX_HOME", str(codex_home))


def test_the_default_view_skips_an_unusable_login_and_exits_0(cli, home, gemini_api_key, codex_log):
    result = cli("--json")
    assert result.code == 0, result.out + result.err
    document = json.loads(result.out)
    assert list(document["providers"]) == ["codex"]
    assert document["errors"] == {}


def test_with_only_an_unusable_login_nothing_is_connected(cli, home, gemini_api_key):
    result = cli("--json")
    assert result.code == 2
    document = json.loads(result.out)
    assert (document["providers"], document["errors"]) == ({}, {})


def test_named_the_unusable_provider_is_an_error_that_says_why(cli, home, gemini_api_key):
    result = cli("gemini", "--json")
    assert result.code == 2
    assert "a Gemini API key (gemini-api-key)" in result.out


def test_a_codex_api_key_login_is_skipped_by_default_and_reported(cli, home, monkeypatch, tmp_path):
    codex_home = tmp_path / "codex-key"
    codex_home.mkdir()
    (codex_home / "auth.json").write_text(json.dumps({"OPENAI_API_KEY": "sk-" + "a" * 40}))
    monkeypatch.setenv("CODEX_HOME", str(codex_home))
    result = cli("--json")
    assert (result.code, json.loads(result.out)["errors"]) == (2, {})
    named = cli("codex", "--json")
    assert named.code == 2 and "is an API key, not a ChatGPT login" in named.out
    overview = json.loads(cli("auth", "--json").out)["codex"]
    assert "API key" in overview["unusable"]


def test_auth_and_doctor_report_the_unusable_login(cli, home, gemini_api_key):
    overview = json.loads(cli("auth", "--json").out)["gemini"]
    assert overview["connected"] is False
    assert "gemini-api-key" in overview["unusable"]
    assert any("credentials found but unusable" in line for line in overview["details"])
    table = cli("auth").out
    (row,) = [line for line in table.splitlines() if line.startswith("gemini")]
    assert "unusable" in row and "gemini-api-key" in row
    named = cli("auth", "gemini")
    assert named.code == 2
    assert "Gemini's login cannot be used" in named.err and "gemini-api-key" in named.err
    doctor = cli("doctor").out
    assert "credentials found but unusable" in doctor and "gemini-api-key" in doctor


def test_a_claude_inference_only_token_is_skipped_by_default_and_reported(cli, home):
    home.write_claude_credentials(scopes=["user:inference"])
    result = cli("--json")
    assert (result.code, json.loads(result.out)["errors"]) == (2, {})
    overview = json.loads(cli("auth", "--json").out)["claude"]
    assert overview["connected"] is False and "user:inference" in overview["unusable"]


def test_a_claude_login_that_lists_no_scopes_is_still_tried(cli, home, mocked):
    home.write_claude_credentials(scopes=[])
    overview = json.loads(cli("auth", "--json").out)["claude"]
    assert overview["connected"] is True and overview["unusable"] is None
