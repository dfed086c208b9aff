"""Z.ai's ``api_key`` strategy: key sources in order, the Claude Code source and its host
check, the path and region fallbacks (exactly the requests expected), configuration, the
stored key, and the whole thing from outside through the CLI. No secret is ever shown."""

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, List, Mapping, Optional

import pytest
import requests

from tests.conftest import Home, load_fixture
from tests.conftest import make_ctx as make_context
from vibeusage.credentials import CredentialStore
from vibeusage.errors import ErrorCategory
from vibeusage.kit.api_keys import FoundKey
from vibeusage.providers.base import FetchContext
from vibeusage.providers.zai import PROVIDER
from vibeusage.providers.zai.api import ZaiApiKey, validate_key
from vibeusage.providers.zai.keys import find_key, region_of_base_url

KEY = "3f9c0b1e8a7d4c2f9e6b5a4d3c2b1a0e.QmFzZTY0U2VjcmV0"
OTHER_KEY = "a1b2c3d4e5f60718293a4b5c6d7e8f90.T3RoZXJLZXlTZWNyZXQ"
CLAUDE_TOKEN = "9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b.Q2xhdWRlQ29kZUtleQ"
#: Distinctive parts of every key: none may ever show up.
SECRETS = (KEY, KEY[:32], KEY[33:], OTHER_KEY, OTHER_KEY[33:], CLAUDE_TOKEN, CLAUDE_TOKEN[33:])
GLOBAL_QUOTA = "https://api.z.ai/api/monitor/usage/quota/limit"
GLOBAL_USAGE = "https://api.z.ai/api/monitor/usage"
CN_QUOTA = "https://open.bigmodel.cn/api/monitor/usage/quota/limit"
CN_USAGE = "https://open.bigmodel.cn/api/monitor/usage"
NOW = datetime(2026, 8, 4, 1, 0, tzinfo=timezone.utc)
PRO = "zai/quota-limit-pro.json"
REJECTED = "zai/error-token-expired.json"


def make_ctx(
    home: Home, environ: Optional[Mapping[str, str]] = None, **kwargs: Any
) -> FetchContext:
    env = {
        "HOME": str(home.root),
        "VIBEUSAGE_CONFIG_DIR": str(home.config_dir),
        "VIBEUSAGE_CACHE_DIR": str(home.cache_dir),
        **(environ or {}),
    }
    return make_context("zai", home.root, env, clock=lambda: NOW, **kwargs)


def urls(mock: Any) -> List[str]:
    return [call.request.url for call in mock.calls]


def answer(mock: Any, url: str, fixture: str = PRO, status: int = 200) -> None:
    mock.add("GET", url, json=load_fixture(fixture), status=status)


def store(home: Home, value: str = KEY) -> None:
    CredentialStore(make_ctx(home).paths).write("zai", "api_key", value)


def claude_settings(home: Home, env: Dict[str, str], folder: Optional[Path] = None) -> Path:
    path = (folder or home.root / ".claude") / "settings.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"env": env, "model": "glm-4.7"}), encoding="utf-8")
    return path


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret leaked: {secret[:6]}..."


def fetch(ctx: FetchContext) -> Any:
    return ZaiApiKey().fetch(ctx)


# --- the manifest: the contract table ----------------------------------------------------------


def test_manifest_follows_the_contract_table():
    assert PROVIDER.id == "zai" and PROVIDER.name == "Z.ai"
    assert PROVIDER.strategy_names() == ("api_key",)
    assert PROVIDER.env_vars[:6] == (
        "ZAI_API_KEY",
        "Z_AI_API_KEY",
        "GLM_API_KEY",
        "BIGMODEL_API_KEY",
        "ZHIPUAI_API_KEY",
        "ZHIPU_API_KEY",
    )
    assert {"ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL"} <= set(PROVIDER.env_vars)
    assert PROVIDER.secret is not None and PROVIDER.secret.name == "api_key"
    assert dict(PROVIDER.options) == {"region": str}


# --- where the key comes from -----------------------------------------------------------------

ORDER = [
    "ZAI_API_KEY",
    "Z_AI_API_KEY",
    "GLM_API_KEY",
    "BIGMODEL_API_KEY",
    "ZHIPUAI_API_KEY",
    "ZHIPU_API_KEY",
    "stored",
    "ANTHROPIC_AUTH_TOKEN",
    "claude_settings",
]


def test_each_source_wins_only_when_the_ones_before_it_are_missing(home):
    env = {name: f"{name.lower()}-{KEY}" for name in ORDER[:6]}
    env.update(
        ANTHROPIC_AUTH_TOKEN=CLAUDE_TOKEN, ANTHROPIC_BASE_URL="https://api.z.ai/api/anthropic"
    )
    store(home, f"stored-{KEY}")
    claude_settings(
        home,
        {
            "ANTHROPIC_AUTH_TOKEN": OTHER_KEY,
            "ANTHROPIC_BASE_URL": "https://open.bigmodel.cn/api/anthropic",
        },
    )
    seen = []
    for source in ORDER:
        found = find_key(make_ctx(home, env))
        assert found is not None
        seen.append(found.source)
        if source in env:
            assert found.api_key == env[source] or found.api_key == CLAUDE_TOKEN
            env.pop(source)
            if source == "ANTHROPIC_AUTH_TOKEN":
                env.pop("ANTHROPIC_BASE_URL")
        elif source == "stored":
            assert found.api_key == f"stored-{KEY}"
            CredentialStore(make_ctx(home).paths).delete("zai", "api_key")
        else:
            assert found.api_key == OTHER_KEY and found.region == "cn"
            (home.root / ".claude" / "settings.json").unlink()
    assert seen == ORDER
    assert find_key(make_ctx(home, env)) is None


@pytest.mark.parametrize("name", ["BIGMODEL_API_KEY", "ZHIPUAI_API_KEY", "ZHIPU_API_KEY"])
def test_china_named_variables_start_at_the_china_host(home, mocked, name):
    answer(mocked, CN_QUOTA, "zai/quota-limit-cn-lite.json")
    result = fetch(make_ctx(home, {name: KEY}))
    assert result.success, result.error
    assert urls(mocked) == [CN_QUOTA]


@pytest.mark.parametrize("value", [f'"{KEY}"', f"'{KEY}'", f"  {KEY}\n", f' " {KEY} " '])
def test_key_is_stripped_of_whitespace_and_one_pair_of_quotes(home, value):
    found = find_key(make_ctx(home, {"ZAI_API_KEY": value}))
    assert found is not None and found.api_key == KEY


@pytest.mark.parametrize("blank", ["", "   ", '""', "''"])
def test_blank_values_are_skipped(home, blank):
    found = find_key(make_ctx(home, {"ZAI_API_KEY": blank, "GLM_API_KEY": KEY}))
    assert found is not None and found.source == "GLM_API_KEY"


def test_found_key_repr_shows_no_secret(home):
    found = find_key(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert found is not None
    assert_no_secret(repr(found))


# --- Claude Code set up for GLM ------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, region",
    [
        ("https://api.z.ai/api/anthropic", "global"),
        ("https://API.Z.AI/api/anthropic/", "global"),
        ("https://api.z.ai:443/api/anthropic", "global"),
        ("https://open.bigmodel.cn/api/anthropic", "cn"),
        ('"https://api.z.ai/api/anthropic"', "global"),
    ],
)
def test_base_urls_on_zais_hosts_are_recognised(url, region):
    assert region_of_base_url(url) == region


@pytest.mark.parametrize(
    "url",
    [
        "http://api.z.ai/api/anthropic",
        "https://api.anthropic.com",
        "https://proxy.example/api.z.ai",
        "https://api.z.ai.evil.example/api/anthropic",
        "https://evil.example/?host=api.z.ai",
        "https://api.z.ai@evil.example/api/anthropic",
        "https://user:pass@api.z.ai/api/anthropic",
        "https://api.z.ai:8443/api/anthropic",
        "https://dev.bigmodel.cn/api/anthropic",
        "http://localhost:4000",
        "https://[::1",
        "",
        "api.z.ai",
    ],
)
def test_other_base_urls_make_the_claude_token_absent_and_nothing_is_sent(home, mocked, url):
    ctx = make_ctx(home, {"ANTHROPIC_AUTH_TOKEN": CLAUDE_TOKEN, "ANTHROPIC_BASE_URL": url})
    assert find_key(ctx) is None
    assert not ZaiApiKey().available(ctx)
    assert_no_secret(ZaiApiKey().explain(ctx))
    assert len(mocked.calls) == 0


def test_claude_token_from_the_environment_is_sent_to_the_host_it_names(home, mocked):
    answer(mocked, CN_QUOTA, "zai/quota-limit-cn-lite.json")
    env = {
        "ANTHROPIC_AUTH_TOKEN": CLAUDE_TOKEN,
        "ANTHROPIC_BASE_URL": "https://open.bigmodel.cn/api/anthropic",
    }
    result = fetch(make_ctx(home, env))
    assert result.success, result.error
    assert urls(mocked) == [CN_QUOTA]
    assert mocked.calls[0].request.headers["Authorization"] == f"Bearer {CLAUDE_TOKEN}"


def test_claude_codes_settings_env_block_is_read_when_the_variables_are_not_set(home, mocked):
    answer(mocked, GLOBAL_QUOTA)
    path = claude_settings(
        home,
        {
            "ANTHROPIC_AUTH_TOKEN": CLAUDE_TOKEN,
            "ANTHROPIC_BASE_URL": "https://api.z.ai/api/anthropic",
        },
    )
    before = path.read_bytes()
    ctx = make_ctx(home)
    assert ZaiApiKey().available(ctx)
    explained = ZaiApiKey().explain(ctx)
    assert str(path) in explained and "api.z.ai then open.bigmodel.cn" in explained
    result = fetch(ctx)
    assert result.success, result.error
    assert mocked.calls[0].request.headers["Authorization"] == f"Bearer {CLAUDE_TOKEN}"
    assert path.read_bytes() == before  # only ever read


def test_claude_config_dir_moves_the_settings_file(home, tmp_path):
    folder = tmp_path / "claude-elsewhere"
    claude_settings(
        home,
        {
            "ANTHROPIC_AUTH_TOKEN": CLAUDE_TOKEN,
            "ANTHROPIC_BASE_URL": "https://api.z.ai/api/anthropic",
        },
        folder,
    )
    assert find_key(make_ctx(home)) is None
    found = find_key(make_ctx(home, {"CLAUDE_CONFIG_DIR": str(folder)}))
    assert found is not None and found.source == "claude_settings"


def test_a_settings_file_pointing_elsewhere_or_broken_gives_no_key(home):
    claude_settings(
        home,
        {"ANTHROPIC_AUTH_TOKEN": CLAUDE_TOKEN, "ANTHROPIC_BASE_URL": "https://api.anthropic.com"},
    )
    assert find_key(make_ctx(home)) is None
    (home.root / ".claude" / "settings.json").write_text("{not json", encoding="utf-8")
    assert find_key(make_ctx(home)) is None
    (home.root / ".claude" / "settings.json").write_text('{"env": ["x"]}', encoding="utf-8")
    assert find_key(make_ctx(home)) is None


def test_token_and_base_url_are_never_mixed_between_environment_and_settings(home):
    claude_settings(home, {"ANTHROPIC_BASE_URL": "https://api.z.ai/api/anthropic"})
    assert find_key(make_ctx(home, {"ANTHROPIC_AUTH_TOKEN": CLAUDE_TOKEN})) is None


# --- the request -------------------------------------------------------------------------------


def test_request_carries_the_documented_headers(home, mocked):
    answer(mocked, GLOBAL_QUOTA)
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert result.success and result.snapshot is not None
    assert result.snapshot.source == "api_key"
    request = mocked.calls[0].request
    assert request.method == "GET" and request.url == GLOBAL_QUOTA
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Accept"] == "application/json"
    assert request.headers["Accept-Language"] == "en-US,en"


def test_unavailable_without_a_key_and_nothing_is_asked(home, mocked):
    ctx = make_ctx(home)
    assert not ZaiApiKey().available(ctx)
    assert "ZAI_API_KEY" in ZaiApiKey().explain(ctx)
    assert len(mocked.calls) == 0


# --- path and region fallbacks: exactly the requests expected ------------------------------------


def test_rejected_key_on_the_global_host_is_tried_on_the_china_host(home, mocked):
    answer(mocked, GLOBAL_QUOTA, REJECTED)
    answer(mocked, GLOBAL_USAGE, REJECTED)
    answer(mocked, CN_QUOTA, "zai/quota-limit-cn-lite.json")
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert result.success, result.error
    assert urls(mocked) == [GLOBAL_QUOTA, GLOBAL_USAGE, CN_QUOTA]


def test_rejected_key_on_the_china_host_is_tried_on_the_global_host(home, mocked):
    answer(mocked, CN_QUOTA, REJECTED)
    answer(mocked, CN_USAGE, REJECTED)
    answer(mocked, GLOBAL_QUOTA)
    result = fetch(make_ctx(home, {"BIGMODEL_API_KEY": KEY}))
    assert result.success, result.error
    assert urls(mocked) == [CN_QUOTA, CN_USAGE, GLOBAL_QUOTA]


def test_v3_key_refused_by_quota_limit_reads_the_fallback_path_on_the_same_host(home, mocked):
    answer(mocked, GLOBAL_QUOTA, REJECTED)
    answer(mocked, GLOBAL_USAGE, "zai/quota-limit-v3-credit-pro.json")
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert result.success and result.snapshot is not None
    assert [p.utilization for p in result.snapshot.periods] == [3, 2]
    assert urls(mocked) == [GLOBAL_QUOTA, GLOBAL_USAGE]


def test_key_rejected_everywhere_reports_the_first_rejection_after_four_requests(home, mocked):
    for url in (GLOBAL_QUOTA, GLOBAL_USAGE, CN_QUOTA):
        answer(mocked, url, REJECTED)
    answer(mocked, CN_USAGE, "zai/error-no-auth-header.json")
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert urls(mocked) == [GLOBAL_QUOTA, GLOBAL_USAGE, CN_QUOTA, CN_USAGE]
    error = result.error
    assert error is not None and error.category is ErrorCategory.AUTHENTICATION
    assert "the key from ZAI_API_KEY on api.z.ai" in error.message
    assert "token expired or incorrect" in error.message
    assert_no_secret(error.message + error.remediation)


def test_http_401_with_a_text_body_is_a_rejection_too(home, mocked):
    mocked.add("GET", GLOBAL_QUOTA, body="unauthorized account token", status=401)
    mocked.add("GET", GLOBAL_USAGE, body="unauthorized account token", status=401)
    mocked.add("GET", CN_QUOTA, json={"code": 401, "msg": "no"}, status=403)
    mocked.add("GET", CN_USAGE, body="", status=401)
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert len(mocked.calls) == 4
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION
    assert "(HTTP 401)" in result.error.message and result.error.status_code == 401


def test_a_missing_fallback_path_keeps_the_rejection_and_moves_to_the_other_host(home, mocked):
    answer(mocked, GLOBAL_QUOTA, REJECTED)
    mocked.add("GET", GLOBAL_USAGE, status=404)
    answer(mocked, CN_QUOTA)
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert result.success
    assert urls(mocked) == [GLOBAL_QUOTA, GLOBAL_USAGE, CN_QUOTA]


@pytest.mark.parametrize(
    "fault, category",
    [
        ({"status": 429, "json": {}}, ErrorCategory.RATE_LIMITED),
        ({"status": 500, "json": {}}, ErrorCategory.PROVIDER),
        ({"status": 404, "json": {}}, ErrorCategory.NOT_FOUND),
        ({"json": load_fixture("zai/error-account-arrears.json")}, ErrorCategory.AUTHORIZATION),
        ({"json": load_fixture("zai/error-plan-expired.json")}, ErrorCategory.AUTHORIZATION),
        ({"json": {"code": 1303, "msg": "busy", "success": False}}, ErrorCategory.RATE_LIMITED),
        ({"json": {"code": 500, "msg": "oops", "success": False}}, ErrorCategory.PROVIDER),
        ({"body": "<html>oops</html>", "content_type": "text/html"}, ErrorCategory.PARSE),
        ({"json": {"code": 200, "success": True, "data": {"limits": 5}}}, ErrorCategory.PARSE),
        ({"body": requests.ConnectionError("refused")}, ErrorCategory.NETWORK),
    ],
)
def test_no_fallback_after_a_failure_that_is_not_a_key_rejection(home, mocked, fault, category):
    mocked.add("GET", GLOBAL_QUOTA, **fault)
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert result.error is not None and result.error.category is category
    assert urls(mocked) == [GLOBAL_QUOTA]


def test_a_failure_on_the_fallback_path_stops_there(home, mocked):
    answer(mocked, GLOBAL_QUOTA, REJECTED)
    mocked.add("GET", GLOBAL_USAGE, status=500)
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert result.error is not None and result.error.category is ErrorCategory.PROVIDER
    assert urls(mocked) == [GLOBAL_QUOTA, GLOBAL_USAGE]


@pytest.mark.parametrize(
    "region, first, second", [("global", GLOBAL_QUOTA, GLOBAL_USAGE), ("cn", CN_QUOTA, CN_USAGE)]
)
def test_configured_region_is_the_only_host_asked(home, mocked, region, first, second):
    answer(mocked, first, REJECTED)
    answer(mocked, second, REJECTED)
    result = fetch(make_ctx(home, {"ZHIPU_API_KEY": KEY}, options={"region": region}))
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION
    assert urls(mocked) == [first, second]


@pytest.mark.parametrize("value", ["eu", "auto", "", "china"])
def test_invalid_region_is_a_configuration_error_naming_the_key(home, mocked, value):
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}, options={"region": value}))
    error = result.error
    assert error is not None and error.category is ErrorCategory.CONFIGURATION
    assert error.exit_code == 4
    assert "region" in error.message and "[providers.zai]" in error.message
    assert '"global" or "cn"' in error.message
    assert len(mocked.calls) == 0
    assert "region" in ZaiApiKey().explain(
        make_ctx(home, {"ZAI_API_KEY": KEY}, options={"region": value})
    )


def test_the_host_that_answered_is_asked_first_next_time(home, mocked):
    answer(mocked, GLOBAL_QUOTA, REJECTED)
    answer(mocked, GLOBAL_USAGE, REJECTED)
    answer(mocked, CN_QUOTA)
    assert fetch(make_ctx(home, {"ZAI_API_KEY": KEY})).success
    assert len(mocked.calls) == 3
    assert fetch(make_ctx(home, {"ZAI_API_KEY": KEY})).success
    assert urls(mocked)[3:] == [CN_QUOTA]
    # Another key does not inherit what was learnt about this one.
    answer(mocked, GLOBAL_QUOTA)
    assert fetch(make_ctx(home, {"ZAI_API_KEY": OTHER_KEY})).success
    assert urls(mocked)[4:] == [GLOBAL_QUOTA]
    for path in home.cache_dir.rglob("*"):
        if path.is_file():
            assert_no_secret(path.read_text(encoding="utf-8", errors="replace"))


def test_a_configured_region_wins_over_the_remembered_one(home, mocked):
    answer(mocked, GLOBAL_QUOTA, REJECTED)
    answer(mocked, GLOBAL_USAGE, REJECTED)
    answer(mocked, CN_QUOTA)
    assert fetch(make_ctx(home, {"ZAI_API_KEY": KEY})).success
    answer(mocked, GLOBAL_QUOTA)
    assert fetch(make_ctx(home, {"ZAI_API_KEY": KEY}, options={"region": "global"})).success
    assert urls(mocked)[3:] == [GLOBAL_QUOTA]


def test_success_without_any_known_limit_says_the_key_has_no_plan(home, mocked):
    mocked.add("GET", GLOBAL_QUOTA, json={"code": 200, "success": True, "data": {"limits": []}})
    result = fetch(make_ctx(home, {"ZAI_API_KEY": KEY}))
    assert result.error is not None and result.error.category is ErrorCategory.AUTHORIZATION
    assert "no GLM Coding Plan quota" in result.error.message
    assert urls(mocked) == [GLOBAL_QUOTA]


def test_unreadable_stored_key_is_reported_not_hidden(home):
    path = CredentialStore(make_ctx(home).paths).path("zai", "api_key")
    path.parent.mkdir(parents=True)
    path.write_text('{"value": ""}', encoding="utf-8")
    ctx = make_ctx(home)
    assert ZaiApiKey().available(ctx)
    result = fetch(ctx)
    assert result.error is not None and "unreadable or empty" in result.error.message


# --- validate (vibeusage auth zai) ---------------------------------------------------------------


def test_validate_accepts_a_working_key_with_one_request(home, mocked):
    answer(mocked, GLOBAL_QUOTA)
    assert validate_key(requests.Session(), KEY) is None
    assert urls(mocked) == [GLOBAL_QUOTA]


def test_validate_accepts_a_china_key_found_on_the_china_host(home, mocked):
    answer(mocked, GLOBAL_QUOTA, REJECTED)
    answer(mocked, GLOBAL_USAGE, REJECTED)
    answer(mocked, CN_QUOTA)
    assert validate_key(requests.Session(), KEY) is None


def test_validate_says_why_a_key_is_refused_without_showing_it(home, mocked):
    for url in (GLOBAL_QUOTA, GLOBAL_USAGE, CN_QUOTA, CN_USAGE):
        answer(mocked, url, REJECTED)
    reason = validate_key(requests.Session(), KEY)
    assert reason is not None and "rejected this key" in reason
    assert_no_secret(reason)


# --- from outside: the CLI ------------------------------------------------------------------------


def test_json_snapshot_through_the_cli(cli, home, mocked, monkeypatch):
    monkeypatch.setenv("ZAI_API_KEY", KEY)
    answer(mocked, GLOBAL_QUOTA)
    result = cli("zai", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    document = result.json()
    assert document["provider"] == "zai" and document["source"] == "api_key"
    assert [(p["name"], p["utilization"], p["period_type"]) for p in document["periods"]] == [
        ("Session (5h)", 25, "session"),
        ("Weekly", 9, "weekly"),
        ("Tools (monthly)", 22, "monthly"),
    ]
    assert document["periods"][0]["resets_at"] == "2026-08-04T04:00:00+00:00"
    assert document["identity"] == {
        "email": None,
        "organization": None,
        "plan": "Pro",
        "login": None,
    }
    assert_no_secret(result.out + result.err)


def test_table_through_the_cli(cli, home, mocked, monkeypatch):
    monkeypatch.setenv("ZAI_API_KEY", KEY)
    answer(mocked, GLOBAL_QUOTA)
    result = cli("zai", "--verbose", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert "Z.ai" in result.out
    for row in ("Session (5h)", "Weekly", "Tools (monthly)", "25%", "Pro", "api_key"):
        assert row in result.out, row
    assert_no_secret(result.out + result.err)


@pytest.mark.parametrize(
    "body, category, code",
    [
        ("zai/error-token-expired.json", "authentication", 2),
        ("zai/error-no-auth-header.json", "authentication", 2),
        ("zai/error-account-arrears.json", "authorization", 2),
        ("zai/error-plan-expired.json", "authorization", 2),
        ({"code": 1305, "msg": "traffic", "success": False}, "rate_limited", 3),
        ({"code": 1210, "msg": "weird", "success": False}, "provider", 1),
    ],
)
def test_each_error_code_from_outside_with_its_exit_code(cli, home, mocked, body, category, code):
    home.write_config('[providers.zai]\nregion = "global"\n')
    payload = load_fixture(body) if isinstance(body, str) else body
    mocked.add("GET", GLOBAL_QUOTA, json=payload)
    mocked.add("GET", GLOBAL_USAGE, json=payload)
    CredentialStore(make_ctx(home).paths).write("zai", "api_key", KEY)
    result = cli("zai", "--json", "--refresh")
    assert result.code == code, result.out + result.err
    error = result.json()["error"]
    assert error["category"] == category and error["provider"] == "zai"
    if isinstance(body, dict):
        assert str(body["code"]) in error["message"] and body["msg"] in error["message"]
    text = cli("zai", "--refresh", "--verbose")
    assert text.code == code
    assert_no_secret(result.out + result.err + text.out + text.err)


def test_invalid_region_in_the_config_file_exits_4_naming_the_key(cli, home, mocked, monkeypatch):
    monkeypatch.setenv("ZAI_API_KEY", KEY)
    home.write_config('[providers.zai]\nregion = "europe"\n')
    result = cli("zai", "--json")
    assert result.code == 4, result.out + result.err
    assert "[providers.zai]" in result.json()["error"]["message"]
    assert len(mocked.calls) == 0


def test_key_set_stores_the_key_and_the_next_run_uses_it(cli, home, mocked):
    stored = cli("key", "zai", "set", stdin=KEY + "\n")
    assert stored.code == 0, stored.err
    path = home.config_dir / "credentials" / "zai" / "api_key.json"
    assert json.loads(path.read_text(encoding="utf-8"))["value"] == KEY
    assert_no_secret(stored.out + stored.err)
    answer(mocked, GLOBAL_QUOTA)
    result = cli("zai", "--json")
    assert result.code == 0 and result.json()["source"] == "api_key"
    assert mocked.calls[0].request.headers["Authorization"] == f"Bearer {KEY}"


def test_key_set_refuses_a_bearer_value_without_force(cli, home):
    result = cli("key", "zai", "set", f"Bearer {KEY}")
    assert result.code == 4 and "paste only the key" in result.err
    assert not (home.config_dir / "credentials" / "zai" / "api_key.json").exists()
    assert cli("key", "zai", "set", "short.key", "--force").code == 0


def test_auth_validates_a_piped_key_before_storing_it(cli, home, mocked):
    answer(mocked, GLOBAL_QUOTA)
    result = cli("auth", "zai", stdin=KEY)
    assert result.code == 0, result.err
    assert (home.config_dir / "credentials" / "zai" / "api_key.json").exists()
    assert_no_secret(result.out + result.err)


def test_auth_does_not_store_a_rejected_key(cli, home, mocked):
    for url in (GLOBAL_QUOTA, GLOBAL_USAGE, CN_QUOTA, CN_USAGE):
        answer(mocked, url, REJECTED)
    result = cli("auth", "zai", stdin=KEY)
    assert result.code == 2
    assert not (home.config_dir / "credentials" / "zai" / "api_key.json").exists()
    assert_no_secret(result.out + result.err)


def test_doctor_and_auth_overview_explain_the_source_without_the_key(cli, home, monkeypatch):
    monkeypatch.setenv("GLM_API_KEY", KEY)
    doctor = cli("doctor")
    assert "the key from GLM_API_KEY; asks api.z.ai then open.bigmodel.cn" in doctor.out
    overview = cli("auth", "--json").json()
    assert overview["zai"]["connected"] is True and overview["zai"]["strategy"] == "api_key"
    assert_no_secret(doctor.out + doctor.err + json.dumps(overview))


def test_help_lists_the_provider(cli):
    result = cli("--help")
    assert "zai" in result.out and "Z.ai GLM Coding Plan" in result.out


def test_found_key_repr_masks_the_key_but_names_its_source():
    found = FoundKey(KEY, "ZAI_API_KEY", "the key from ZAI_API_KEY")
    assert "ZAI_API_KEY" in repr(found) and "…" in repr(found)
    assert_no_secret(repr(found))
