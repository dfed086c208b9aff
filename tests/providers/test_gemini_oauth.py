"""Gemini's oauth strategy: Code Assist calls, in-memory refresh and its cache, the errors
people meet (revoked login, consumer accounts, API-key setups), and ``vibeusage gemini
--json`` end to end. ``oauth_creds.json`` keeps its bytes in every test that has one.
"""

import json
import stat
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional

import pytest
import requests
from responses import matchers

from tests.conftest import SNAPSHOT_KEYS, Home, load_fixture
from tests.providers.test_gemini_support import (
    EMAIL,
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    LOAD_URL,
    NEW_TOKEN,
    NOW,
    OLD_TOKEN,
    PROJECT,
    QUOTA_URL,
    REFRESH_TOKEN,
    SECRETS,
    TOKEN_URL,
    creds_path,
    id_token,
    make_ctx,
    ms,
    untouched,
    write_login,
    write_settings,
)
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import PeriodType
from vibeusage.providers import claude
from vibeusage.providers import gemini as gemini_provider
from vibeusage.providers.base import FetchContext, FetchResult
from vibeusage.providers.gemini.oauth import GeminiOAuth

LOAD_BODY = {
    "metadata": {
        "ideType": "IDE_UNSPECIFIED",
        "platform": "PLATFORM_UNSPECIFIED",
        "pluginType": "GEMINI",
    }
}
ENV_CLIENT = {
    "GEMINI_OAUTH_CLIENT_ID": ENV_CLIENT_ID,
    "GEMINI_OAUTH_CLIENT_SECRET": ENV_CLIENT_SECRET,
}
EXPIRED = ms(NOW - timedelta(hours=1))
_SCRUB = (
    "GEMINI_OAUTH_CLIENT_ID",
    "GEMINI_OAUTH_CLIENT_SECRET",
    "GEMINI_CLI_HOME",
    "GOOGLE_CLOUD_PROJECT",
    "GOOGLE_CLOUD_PROJECT_ID",
)


@pytest.fixture
def bin_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty PATH (no real ``gemini``) and no Gemini variables from the real environment."""
    path = tmp_path / "bin"
    path.mkdir()
    monkeypatch.setenv("PATH", str(path))
    for name in _SCRUB:
        monkeypatch.delenv(name, raising=False)
    return path


@pytest.fixture
def login(home: Home, bin_dir: Path) -> Iterator[Path]:
    """A valid (unexpired) Gemini CLI login, checked unchanged after the test."""
    path = write_login(home)
    with untouched(path):
        yield path


@pytest.fixture
def expired(home: Home, bin_dir: Path) -> Iterator[Path]:
    path = write_login(home, expiry_date=EXPIRED)
    with untouched(path):
        yield path


def ctx_for(home: Home, bin_dir: Path, **kwargs: Any) -> FetchContext:
    return make_ctx(home, bin_dir, **kwargs)


def bearer(token: str) -> Any:
    return matchers.header_matcher({"Authorization": f"Bearer {token}"})


def load_ok(mocked: Any, token: str, payload: Optional[Dict[str, Any]] = None) -> None:
    mocked.post(
        LOAD_URL,
        json=payload if payload is not None else load_fixture("gemini/load-code-assist.json"),
        match=[bearer(token), matchers.json_params_matcher(LOAD_BODY)],
    )


def quota_ok(mocked: Any, token: str, body: Optional[Dict[str, Any]] = None) -> None:
    mocked.post(
        QUOTA_URL,
        json=load_fixture("gemini/retrieve-user-quota.json"),
        match=[
            bearer(token),
            matchers.json_params_matcher(body if body is not None else {"project": PROJECT}),
        ],
    )


def token_ok(mocked: Any, token: str = NEW_TOKEN, expires_in: Any = 3599) -> None:
    mocked.post(
        TOKEN_URL,
        json={"access_token": token, "expires_in": expires_in, "token_type": "Bearer"},
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "client_id": ENV_CLIENT_ID,
                    "client_secret": ENV_CLIENT_SECRET,
                    "refresh_token": REFRESH_TOKEN,
                    "grant_type": "refresh_token",
                }
            )
        ],
    )


def calls_to(mocked: Any, url: str) -> List[Any]:
    return [call for call in mocked.calls if call.request.url == url]


def sent_tokens(mocked: Any) -> List[str]:
    return [
        call.request.headers["Authorization"]
        for call in mocked.calls
        if call.request.url in (LOAD_URL, QUOTA_URL)
    ]


def outcome(ctx: FetchContext) -> FetchResult:
    try:
        return GeminiOAuth().fetch(ctx)
    except VibeusageError as exc:
        return FetchResult.fail(exc)


def failed(ctx: FetchContext) -> VibeusageError:
    result = outcome(ctx)
    assert result.snapshot is None
    assert result.error is not None
    assert_no_secret(result.error)
    return result.error


def assert_no_secret(error: VibeusageError) -> None:
    text = json.dumps(error.to_dict()) + str(error)
    for secret in SECRETS:
        assert secret not in text


def token_cache(home: Home) -> Path:
    return home.cache_dir / "providers" / "gemini" / "token.json"


# --- the happy path ---------------------------------------------------------------------------


def test_valid_login_asks_load_code_assist_then_the_quota_of_its_project(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    load_ok(mocked, OLD_TOKEN)
    quota_ok(mocked, OLD_TOKEN)

    result = GeminiOAuth().fetch(ctx_for(home, bin_dir))

    assert result.snapshot is not None, result.error
    snapshot = result.snapshot
    assert [(p.model, p.utilization, p.period_type) for p in snapshot.periods] == [
        ("gemini-2.0-flash", 0, PeriodType.DAILY),
        ("gemini-2.5-flash", 10, PeriodType.DAILY),
        ("gemini-2.5-pro", 40, PeriodType.DAILY),
    ]
    assert snapshot.identity is not None
    assert snapshot.identity.plan == "Gemini Code Assist in Google One AI Pro"
    assert snapshot.identity.email == EMAIL
    assert snapshot.source == "oauth"
    assert [c.request.url for c in mocked.calls] == [LOAD_URL, QUOTA_URL]
    assert not token_cache(home).exists()


def test_without_a_project_the_quota_is_asked_with_an_empty_body(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    load_ok(
        mocked, OLD_TOKEN, {"currentTier": {"id": "standard-tier", "name": "Gemini Code Assist"}}
    )
    quota_ok(mocked, OLD_TOKEN, {})
    result = GeminiOAuth().fetch(ctx_for(home, bin_dir))
    assert result.snapshot is not None, result.error
    assert result.snapshot.identity is not None
    assert result.snapshot.identity.plan == "Standard"


def test_google_cloud_project_goes_to_load_code_assist_and_fills_a_missing_project(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    body = {
        "cloudaicompanionProject": "my-workspace-proj",
        "metadata": dict(LOAD_BODY["metadata"], duetProject="my-workspace-proj"),
    }
    mocked.post(
        LOAD_URL,
        json={"currentTier": {"id": "standard-tier"}},
        match=[matchers.json_params_matcher(body)],
    )
    quota_ok(mocked, OLD_TOKEN, {"project": "my-workspace-proj"})
    ctx = ctx_for(home, bin_dir, GOOGLE_CLOUD_PROJECT="my-workspace-proj")
    result = GeminiOAuth().fetch(ctx)
    assert result.snapshot is not None, result.error


def test_a_login_without_expiry_is_used_as_is(home: Home, mocked: Any, bin_dir: Path) -> None:
    path = write_login(home, expiry_date=None)
    load_ok(mocked, OLD_TOKEN)
    quota_ok(mocked, OLD_TOKEN)
    with untouched(path):
        result = GeminiOAuth().fetch(ctx_for(home, bin_dir))
    assert result.snapshot is not None, result.error
    assert calls_to(mocked, TOKEN_URL) == []


# --- refresh ----------------------------------------------------------------------------------


def test_expired_token_is_refreshed_and_both_calls_use_the_new_token(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    token_ok(mocked)
    load_ok(mocked, NEW_TOKEN)
    quota_ok(mocked, NEW_TOKEN)

    result = GeminiOAuth().fetch(ctx_for(home, bin_dir, **ENV_CLIENT))

    assert result.snapshot is not None, result.error
    assert len(calls_to(mocked, TOKEN_URL)) == 1
    assert mocked.calls[0].request.url == TOKEN_URL  # before any Code Assist call
    assert sent_tokens(mocked) == [f"Bearer {NEW_TOKEN}"] * 2


def test_refreshed_token_is_cached_privately_with_its_expiry_and_no_refresh_token(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    token_ok(mocked, expires_in="3599")
    load_ok(mocked, NEW_TOKEN)
    quota_ok(mocked, NEW_TOKEN)
    assert GeminiOAuth().fetch(ctx_for(home, bin_dir, **ENV_CLIENT)).snapshot is not None

    cache = token_cache(home)
    text = cache.read_text(encoding="utf-8")
    data = json.loads(text)["data"]
    assert data["access_token"] == NEW_TOKEN
    assert datetime.fromisoformat(data["expires_at"]) == NOW + timedelta(seconds=3599)
    assert REFRESH_TOKEN not in text
    assert ENV_CLIENT_SECRET not in text
    assert stat.S_IMODE(cache.stat().st_mode) == 0o600
    assert stat.S_IMODE(cache.parent.stat().st_mode) == 0o700


def test_next_run_reuses_the_cached_token_without_refreshing(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    token_ok(mocked)
    load_ok(mocked, NEW_TOKEN)
    quota_ok(mocked, NEW_TOKEN)
    assert GeminiOAuth().fetch(ctx_for(home, bin_dir, **ENV_CLIENT)).snapshot is not None

    later = NOW + timedelta(minutes=30)
    second = GeminiOAuth().fetch(ctx_for(home, bin_dir, clock=lambda: later, **ENV_CLIENT))

    assert second.snapshot is not None, second.error
    assert len(calls_to(mocked, TOKEN_URL)) == 1
    assert sent_tokens(mocked) == [f"Bearer {NEW_TOKEN}"] * 4


def test_cached_token_near_its_expiry_is_refreshed_again(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    token_ok(mocked)
    load_ok(mocked, NEW_TOKEN)
    quota_ok(mocked, NEW_TOKEN)
    assert GeminiOAuth().fetch(ctx_for(home, bin_dir, **ENV_CLIENT)).snapshot is not None
    almost = NOW + timedelta(seconds=3599 - 30)
    assert GeminiOAuth().fetch(ctx_for(home, bin_dir, clock=lambda: almost, **ENV_CLIENT)).snapshot
    assert len(calls_to(mocked, TOKEN_URL)) == 2


def test_cached_token_of_another_login_is_not_used(home: Home, mocked: Any, bin_dir: Path) -> None:
    other = token_cache(home)
    other.parent.mkdir(parents=True)
    other.write_text(
        json.dumps(
            {
                "version": 1,
                "login": "0000000000000000",
                "saved_at": NOW.isoformat(),
                "data": {
                    "access_token": "ya29.someone-else",
                    "expires_at": (NOW + timedelta(hours=1)).isoformat(),
                },
            }
        )
    )
    path = write_login(home, expiry_date=EXPIRED)
    token_ok(mocked)
    load_ok(mocked, NEW_TOKEN)
    quota_ok(mocked, NEW_TOKEN)
    with untouched(path):
        result = GeminiOAuth().fetch(ctx_for(home, bin_dir, **ENV_CLIENT))
    assert result.snapshot is not None, result.error
    assert len(calls_to(mocked, TOKEN_URL)) == 1


def test_a_401_refreshes_once_and_retries_with_the_new_token(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    mocked.post(LOAD_URL, status=401, json={"error": {"code": 401}}, match=[bearer(OLD_TOKEN)])
    token_ok(mocked)
    load_ok(mocked, NEW_TOKEN)
    quota_ok(mocked, NEW_TOKEN)

    result = GeminiOAuth().fetch(ctx_for(home, bin_dir, **ENV_CLIENT))

    assert result.snapshot is not None, result.error
    assert sent_tokens(mocked) == [f"Bearer {OLD_TOKEN}"] + [f"Bearer {NEW_TOKEN}"] * 2
    assert len(calls_to(mocked, TOKEN_URL)) == 1


def test_a_401_after_the_refresh_is_an_authentication_error_without_a_second_refresh(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    token_ok(mocked)
    mocked.post(LOAD_URL, status=401, json={"error": {"code": 401}})
    error = failed(ctx_for(home, bin_dir, **ENV_CLIENT))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "`gemini`" in (error.remediation or "")
    assert len(calls_to(mocked, TOKEN_URL)) == 1
    assert len(calls_to(mocked, LOAD_URL)) == 1


def test_refresh_rejected_with_invalid_grant_says_run_gemini_once(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    mocked.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "Token has been expired or revoked."},
    )
    error = failed(ctx_for(home, bin_dir, **ENV_CLIENT))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "invalid_grant" in error.message
    assert "Run `gemini` once" in (error.remediation or "")
    assert calls_to(mocked, LOAD_URL) == []


def test_invalid_grant_also_forgets_a_cached_token(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    cache = token_cache(home)
    cache.parent.mkdir(parents=True)
    cache.write_text("{}")
    mocked.post(LOAD_URL, status=401, json={})
    mocked.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})
    assert failed(ctx_for(home, bin_dir, **ENV_CLIENT)).category is ErrorCategory.AUTHENTICATION
    assert not cache.exists()


def test_rejected_client_is_explained_without_showing_it(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    mocked.post(TOKEN_URL, status=401, json={"error": "invalid_client"})
    error = failed(ctx_for(home, bin_dir, **ENV_CLIENT))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "GEMINI_OAUTH_CLIENT_ID" in error.message
    assert ENV_CLIENT_ID not in error.message


def test_expired_login_without_any_client_fails_with_guidance_and_no_request(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    error = failed(ctx_for(home, bin_dir))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "cannot refresh" in error.message
    assert "GEMINI_OAUTH_CLIENT_ID" in (error.remediation or "")
    assert "`gemini`" in (error.remediation or "")
    assert list(mocked.calls) == []


def test_expired_login_without_refresh_token_asks_for_a_new_login(
    home: Home, mocked: Any, bin_dir: Path
) -> None:
    path = write_login(home, expiry_date=EXPIRED, refresh_token=None)
    with untouched(path):
        error = failed(ctx_for(home, bin_dir, **ENV_CLIENT))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert list(mocked.calls) == []


def test_token_endpoint_answer_without_a_token_is_a_parse_error(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    mocked.post(TOKEN_URL, json={"expires_in": 3600})
    assert failed(ctx_for(home, bin_dir, **ENV_CLIENT)).category is ErrorCategory.PARSE


def test_token_endpoint_server_error_is_a_provider_error(
    home: Home, mocked: Any, expired: Path, bin_dir: Path
) -> None:
    mocked.post(TOKEN_URL, status=503, body="unavailable")
    assert failed(ctx_for(home, bin_dir, **ENV_CLIENT)).category is ErrorCategory.PROVIDER


# --- consumer accounts and other refusals -----------------------------------------------------


def google_error(code: int, status: str, reason: Optional[str] = None) -> Dict[str, Any]:
    error: Dict[str, Any] = {
        "code": code,
        "message": "The caller does not have permission",
        "status": status,
    }
    if reason:
        error["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": reason}]
    return {"error": error}


def assert_no_access(error: VibeusageError) -> None:
    assert error.category is ErrorCategory.AUTHORIZATION
    assert "cannot use Gemini Code Assist" in error.message
    assert "2026-06-18" in (error.remediation or "")


def test_unsupported_client_becomes_the_consumer_account_message(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    mocked.post(
        LOAD_URL, status=403, json=google_error(403, "PERMISSION_DENIED", "UNSUPPORTED_CLIENT")
    )
    error = failed(ctx_for(home, bin_dir))
    assert_no_access(error)
    assert calls_to(mocked, QUOTA_URL) == []


def test_ineligible_tiers_without_a_current_tier_become_the_same_message(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    load_ok(
        mocked,
        OLD_TOKEN,
        {
            "ineligibleTiers": [
                {
                    "reasonCode": "INELIGIBLE_ACCOUNT",
                    "reasonMessage": "Gemini Code Assist is not available for personal accounts",
                    "tierId": "free-tier",
                }
            ]
        },
    )
    error = failed(ctx_for(home, bin_dir))
    assert_no_access(error)
    assert "not available for personal accounts" in error.message
    assert calls_to(mocked, QUOTA_URL) == []


def test_ineligible_tier_error_text_in_a_400_becomes_the_same_message(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    mocked.post(
        LOAD_URL,
        status=400,
        json={"error": {"code": 400, "message": "IneligibleTierError: account not eligible"}},
    )
    assert_no_access(failed(ctx_for(home, bin_dir)))


def test_a_403_for_a_gmail_account_becomes_the_same_message(
    home: Home, mocked: Any, bin_dir: Path
) -> None:
    path = write_login(home, id_token=id_token({"email": "someone@gmail.com"}))
    load_ok(mocked, OLD_TOKEN)
    mocked.post(QUOTA_URL, status=403, json=google_error(403, "PERMISSION_DENIED"))
    with untouched(path):
        error = failed(ctx_for(home, bin_dir))
    assert_no_access(error)
    assert "someone@gmail.com" not in error.message


def test_a_403_on_the_free_tier_becomes_the_same_message(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    load_ok(
        mocked, OLD_TOKEN, {"currentTier": {"id": "free-tier"}, "cloudaicompanionProject": PROJECT}
    )
    mocked.post(QUOTA_URL, status=403, json=google_error(403, "PERMISSION_DENIED"))
    assert_no_access(failed(ctx_for(home, bin_dir)))


def test_a_403_for_a_workspace_account_is_a_plain_authorization_error(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    load_ok(mocked, OLD_TOKEN)
    mocked.post(QUOTA_URL, status=403, json=google_error(403, "PERMISSION_DENIED"))
    error = failed(ctx_for(home, bin_dir))
    assert error.category is ErrorCategory.AUTHORIZATION
    assert "2026-06-18" not in (error.remediation or "")
    assert "GOOGLE_CLOUD_PROJECT" in (error.remediation or "")


def test_a_429_on_the_quota_is_rate_limited(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    load_ok(mocked, OLD_TOKEN)
    mocked.post(QUOTA_URL, status=429, json={}, headers={"Retry-After": "120"})
    error = failed(ctx_for(home, bin_dir))
    assert error.category is ErrorCategory.RATE_LIMITED
    assert error.retry_after == 120


def test_html_instead_of_json_is_a_parse_error(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    load_ok(mocked, OLD_TOKEN)
    mocked.post(QUOTA_URL, body="<html>proxy</html>", content_type="text/html")
    assert failed(ctx_for(home, bin_dir)).category is ErrorCategory.PARSE


def test_connection_errors_are_network_errors_naming_gemini(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    mocked.post(LOAD_URL, body=requests.ConnectionError("down"))
    error = GeminiOAuth().fetch(ctx_for(home, bin_dir)).error
    assert error is not None
    assert error.category is ErrorCategory.NETWORK
    assert error.message == "Could not connect to Gemini (cloudcode-pa.googleapis.com)"


# --- login types and availability -------------------------------------------------------------


@pytest.mark.parametrize(
    "settings",
    [
        {"security": {"auth": {"selectedType": "gemini-api-key"}}},
        {"selectedAuthType": "gemini-api-key"},
        {"security": {"auth": {"selectedType": "vertex-ai"}}},
        {"selectedAuthType": "vertex-ai"},
    ],
)
def test_api_key_and_vertex_logins_say_there_is_no_quota_endpoint(
    home: Home, mocked: Any, bin_dir: Path, settings: Dict[str, Any]
) -> None:
    write_settings(home, settings)
    ctx = ctx_for(home, bin_dir)
    strategy = GeminiOAuth()
    assert strategy.available(ctx)  # so that the message is shown, not "no credentials"
    assert "no quota endpoint for this login type" in strategy.explain(ctx)
    result = strategy.fetch(ctx)
    assert result.error is not None
    assert not result.should_fallback
    assert "no quota endpoint for this login type" in result.error.message
    assert list(mocked.calls) == []


def test_google_login_setting_in_either_layout_is_used(
    home: Home, mocked: Any, login: Path, bin_dir: Path
) -> None:
    write_settings(home, '{\n  // mine\n  "selectedAuthType": "oauth-personal"\n}\n')
    load_ok(mocked, OLD_TOKEN)
    quota_ok(mocked, OLD_TOKEN)
    assert GeminiOAuth().fetch(ctx_for(home, bin_dir)).snapshot is not None


def test_availability_and_explanation_follow_the_credentials_file(
    home: Home, bin_dir: Path
) -> None:
    ctx = ctx_for(home, bin_dir)
    strategy = GeminiOAuth()
    assert not strategy.available(ctx)
    assert "not found" in strategy.explain(ctx)
    write_login(home)
    assert strategy.available(ctx)
    assert str(creds_path(home)) in strategy.explain(ctx)
    assert OLD_TOKEN not in strategy.explain(ctx)


def test_gemini_cli_home_moves_the_gemini_directory(
    home: Home, mocked: Any, tmp_path: Path, bin_dir: Path
) -> None:
    elsewhere = tmp_path / "gemini-home"
    (elsewhere / ".gemini").mkdir(parents=True)
    (elsewhere / ".gemini" / "oauth_creds.json").write_text(
        json.dumps({"access_token": OLD_TOKEN, "expiry_date": ms(NOW) + 3_600_000})
    )
    ctx = ctx_for(home, bin_dir, GEMINI_CLI_HOME=str(elsewhere))
    load_ok(mocked, OLD_TOKEN)
    quota_ok(mocked, OLD_TOKEN)
    assert GeminiOAuth().available(ctx)
    assert GeminiOAuth().fetch(ctx).snapshot is not None


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def with_gemini(monkeypatch: pytest.MonkeyPatch, bin_dir: Path) -> None:
    monkeypatch.setattr(
        "vibeusage.providers.all_providers",
        lambda: (claude.PROVIDER, gemini_provider.PROVIDER),
    )


def test_gemini_json_prints_the_bare_snapshot_with_contract_keys(
    home: Home, mocked: Any, cli: Any, login: Path, with_gemini: None
) -> None:
    load_ok(mocked, OLD_TOKEN)
    quota_ok(mocked, OLD_TOKEN)

    result = cli("gemini", "--json", clock=lambda: NOW)

    assert result.code == 0, result.err
    document = result.json()
    assert list(document) == SNAPSHOT_KEYS
    assert document["provider"] == "gemini"
    assert document["source"] == "oauth"
    assert document["cached"] is False
    assert document["stale"] is False
    assert document["overage"] is None
    assert document["status"] is None
    assert document["identity"] == {
        "email": EMAIL,
        "organization": None,
        "plan": "Gemini Code Assist in Google One AI Pro",
        "login": None,
    }
    assert [(p["name"], p["utilization"], p["period_type"]) for p in document["periods"]] == [
        ("Daily (Gemini 2.0 Flash)", 0, "daily"),
        ("Daily (Gemini 2.5 Flash)", 10, "daily"),
        ("Daily (Gemini 2.5 Pro)", 40, "daily"),
    ]
    assert document["periods"][0]["resets_at"] == "2026-03-01T04:56:03+00:00"
    for secret in SECRETS:
        assert secret not in result.out + result.err


def test_cli_refreshes_once_and_the_next_run_reuses_the_cached_token(
    home: Home,
    mocked: Any,
    cli: Any,
    expired: Path,
    with_gemini: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in ENV_CLIENT.items():
        monkeypatch.setenv(name, value)
    token_ok(mocked)
    load_ok(mocked, NEW_TOKEN)
    quota_ok(mocked, NEW_TOKEN)

    first = cli("gemini", "--json", clock=lambda: NOW)
    second = cli("gemini", "--json", "--refresh", clock=lambda: NOW + timedelta(minutes=10))

    assert first.code == 0, first.err
    assert second.code == 0, second.err
    assert second.json()["cached"] is False
    assert len(calls_to(mocked, TOKEN_URL)) == 1
    assert len(calls_to(mocked, QUOTA_URL)) == 2
    for secret in SECRETS:
        assert secret not in first.out + first.err + second.out + second.err


def test_cli_invalid_grant_is_exit_code_2_with_the_gemini_hint(
    home: Home,
    mocked: Any,
    cli: Any,
    expired: Path,
    with_gemini: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in ENV_CLIENT.items():
        monkeypatch.setenv(name, value)
    mocked.post(TOKEN_URL, status=400, json={"error": "invalid_grant"})

    result = cli("gemini", "--json", clock=lambda: NOW)

    assert result.code == 2
    error = result.json()["error"]
    assert error["category"] == "authentication"
    assert "Run `gemini` once" in error["remediation"]
    for secret in SECRETS:
        assert secret not in result.out + result.err


def test_cli_api_key_login_is_a_clear_error(
    home: Home, mocked: Any, cli: Any, with_gemini: None
) -> None:
    write_settings(home, {"security": {"auth": {"selectedType": "gemini-api-key"}}})
    result = cli("gemini", clock=lambda: NOW)
    assert result.code == 2
    assert "no quota endpoint for this login type" in result.out + result.err
    assert list(mocked.calls) == []


def test_cli_without_any_gemini_setup_shows_the_setup_hint(
    home: Home, mocked: Any, cli: Any, with_gemini: None
) -> None:
    result = cli("gemini", "--json", clock=lambda: NOW)
    assert result.code == 2
    assert "gemini" in result.json()["error"]["remediation"]
    assert list(mocked.calls) == []
