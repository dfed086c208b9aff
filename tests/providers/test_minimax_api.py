"""MiniMax's ``api_key`` strategy: key sources in order, the Token Plan path and its legacy
fallback, the two sites (exactly the requests expected), Cloudflare block pages, the stored
key, and the whole thing from outside through the CLI. No secret is ever shown."""

import json
from datetime import datetime, timezone
from typing import Any, List, Mapping, Optional

import pytest
import requests

from tests.conftest import FIXTURES, Home, load_fixture
from tests.conftest import make_ctx as make_context
from vibeusage.credentials import CredentialStore
from vibeusage.errors import ErrorCategory
from vibeusage.providers.base import FetchContext
from vibeusage.providers.minimax import PROVIDER
from vibeusage.providers.minimax.api import MiniMaxApiKey, validate_key
from vibeusage.providers.minimax.keys import find_key

KEY = "sk-cp-TWluaU1heFRva2VuUGxhbktleU5ldmVyU2hvd24wMQ"
OTHER_KEY = "sk-cp-T3RoZXJNaW5pTWF4S2V5TmV2ZXJTaG93bjAy"
PAYG_KEY = "sk-api-UGF5QXNZb3VHb0tleU5ldmVyU2hvd24wMw"
SECRETS = (KEY, KEY[6:], OTHER_KEY, OTHER_KEY[6:], PAYG_KEY, PAYG_KEY[7:])
GLOBAL_TOKEN = "https://api.minimax.io/v1/token_plan/remains"
GLOBAL_CODING = "https://api.minimax.io/v1/api/openplatform/coding_plan/remains"
CN_TOKEN = "https://api.minimaxi.com/v1/token_plan/remains"
CN_CODING = "https://api.minimaxi.com/v1/api/openplatform/coding_plan/remains"
NOW = datetime(2026, 6, 1, 5, 0, tzinfo=timezone.utc)
NORMAL = "minimax/token-plan-normal.json"
LEGACY = "minimax/coding-plan-legacy-counts.json"
REJECTED = "minimax/error-cookie-missing-base-resp.json"
CLOUDFLARE = (FIXTURES / "minimax" / "cloudflare-1010.html").read_text(encoding="utf-8")


def make_ctx(
    home: Home, environ: Optional[Mapping[str, str]] = None, **kwargs: Any
) -> FetchContext:
    env = {
        "HOME": str(home.root),
        "VIBEUSAGE_CONFIG_DIR": str(home.config_dir),
        "VIBEUSAGE_CACHE_DIR": str(home.cache_dir),
        **(environ or {}),
    }
    return make_context("minimax", home.root, env, clock=lambda: NOW, **kwargs)


def urls(mock: Any) -> List[str]:
    return [call.request.url for call in mock.calls]


def answer(mock: Any, url: str, fixture: str = NORMAL, status: int = 200) -> None:
    mock.add("GET", url, json=load_fixture(fixture), status=status)


def block(mock: Any, url: str, status: int = 403) -> None:
    mock.add("GET", url, body=CLOUDFLARE, status=status, content_type="text/html; charset=UTF-8")


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"secret leaked: {secret[:8]}..."


def fetch(ctx: FetchContext) -> Any:
    return MiniMaxApiKey().fetch(ctx)


# --- the manifest and the key sources -----------------------------------------------------------


def test_manifest_follows_the_contract_table():
    assert PROVIDER.id == "minimax" and PROVIDER.name == "MiniMax"
    assert PROVIDER.strategy_names() == ("api_key",)
    assert PROVIDER.env_vars == ("MINIMAX_CODING_API_KEY", "MINIMAX_API_KEY", "MINIMAX_CN_API_KEY")
    assert PROVIDER.secret is not None and PROVIDER.secret.name == "api_key"
    assert dict(PROVIDER.options) == {"region": str}


def test_each_source_wins_only_when_the_ones_before_it_are_missing(home):
    env = {
        "MINIMAX_CODING_API_KEY": KEY,
        "MINIMAX_API_KEY": PAYG_KEY,
        "MINIMAX_CN_API_KEY": OTHER_KEY,
    }
    CredentialStore(make_ctx(home).paths).write("minimax", "api_key", f"{KEY}-stored")
    seen = []
    for name in ("MINIMAX_CODING_API_KEY", "MINIMAX_API_KEY", "MINIMAX_CN_API_KEY"):
        found = find_key(make_ctx(home, env))
        assert found is not None and found.api_key == env[name]
        seen.append((found.source, found.region))
        env.pop(name)
    found = find_key(make_ctx(home, env))
    assert found is not None and found.api_key == f"{KEY}-stored"
    seen.append((found.source, found.region))
    assert seen == [
        ("MINIMAX_CODING_API_KEY", None),
        ("MINIMAX_API_KEY", None),
        ("MINIMAX_CN_API_KEY", "cn"),
        ("stored", None),
    ]
    CredentialStore(make_ctx(home).paths).delete("minimax", "api_key")
    assert find_key(make_ctx(home, env)) is None


def test_key_is_stripped_and_blank_variables_skipped(home):
    found = find_key(
        make_ctx(home, {"MINIMAX_CODING_API_KEY": " ", "MINIMAX_API_KEY": f' "{KEY}"\n'})
    )
    assert found is not None and found.api_key == KEY and found.source == "MINIMAX_API_KEY"


def test_unavailable_without_a_key_and_nothing_is_asked(home, mocked):
    ctx = make_ctx(home)
    assert not MiniMaxApiKey().available(ctx)
    assert "MINIMAX_API_KEY" in MiniMaxApiKey().explain(ctx)
    assert len(mocked.calls) == 0


def test_request_carries_the_documented_headers(home, mocked):
    answer(mocked, GLOBAL_TOKEN)
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    assert result.success and result.snapshot is not None
    assert result.snapshot.source == "api_key"
    request = mocked.calls[0].request
    assert request.url == GLOBAL_TOKEN
    assert request.headers["Authorization"] == f"Bearer {KEY}"
    assert request.headers["Accept"] == "application/json"


def test_china_variable_starts_at_the_china_host(home, mocked):
    answer(mocked, CN_TOKEN)
    assert fetch(make_ctx(home, {"MINIMAX_CN_API_KEY": KEY})).success
    assert urls(mocked) == [CN_TOKEN]


# --- the legacy path ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "first",
    [
        {"status": 404, "json": {}},
        {"status": 405, "body": ""},
        {"json": load_fixture(REJECTED)},
        {"json": {"base_resp": {"status_code": 0, "status_msg": "success"}}},
        {"json": []},
    ],
)
def test_legacy_path_is_asked_after_404_405_a_rejection_or_no_lanes(home, mocked, first):
    mocked.add("GET", GLOBAL_TOKEN, **first)
    answer(mocked, GLOBAL_CODING, LEGACY)
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    assert result.success, result.error
    assert urls(mocked) == [GLOBAL_TOKEN, GLOBAL_CODING]


def test_404_on_both_paths_is_not_found_on_that_host_and_no_other_site_is_asked(home, mocked):
    mocked.add("GET", GLOBAL_TOKEN, status=404)
    mocked.add("GET", GLOBAL_CODING, status=404)
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    error = result.error
    assert error is not None and error.category is ErrorCategory.NOT_FOUND
    assert "no Token Plan quota" in error.message and "api.minimax.io" in error.message
    assert urls(mocked) == [GLOBAL_TOKEN, GLOBAL_CODING]


def test_no_lanes_on_either_path_is_a_parse_error(home, mocked):
    mocked.add("GET", GLOBAL_TOKEN, json={"base_resp": {"status_code": 0}})
    mocked.add("GET", GLOBAL_CODING, json={"base_resp": {"status_code": 0}})
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    assert result.error is not None and result.error.category is ErrorCategory.PARSE
    assert len(mocked.calls) == 2


# --- the two sites --------------------------------------------------------------------------------


def test_rejected_key_on_the_global_site_is_tried_on_the_china_site(home, mocked):
    answer(mocked, GLOBAL_TOKEN, REJECTED)
    answer(mocked, GLOBAL_CODING, "minimax/error-cookie-missing-flat.json")
    answer(mocked, CN_TOKEN)
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    assert result.success, result.error
    assert urls(mocked) == [GLOBAL_TOKEN, GLOBAL_CODING, CN_TOKEN]


def test_rejected_key_on_the_china_site_is_tried_on_the_global_site(home, mocked):
    answer(mocked, CN_TOKEN, REJECTED)
    answer(mocked, CN_CODING, REJECTED)
    answer(mocked, GLOBAL_TOKEN)
    assert fetch(make_ctx(home, {"MINIMAX_CN_API_KEY": KEY})).success
    assert urls(mocked) == [CN_TOKEN, CN_CODING, GLOBAL_TOKEN]


def test_rejection_then_missing_legacy_path_still_moves_to_the_other_site(home, mocked):
    answer(mocked, GLOBAL_TOKEN, REJECTED)
    mocked.add("GET", GLOBAL_CODING, status=404)
    answer(mocked, CN_TOKEN)
    assert fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY})).success
    assert urls(mocked) == [GLOBAL_TOKEN, GLOBAL_CODING, CN_TOKEN]


def test_key_rejected_on_both_sites_reports_the_first_rejection(home, mocked):
    for url in (GLOBAL_TOKEN, GLOBAL_CODING, CN_TOKEN, CN_CODING):
        mocked.add(
            "GET", url, json={"base_resp": {"status_code": 1004, "status_msg": f"no {url[8:20]}"}}
        )
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    assert urls(mocked) == [GLOBAL_TOKEN, GLOBAL_CODING, CN_TOKEN, CN_CODING]
    error = result.error
    assert error is not None and error.category is ErrorCategory.AUTHENTICATION
    assert "the key from MINIMAX_API_KEY on api.minimax.io" in error.message
    assert "no api.minimax" in error.message
    assert_no_secret(error.message + error.remediation)


def test_pay_as_you_go_key_rejection_names_the_likely_reason(home, mocked):
    for url in (GLOBAL_TOKEN, GLOBAL_CODING, CN_TOKEN, CN_CODING):
        answer(mocked, url, REJECTED)
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": PAYG_KEY}))
    assert result.error is not None and "pay-as-you-go key" in result.error.message
    assert_no_secret(
        result.error.message
        + MiniMaxApiKey().explain(make_ctx(home, {"MINIMAX_API_KEY": PAYG_KEY}))
    )


@pytest.mark.parametrize("status", [401, 403])
def test_http_401_and_403_that_are_not_cloudflare_are_rejections(home, mocked, status):
    mocked.add("GET", GLOBAL_TOKEN, json={"status_msg": "invalid api key"}, status=status)
    mocked.add("GET", GLOBAL_CODING, body="denied", status=status)
    answer(mocked, CN_TOKEN)
    assert fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY})).success
    assert urls(mocked) == [GLOBAL_TOKEN, GLOBAL_CODING, CN_TOKEN]


@pytest.mark.parametrize("status", [403, 520, 200])
def test_cloudflare_block_page_is_a_network_error_and_nothing_else_is_asked(home, mocked, status):
    block(mocked, GLOBAL_TOKEN, status)
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    error = result.error
    assert error is not None and error.category is ErrorCategory.NETWORK and error.exit_code == 3
    assert error.message == "MiniMax's Cloudflare front blocked the request (error 1010)"
    assert "VPN" in error.remediation
    assert urls(mocked) == [GLOBAL_TOKEN]


def test_cf_mitigated_header_alone_is_a_block(home, mocked):
    mocked.add("GET", GLOBAL_TOKEN, body="", status=403, headers={"cf-mitigated": "challenge"})
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    assert result.error is not None and result.error.category is ErrorCategory.NETWORK
    assert "(HTTP 403)" in result.error.message


@pytest.mark.parametrize(
    "fault, category",
    [
        ({"status": 429, "json": {}}, ErrorCategory.RATE_LIMITED),
        ({"status": 500, "json": {}}, ErrorCategory.PROVIDER),
        ({"json": load_fixture("minimax/error-rate-limit.json")}, ErrorCategory.RATE_LIMITED),
        (
            {"json": {"base_resp": {"status_code": 1001, "status_msg": "timeout"}}},
            ErrorCategory.PROVIDER,
        ),
        (
            {"json": {"base_resp": {"status_code": 2013, "status_msg": "bad"}}},
            ErrorCategory.PROVIDER,
        ),
        ({"body": "{not json", "content_type": "application/json"}, ErrorCategory.PARSE),
        ({"json": {"model_remains": [{"model_name": "general"}]}}, ErrorCategory.PARSE),
        ({"body": requests.ConnectTimeout("slow")}, ErrorCategory.NETWORK),
    ],
)
def test_no_fallback_after_a_failure_that_is_not_a_rejection(home, mocked, fault, category):
    mocked.add("GET", GLOBAL_TOKEN, **fault)
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}))
    assert result.error is not None and result.error.category is category
    assert urls(mocked) == [GLOBAL_TOKEN]


@pytest.mark.parametrize(
    "region, first, second", [("global", GLOBAL_TOKEN, GLOBAL_CODING), ("cn", CN_TOKEN, CN_CODING)]
)
def test_configured_region_is_the_only_site_asked(home, mocked, region, first, second):
    answer(mocked, first, REJECTED)
    answer(mocked, second, REJECTED)
    result = fetch(make_ctx(home, {"MINIMAX_CN_API_KEY": KEY}, options={"region": region}))
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION
    assert urls(mocked) == [first, second]


def test_invalid_region_is_a_configuration_error_naming_the_key(home, mocked):
    result = fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY}, options={"region": "intl"}))
    error = result.error
    assert error is not None and error.category is ErrorCategory.CONFIGURATION
    assert "[providers.minimax]" in error.message and '"global" or "cn"' in error.message
    assert len(mocked.calls) == 0


def test_the_site_that_answered_is_asked_first_next_time(home, mocked):
    answer(mocked, GLOBAL_TOKEN, REJECTED)
    answer(mocked, GLOBAL_CODING, REJECTED)
    answer(mocked, CN_TOKEN)
    assert fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY})).success
    assert fetch(make_ctx(home, {"MINIMAX_API_KEY": KEY})).success
    assert urls(mocked) == [GLOBAL_TOKEN, GLOBAL_CODING, CN_TOKEN, CN_TOKEN]
    for path in home.cache_dir.rglob("*"):
        if path.is_file():
            assert_no_secret(path.read_text(encoding="utf-8", errors="replace"))


# --- validate (vibeusage auth minimax) ------------------------------------------------------------


def test_validate_accepts_a_working_key_with_one_request(home, mocked):
    answer(mocked, GLOBAL_TOKEN)
    assert validate_key(requests.Session(), KEY) is None
    assert urls(mocked) == [GLOBAL_TOKEN]


def test_validate_says_why_without_showing_the_key(home, mocked):
    for url in (GLOBAL_TOKEN, GLOBAL_CODING, CN_TOKEN, CN_CODING):
        answer(mocked, url, REJECTED)
    reason = validate_key(requests.Session(), PAYG_KEY)
    assert reason is not None and "pay-as-you-go" in reason
    assert_no_secret(reason)


# --- from outside: the CLI ------------------------------------------------------------------------


def test_json_snapshot_through_the_cli(cli, home, mocked, monkeypatch):
    monkeypatch.setenv("MINIMAX_API_KEY", KEY)
    answer(mocked, GLOBAL_TOKEN)
    result = cli("minimax", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    document = result.json()
    assert document["provider"] == "minimax" and document["source"] == "api_key"
    assert [
        (p["name"], p["utilization"], p["period_type"], p["model"]) for p in document["periods"]
    ] == [
        ("Session (5h)", 4, "session", None),
        ("Weekly", 1, "weekly", None),
    ]
    assert document["periods"][0]["resets_at"] == "2026-06-01T07:00:00+00:00"
    assert document["identity"]["plan"] == "Token Plan Plus"
    assert document["notes"] == ["14000 points"]
    assert_no_secret(result.out + result.err)


def test_table_through_the_cli(cli, home, mocked, monkeypatch):
    monkeypatch.setenv("MINIMAX_CODING_API_KEY", KEY)
    answer(mocked, GLOBAL_TOKEN, "minimax/token-plan-boosted-weekly.json")
    result = cli("minimax", "--verbose", clock=lambda: NOW)
    assert result.code == 0, result.err
    for text in (
        "MiniMax",
        "Session (4h)",
        "Weekly",
        "30%",
        "boosted to 150 %",
        "video: not in this plan",
    ):
        assert text in result.out, text
    assert_no_secret(result.out + result.err)


@pytest.mark.parametrize(
    "answer_kwargs, category, code",
    [
        ({"json": load_fixture(REJECTED)}, "authentication", 2),
        ({"json": load_fixture("minimax/error-cookie-missing-flat.json")}, "authentication", 2),
        ({"body": CLOUDFLARE, "status": 403, "content_type": "text/html"}, "network", 3),
        ({"json": load_fixture("minimax/error-rate-limit.json")}, "rate_limited", 3),
        ({"status": 429, "json": {}}, "rate_limited", 3),
        ({"json": {"base_resp": {"status_code": 1000, "status_msg": "unknown"}}}, "provider", 1),
        (
            {"json": {"base_resp": {"status_code": 2056, "status_msg": "usage limit"}}},
            "provider",
            1,
        ),
        ({"status": 404, "json": {}}, "not_found", 1),
        ({"body": "<p>hi</p>", "content_type": "text/html"}, "parse", 1),
    ],
)
def test_each_error_from_outside_with_its_exit_code(
    cli, home, mocked, answer_kwargs, category, code
):
    home.write_config('[providers.minimax]\nregion = "global"\n')
    CredentialStore(make_ctx(home).paths).write("minimax", "api_key", KEY)
    mocked.add("GET", GLOBAL_TOKEN, **answer_kwargs)
    mocked.add("GET", GLOBAL_CODING, **answer_kwargs)
    result = cli("minimax", "--json", "--refresh")
    assert result.code == code, result.out + result.err
    error = result.json()["error"]
    assert error["category"] == category and error["provider"] == "minimax"
    body = answer_kwargs.get("json")
    if isinstance(body, dict) and "base_resp" in body:
        assert str(body["base_resp"]["status_code"]) in error["message"]
        assert body["base_resp"]["status_msg"] in error["message"]
    text = cli("minimax", "--refresh")
    assert text.code == code
    assert_no_secret(result.out + result.err + text.out + text.err)


def test_key_set_checks_the_format_and_stores_the_key(cli, home, mocked):
    refused = cli("key", "minimax", "set", PAYG_KEY)
    assert refused.code == 4 and "pay-as-you-go" in refused.err
    path = home.config_dir / "credentials" / "minimax" / "api_key.json"
    assert not path.exists()
    stored = cli("key", "minimax", "set", stdin=KEY)
    assert stored.code == 0, stored.err
    assert json.loads(path.read_text(encoding="utf-8"))["value"] == KEY
    answer(mocked, GLOBAL_TOKEN)
    assert cli("minimax", "--json").code == 0
    assert_no_secret(refused.out + refused.err + stored.out + stored.err)


def test_auth_validates_a_piped_key_before_storing_it(cli, home, mocked):
    answer(mocked, GLOBAL_TOKEN)
    result = cli("auth", "minimax", stdin=KEY)
    assert result.code == 0, result.err
    assert (home.config_dir / "credentials" / "minimax" / "api_key.json").exists()
    assert_no_secret(result.out + result.err)


def test_doctor_explains_the_source_without_the_key(cli, home, monkeypatch):
    monkeypatch.setenv("MINIMAX_CN_API_KEY", KEY)
    doctor = cli("doctor", "--json")
    strategies = doctor.json()["providers"]["minimax"]["strategies"]
    assert strategies == [
        "api_key: the key from MINIMAX_CN_API_KEY; asks api.minimaxi.com then api.minimax.io"
    ]
    assert_no_secret(doctor.out + doctor.err)
