"""Copilot's token sources, their order, the gh CLI's hosts.yml, the usage request and errors."""

import json
import os
from pathlib import Path
from typing import Any, Dict, Optional

import pytest
import requests

from tests.conftest import SNAPSHOT_KEYS, load_fixture
from tests.conftest import make_ctx as conftest_make_ctx
from vibeusage.credentials import CredentialStore
from vibeusage.errors import ConfigError, ErrorCategory, VibeusageError
from vibeusage.http import make_session
from vibeusage.paths import resolve_paths
from vibeusage.providers import claude, copilot
from vibeusage.providers.base import FetchContext
from vibeusage.providers.copilot import PROVIDER
from vibeusage.providers.copilot.api import token_problem, usage_url, validate_token
from vibeusage.providers.copilot.tokens import (
    configured_host,
    find_token,
    gh_hosts_path,
    parse_gh_hosts,
    token_for_host,
)

USER_URL = "https://api.github.com/copilot_internal/user"
STORED = "gho_" + "St0r3dT0k3n" * 3
COPILOT_ENV = "ghu_" + "C0p1l0tEnv" * 3
GH_ENV = "ghp_" + "GhT0k3nEnv" * 3
GITHUB_ENV = "github_pat_" + "G1thubT0k3n" * 3
GH_CLI = "gho_" + "GhCl1L0g1n" * 3
ENTERPRISE = "gho_" + "Ent3rpr1s3" * 3
ALL_TOKENS = (STORED, COPILOT_ENV, GH_ENV, GITHUB_ENV, GH_CLI, ENTERPRISE)
SCRUBBED = ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "GH_CONFIG_DIR", "APPDATA")

HOSTS_YML = f"""\
# gh hosts file
github.example.com:
    oauth_token: {ENTERPRISE}
    user: worker
    git_protocol: ssh
"github.com":
    users:
        octocat:
            oauth_token: {GH_CLI}
        other:
            oauth_token: gho_someoneelse000000000000000
    git_protocol: https
    oauth_token: "{GH_CLI}"   # the active account
    user: octocat
"""


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, home) -> None:
    for name in SCRUBBED:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(
        "vibeusage.providers.all_providers", lambda: (claude.PROVIDER, copilot.PROVIDER)
    )


def make_ctx(home, environ: Optional[Dict[str, str]] = None, **config: Any) -> FetchContext:
    env = {k: v for k, v in os.environ.items() if k not in SCRUBBED}
    env.update(environ or {})
    auth_source = config.pop("auth_source", "auto")
    return conftest_make_ctx("copilot", home.root, env, options=config, auth_source=auth_source)


def store_token(home, value: str = STORED, **extra: Any) -> Path:
    env = dict(os.environ)
    return CredentialStore(resolve_paths(env)).write("copilot", "token", value, **extra)


def write_hosts(home, text: str = HOSTS_YML, directory: Optional[Path] = None) -> Path:
    path = (directory or home.root / ".config" / "gh") / "hosts.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def first_available(ctx: FetchContext) -> Optional[str]:
    chain = PROVIDER.strategies_for(ctx.config.auth_source)
    return next((s.name for s in chain if s.available(ctx)), None)


def every_env() -> Dict[str, str]:
    return {"COPILOT_GITHUB_TOKEN": COPILOT_ENV, "GH_TOKEN": GH_ENV, "GITHUB_TOKEN": GITHUB_ENV}


def assert_no_secret(text: str) -> None:
    for token in ALL_TOKENS:
        assert token not in text


# --- precedence ----------------------------------------------------------------------------


def test_strategies_are_the_sources_in_order():
    assert PROVIDER.strategy_names() == (
        "device_flow",
        "COPILOT_GITHUB_TOKEN",
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "gh",
    )


def test_each_source_wins_only_when_the_ones_before_it_are_missing(home):
    store_token(home)
    write_hosts(home)
    env = every_env()
    assert first_available(make_ctx(home, env)) == "device_flow"
    CredentialStore(make_ctx(home).paths).delete("copilot", "token")
    expected = ["COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "gh"]
    for name in expected:
        ctx = make_ctx(home, env)
        assert first_available(ctx) == name
        found = find_token(ctx, name)
        assert found is not None and found.source == name
        env.pop(name, None)
    write_hosts(home, "")
    assert first_available(make_ctx(home, env)) is None


@pytest.mark.parametrize("blank", ["", "   ", "\n"])
def test_blank_variables_are_ignored(home, blank):
    ctx = make_ctx(home, {"COPILOT_GITHUB_TOKEN": blank, "GH_TOKEN": GH_ENV})
    assert first_available(ctx) == "GH_TOKEN"


def test_variable_value_is_stripped(home):
    found = find_token(make_ctx(home, {"GH_TOKEN": f"  {GH_ENV}\n"}), "GH_TOKEN")
    assert found is not None and found.token == GH_ENV


def test_the_same_token_under_a_later_source_is_not_tried_twice(home):
    ctx = make_ctx(home, {"GH_TOKEN": GH_CLI})
    write_hosts(home)
    gh = [s for s in PROVIDER.strategies if s.name == "gh"][0]
    assert not gh.available(ctx)
    assert "same token as GH_TOKEN" in gh.explain(ctx)
    restricted = make_ctx(home, {"GH_TOKEN": GH_CLI}, auth_source="gh")
    assert gh.available(restricted)


def test_auth_source_restricts_the_chain_to_one_source(home):
    store_token(home)
    ctx = make_ctx(home, every_env(), auth_source="GITHUB_TOKEN")
    assert first_available(ctx) == "GITHUB_TOKEN"


# --- hosts.yml -----------------------------------------------------------------------------


def test_hosts_file_with_several_hosts_gives_each_its_token():
    hosts = parse_gh_hosts(HOSTS_YML)
    assert set(hosts) == {"github.example.com", "github.com"}
    assert token_for_host(hosts, "github.com") == GH_CLI
    assert token_for_host(hosts, "GitHub.com") == GH_CLI
    assert token_for_host(hosts, "github.example.com") == ENTERPRISE
    assert token_for_host(hosts, "gitlab.com") is None
    assert hosts["github.com"].user == "octocat"


def test_gh_source_reads_github_com_not_the_first_host(home):
    write_hosts(home)
    found = find_token(make_ctx(home), "gh")
    assert found is not None and found.token == GH_CLI
    assert "hosts.yml" in found.where and GH_CLI not in found.where


def test_gh_source_follows_the_configured_enterprise_host(home):
    write_hosts(home)
    found = find_token(make_ctx(home, host="github.example.com"), "gh")
    assert found is not None and found.token == ENTERPRISE


def test_hosts_file_with_only_per_user_tokens_uses_the_active_user():
    text = (
        "github.com:\r\n"
        "  git_protocol: https\r\n"
        "  users:\r\n"
        "    alice:\r\n"
        "      oauth_token: 'gho_alice'\r\n"
        "    bob:\r\n"
        "      oauth_token: gho_bob\r\n"
        "  user: bob\r\n"
    )
    assert token_for_host(parse_gh_hosts(text), "github.com") == "gho_bob"


def test_single_user_token_is_used_without_an_active_user():
    text = "github.com:\n    users:\n        alice:\n            oauth_token: gho_alice\n"
    assert token_for_host(parse_gh_hosts(text), "github.com") == "gho_alice"


def test_hosts_file_from_the_keyring_era_has_no_token_and_explain_says_what_to_do(home):
    write_hosts(
        home,
        "github.com:\n    git_protocol: https\n    users:\n        octocat:\n    user: octocat\n",
    )
    ctx = make_ctx(home)
    assert find_token(ctx, "gh") is None
    gh = [s for s in PROVIDER.strategies if s.name == "gh"][0]
    assert not gh.available(ctx)
    assert "gh auth token" in gh.explain(ctx)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not yaml at all",
        "- a\n- b\n",
        "github.com: {oauth_token: gho_flow}\n",
        "github.com:\n    oauth_token:\n",
        "github.com:\n    oauth_token: ~\n",
        "\x00\x01garbage:::\n  : x\n",
    ],
)
def test_odd_hosts_files_give_no_token_and_do_not_crash(text):
    assert token_for_host(parse_gh_hosts(text), "github.com") is None


def test_gh_config_dir_is_honoured(home, tmp_path):
    write_hosts(home, "github.com:\n    oauth_token: gho_default\n")
    custom = tmp_path / "ghconf"
    write_hosts(home, f"github.com:\n    oauth_token: {GH_CLI}\n", directory=custom)
    ctx = make_ctx(home, {"GH_CONFIG_DIR": str(custom)})
    assert gh_hosts_path(ctx) == custom / "hosts.yml"
    found = find_token(ctx, "gh")
    assert found is not None and found.token == GH_CLI


def test_xdg_config_home_and_windows_appdata_locations(home, tmp_path):
    ctx = make_ctx(home, {"XDG_CONFIG_HOME": str(tmp_path / "xdg")})
    assert gh_hosts_path(ctx) == tmp_path / "xdg" / "gh" / "hosts.yml"
    ctx = make_ctx(home, {"APPDATA": str(tmp_path / "roaming")})
    ctx.platform = "win32"
    assert gh_hosts_path(ctx) == tmp_path / "roaming" / "GitHub CLI" / "hosts.yml"
    ctx.platform = "linux"
    assert gh_hosts_path(ctx) == home.root / ".config" / "gh" / "hosts.yml"


# --- host option ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "github.com"),
        ("", "github.com"),
        ("github.com", "github.com"),
        ("acme.ghe.com", "acme.ghe.com"),
        ("https://ACME.ghe.com/", "acme.ghe.com"),
        ("api.acme.ghe.com", "acme.ghe.com"),
    ],
)
def test_configured_host_is_normalised(home, value, expected):
    options = {} if value is None else {"host": value}
    assert configured_host(make_ctx(home, **options)) == expected


@pytest.mark.parametrize("bad", ["acme.ghe.com/path", "two words", "evil.com@x"])
def test_host_that_is_not_a_host_name_is_a_configuration_error(home, bad):
    with pytest.raises(ConfigError):
        configured_host(make_ctx(home, host=bad))


def test_usage_url_for_github_and_enterprise():
    assert usage_url() == USER_URL
    assert usage_url("acme.ghe.com") == "https://api.acme.ghe.com/copilot_internal/user"


# --- fetching ------------------------------------------------------------------------------


def strategy(name: str) -> Any:
    return [s for s in PROVIDER.strategies if s.name == name][0]


def test_usage_request_carries_the_documented_headers(home, mocked):
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    result = strategy("GH_TOKEN").fetch(make_ctx(home, {"GH_TOKEN": GH_ENV}))
    assert result.success and result.snapshot is not None
    assert result.snapshot.source == "GH_TOKEN"
    headers = mocked.calls[0].request.headers
    assert headers["Authorization"] == f"token {GH_ENV}"
    assert headers["Accept"] == "application/json"
    assert headers["Editor-Version"] == "vscode/1.96.2"
    assert headers["Editor-Plugin-Version"] == "copilot-chat/0.26.7"
    assert headers["User-Agent"] == "GitHubCopilotChat/0.26.7"
    assert headers["X-Github-Api-Version"] == "2025-04-01"


def test_enterprise_host_is_asked_at_api_dot_host(home, mocked):
    url = "https://api.acme.ghe.com/copilot_internal/user"
    mocked.get(url, json=load_fixture("copilot/copilot-internal-user.json"))
    result = strategy("GH_TOKEN").fetch(make_ctx(home, {"GH_TOKEN": GH_ENV}, host="acme.ghe.com"))
    assert result.success
    assert mocked.calls[0].request.url == url


def test_stored_token_made_for_another_host_is_not_sent(home, mocked):
    store_token(home, host="github.com")
    result = strategy("device_flow").fetch(make_ctx(home, host="acme.ghe.com"))
    assert result.error is not None
    assert "made for github.com, not acme.ghe.com" in result.error.message
    assert len(mocked.calls) == 0


def test_401_says_run_vibeusage_auth_copilot(home, mocked):
    store_token(home)
    mocked.get(USER_URL, status=401, json={"message": "Bad credentials"})
    result = strategy("device_flow").fetch(make_ctx(home))
    error = result.error
    assert error is not None and error.category is ErrorCategory.AUTHENTICATION
    assert "`vibeusage auth copilot`" in (error.remediation or "")
    assert result.should_fallback


@pytest.mark.parametrize("status", [403, 404])
def test_403_and_404_mean_copilot_is_not_enabled_for_the_account(home, mocked, status):
    mocked.get(USER_URL, status=status, json={"message": "Resource not accessible"})
    result = strategy("GITHUB_TOKEN").fetch(make_ctx(home, {"GITHUB_TOKEN": GITHUB_ENV}))
    error = result.error
    assert error is not None and error.category is ErrorCategory.AUTHORIZATION
    assert error.message == f"GitHub Copilot is not enabled for this account (HTTP {status})"
    assert "GITHUB_TOKEN" in (error.remediation or "")
    assert_no_secret(json.dumps(error.to_dict()))


def test_429_is_rate_limited_with_retry_after(home, mocked):
    mocked.get(USER_URL, status=429, headers={"Retry-After": "120"})
    result = strategy("GH_TOKEN").fetch(make_ctx(home, {"GH_TOKEN": GH_ENV}))
    assert result.error is not None and result.error.category is ErrorCategory.RATE_LIMITED
    assert result.error.retry_after == 120


def test_html_instead_of_json_is_a_parse_error(home, mocked):
    mocked.get(USER_URL, body="<html>login</html>", content_type="text/html")
    ctx = make_ctx(home, {"GH_TOKEN": GH_ENV})
    error = strategy("GH_TOKEN").fetch(ctx).error
    assert error is not None and error.category is ErrorCategory.PARSE
    assert "an HTML page instead of Copilot usage data" in error.message


def test_explain_names_each_source_without_the_token(home):
    store_token(home, host="github.com")
    write_hosts(home)
    ctx = make_ctx(home, {"GH_TOKEN": GH_ENV})
    texts = {s.name: s.explain(ctx) for s in PROVIDER.strategies}
    assert "vibeusage auth copilot" in texts["device_flow"]
    assert "GH_TOKEN environment variable" in texts["GH_TOKEN"]
    assert texts["COPILOT_GITHUB_TOKEN"] == "COPILOT_GITHUB_TOKEN is not set"
    assert "GitHub CLI login for github.com" in texts["gh"]
    assert "unlimited quotas" in texts["GH_TOKEN"]
    assert_no_secret(" ".join(texts.values()))


def test_unreadable_stored_token_is_available_so_fetch_can_say_why(home):
    path = store_token(home)
    path.write_text("{not json", encoding="utf-8")
    ctx = make_ctx(home, {"GH_TOKEN": GH_ENV})
    assert first_available(ctx) == "device_flow"
    assert "unreadable" in strategy("device_flow").explain(ctx)


# --- end to end ----------------------------------------------------------------------------


def test_vibeusage_copilot_json_end_to_end(cli, mocked, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", GH_ENV)
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    result = cli("copilot", "--json")
    assert result.code == 0, result.err
    snapshot = result.json()
    assert list(snapshot) == SNAPSHOT_KEYS
    assert snapshot["provider"] == "copilot"
    assert snapshot["source"] == "GH_TOKEN"
    assert (snapshot["cached"], snapshot["stale"], snapshot["overage"]) == (False, False, None)
    assert snapshot["identity"] == {
        "email": None,
        "organization": None,
        "plan": "Pro",
        "login": "testuser",
    }
    assert snapshot["periods"] == [
        {
            "name": name,
            "utilization": 40,
            "remaining": 60,
            "period_type": "monthly",
            "resets_at": "2025-03-01T00:00:00+00:00",
            "model": None,
            "pace_ratio": snapshot["periods"][i]["pace_ratio"],
            "reset_elapsed": snapshot["periods"][i]["reset_elapsed"],
            "pace": snapshot["periods"][i]["pace"],
        }
        for i, name in enumerate(["Premium requests", "Chat"])
    ]
    assert_no_secret(result.out + result.err)


def test_gh_login_source_end_to_end(cli, home, mocked):
    write_hosts(home)
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    result = cli("copilot", "--json")
    assert result.code == 0, result.err
    assert result.json()["source"] == "gh"
    assert mocked.calls[0].request.headers["Authorization"] == f"token {GH_CLI}"


def test_rejected_stored_token_falls_back_to_the_next_source(cli, home, mocked, monkeypatch):
    store_token(home)
    monkeypatch.setenv("COPILOT_GITHUB_TOKEN", COPILOT_ENV)
    mocked.get(USER_URL, status=401, json={"message": "Bad credentials"})
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    result = cli("copilot", "--json")
    assert result.code == 0, result.err
    assert result.json()["source"] == "COPILOT_GITHUB_TOKEN"
    sent = [c.request.headers["Authorization"] for c in mocked.calls]
    assert sent == [f"token {STORED}", f"token {COPILOT_ENV}"]


def test_only_source_rejected_exits_2_with_the_login_hint(cli, home, mocked):
    store_token(home)
    mocked.get(USER_URL, status=401, json={"message": "Bad credentials"})
    result = cli("copilot", "--json")
    assert result.code == 2
    error = result.json()["error"]
    assert error["category"] == "authentication"
    assert "`vibeusage auth copilot`" in error["remediation"]
    assert_no_secret(result.out + result.err)


def test_verbose_text_shows_the_source_and_status(cli, mocked, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", GITHUB_ENV)
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    mocked.get(
        "https://www.githubstatus.com/api/v2/status.json",
        json=load_fixture("status/statuspage-minor.json"),
    )
    result = cli("copilot", "--verbose")
    assert result.code == 0, result.err
    assert "Premium requests" in result.out
    assert "Source: GITHUB_TOKEN" in result.out
    assert "Account: testuser" in result.out
    assert "Status: degraded" in result.out
    assert_no_secret(result.out + result.err)


def test_auth_overview_lists_copilot_through_its_source(cli, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", GH_ENV)
    overview = cli("auth", "--json").json()
    assert overview["copilot"]["connected"] is True
    assert overview["copilot"]["strategy"] == "GH_TOKEN"
    assert_no_secret(json.dumps(overview))


def test_no_token_anywhere_is_a_clear_error_naming_the_login(cli, mocked):
    result = cli("copilot")
    assert result.code == 2
    assert "No GitHub Copilot credentials found" in result.out
    assert "`vibeusage auth copilot`" in result.out


def test_config_rejects_a_host_that_is_not_a_string(cli, home):
    home.write_config("[providers.copilot]\nhost = 5\n")
    assert cli("copilot").code == 4


# --- the secret: `vibeusage key copilot set` -------------------------------------------------


@pytest.mark.parametrize("value", [STORED, COPILOT_ENV, GH_ENV, GITHUB_ENV])
def test_token_format_check_accepts_github_tokens(value):
    assert token_problem(value) is None


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (f"token {STORED}", "without `token `"),
        (f"Bearer {STORED}", "without `token `"),
        ("sk-ant-whatever-0000000000000000000", "starts with"),
        ("ghs_" + "x" * 36, "starts with"),
        ("gho_short", "truncated"),
        ("gho_" + "x" * 20 + " " + "y" * 10, "truncated"),
    ],
)
def test_token_format_check_rejects_other_values(value, reason):
    problem = token_problem(value)
    assert problem is not None and reason in problem


def test_key_set_stores_a_token_that_is_then_used(cli, home, mocked):
    result = cli("key", "copilot", "set", stdin=STORED + "\n")
    assert result.code == 0, result.err
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    usage = cli("copilot", "--json")
    assert usage.json()["source"] == "device_flow"
    assert mocked.calls[0].request.headers["Authorization"] == f"token {STORED}"
    assert "stored with `vibeusage key`" in strategy("device_flow").explain(make_ctx(home))
    assert_no_secret(result.out + result.err + usage.out + usage.err)


def test_key_set_refuses_a_value_that_is_not_a_github_token_without_a_terminal(cli, home):
    result = cli("key", "copilot", "set", stdin="not-a-token\n")
    assert result.code == 4
    assert "starts with" in result.err


def test_validate_token_makes_one_request(mocked):
    session = make_session(5.0)
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    assert validate_token(session, STORED) is None
    assert mocked.calls[0].request.headers["Authorization"] == f"token {STORED}"


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        ({"status": 401}, "rejected this token"),
        ({"status": 403}, "not enabled"),
        ({"status": 404}, "not enabled"),
        ({"status": 500}, "HTTP 500"),
        ({"json": {"message": "hello"}}, "something other than Copilot usage"),
    ],
)
def test_validate_token_says_why_a_token_does_not_work(mocked, answer, reason):
    mocked.get(USER_URL, **answer)
    problem = validate_token(make_session(5.0), STORED)
    assert problem is not None and reason in problem
    assert STORED not in problem


def test_validate_token_unreachable_is_a_network_error_not_a_reason(mocked):
    mocked.get(USER_URL, body=requests.ConnectionError("offline"))
    with pytest.raises(VibeusageError) as caught:
        validate_token(make_session(5.0), STORED)
    assert caught.value.category is ErrorCategory.NETWORK
    assert "api.github.com" in caught.value.message


def test_verbose_and_json_say_why_a_quota_is_not_shown(cli, mocked, monkeypatch):
    monkeypatch.setenv("GH_TOKEN", GH_ENV)
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    result = cli("copilot", "--verbose")
    assert result.code == 0, result.err
    assert "Notes: Completions: unlimited on this plan, not shown" in result.out
    assert_no_secret(result.out + result.err)
    document = cli("copilot", "--json").json()
    assert "Completions: unlimited on this plan, not shown" in document["notes"]
