"""Vertex AI's ``adc`` strategy against a fake Google (``responses``): the in-memory refresh of
an ``authorized_user`` login and its cache, the service-account assertion and its exchange,
the two Monitoring listings page by page with the documented headers and parameters, and
every error of the provider doc's table. The ADC file keeps its bytes in every test.
"""

import json
import stat
from datetime import timedelta
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional
from urllib.parse import parse_qs

import pytest
import requests
from responses import matchers

from tests.conftest import Home, load_fixture
from tests.providers.test_vertexai_signing import pure_verify, unb64url
from tests.providers.vertexai_support import (
    BILLING_PROJECT,
    EMAIL,
    FIXTURE_PERIODS,
    LIMIT_METRIC,
    NOW,
    PROJECT,
    REFRESH_TOKEN,
    REFRESHED,
    SA_ADC,
    SA_EMAIL,
    SA_TOKEN,
    SECRETS,
    TOKEN_URL,
    TS_URL,
    USAGE_METRIC,
    USER_ADC,
    FakeMonitoring,
    token_cache_path,
    untouched,
    vertex_ctx,
    write_sa_key,
    write_user_adc,
)
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.providers.base import FetchContext, FetchResult
from vibeusage.providers.vertexai.adc import VertexAdc

VECTOR = load_fixture("vertexai/jwt-signing-vector.json")
#: The user fixture has only a quota project; the target is named by the environment.
USER_ENV = {"GOOGLE_CLOUD_PROJECT": PROJECT}
REFRESH_FORM = {
    "grant_type": "refresh_token",
    "client_id": USER_ADC["client_id"],
    "client_secret": USER_ADC["client_secret"],
    "refresh_token": REFRESH_TOKEN,
}


@pytest.fixture
def user_adc(home: Home) -> Iterator[Path]:
    path = write_user_adc(home)
    with untouched(path):
        yield path


@pytest.fixture
def sa_key(home: Home, tmp_path: Path) -> Iterator[Path]:
    path = write_sa_key(tmp_path)
    with untouched(path):
        yield path


def refresh_ok(mocked: Any, body: Optional[Dict[str, Any]] = None) -> None:
    mocked.post(
        TOKEN_URL,
        json=body or load_fixture("vertexai/token-refresh.json"),
        match=[
            matchers.urlencoded_params_matcher(REFRESH_FORM),
            matchers.header_matcher({"Accept": "application/json"}),
        ],
    )


def run(ctx: FetchContext) -> FetchResult:
    return VertexAdc().fetch(ctx)


def failed(ctx: FetchContext) -> VibeusageError:
    result = run(ctx)
    assert result.snapshot is None and result.error is not None
    text = json.dumps(result.error.to_dict()) + str(result.error) + repr(result.error)
    for secret in SECRETS:
        assert secret not in text
    return result.error


def rows(result: FetchResult) -> List[Any]:
    assert result.snapshot is not None, result.error
    return [
        (
            p.name,
            p.utilization,
            p.period_type.value,
            p.resets_at.isoformat() if p.resets_at else None,
        )
        for p in result.snapshot.periods
    ]


def token_posts(mocked: Any) -> List[Any]:
    return [c for c in mocked.calls if c.request.url == TOKEN_URL]


def user_ctx(home: Home, **kwargs: Any) -> FetchContext:
    environ = dict(USER_ENV)
    environ.update(kwargs.pop("environ", {}))
    return vertex_ctx(home, environ, **kwargs)


def sa_ctx(home: Home, key: Path, **kwargs: Any) -> FetchContext:
    environ = {"GOOGLE_APPLICATION_CREDENTIALS": str(key)}
    environ.update(kwargs.pop("environ", {}))
    return vertex_ctx(home, environ, **kwargs)


# --- authorized_user ----------------------------------------------------------------------------


def test_user_login_is_refreshed_once_and_both_listings_are_paged_in_order(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    monitoring = FakeMonitoring(mocked)

    result = run(user_ctx(home))

    assert rows(result) == FIXTURE_PERIODS
    assert len(token_posts(mocked)) == 1
    first_page_token = load_fixture("vertexai/timeseries-net-usage-page1.json")["nextPageToken"]
    assert monitoring.metrics() == [
        (USAGE_METRIC, None),
        (USAGE_METRIC, first_page_token),
        (LIMIT_METRIC, None),
    ]
    assert result.snapshot is not None
    assert result.snapshot.source == "adc"
    assert result.snapshot.identity is not None
    assert (result.snapshot.identity.email, result.snapshot.identity.organization) == (
        EMAIL,
        PROJECT,
    )
    assert result.snapshot.identity.plan is None


def test_listing_requests_carry_the_documented_headers_and_parameters(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    monitoring = FakeMonitoring(mocked)
    run(user_ctx(home))

    for metric, query, headers in monitoring.requests:
        assert headers["Authorization"] == f"Bearer {REFRESHED}"
        assert headers["x-goog-user-project"] == BILLING_PROJECT
        assert headers["Accept"] == "application/json"
        assert query["filter"] == (
            f'metric.type="{metric}" AND resource.type="consumer_quota" '
            'AND resource.label.service="aiplatform.googleapis.com"'
        )
        assert query["interval.startTime"] == "2026-11-23T18:02:00Z"
        assert query["interval.endTime"] == "2026-11-24T18:02:00Z"
        assert query["view"] == "FULL"
        expected = (
            ("60s", "ALIGN_DELTA") if metric == USAGE_METRIC else ("86400s", "ALIGN_NEXT_OLDER")
        )
        assert (
            query["aggregation.alignmentPeriod"],
            query["aggregation.perSeriesAligner"],
        ) == expected
    assert "pageToken" not in monitoring.requests[2][1]


def test_without_a_quota_project_a_user_login_bills_the_target_project(
    home: Home, mocked: Any
) -> None:
    write_user_adc(home, quota_project_id=None)
    refresh_ok(mocked)
    monitoring = FakeMonitoring(mocked)
    run(user_ctx(home))
    assert {h["x-goog-user-project"] for _, _, h in monitoring.requests} == {PROJECT}


def test_refreshed_token_is_cached_privately_without_the_refresh_token(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    FakeMonitoring(mocked)
    run(user_ctx(home))

    path = token_cache_path(home)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    document = json.loads(path.read_text())
    assert document["data"]["access_token"] == REFRESHED
    assert document["data"]["expires_at"] == (NOW + timedelta(seconds=3599)).isoformat()
    assert document["data"]["email"] == EMAIL
    assert REFRESH_TOKEN not in path.read_text()
    assert USER_ADC["client_secret"] not in path.read_text()


def test_a_later_run_within_the_hour_makes_no_token_request(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    monitoring = FakeMonitoring(mocked)
    run(user_ctx(home))
    later = run(user_ctx(home, clock=lambda: NOW + timedelta(minutes=50)))
    assert later.snapshot is not None
    assert later.snapshot.identity is not None and later.snapshot.identity.email == EMAIL
    assert len(token_posts(mocked)) == 1
    assert set(monitoring.bearers()) == {f"Bearer {REFRESHED}"}


def test_a_cached_token_with_a_minute_or_less_left_is_replaced(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    FakeMonitoring(mocked)
    run(user_ctx(home))
    run(user_ctx(home, clock=lambda: NOW + timedelta(seconds=3599 - 60)))
    assert len(token_posts(mocked)) == 2


def test_a_cached_token_of_another_login_is_not_used(home: Home, mocked: Any) -> None:
    write_user_adc(home)
    refresh_ok(mocked)
    FakeMonitoring(mocked)
    run(user_ctx(home))
    write_user_adc(home, refresh_token="1//0gANOTHERrefreshTOKEN")
    mocked.post(TOKEN_URL, json=load_fixture("vertexai/token-refresh.json"))
    run(user_ctx(home))
    assert len(token_posts(mocked)) == 2
    assert "ANOTHER" in token_posts(mocked)[1].request.body


def test_a_401_on_a_cached_token_refreshes_once_and_retries(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    monitoring = FakeMonitoring(mocked)
    run(user_ctx(home))
    monitoring.requests.clear()
    monitoring.answers = [(401, {"error": {"code": 401, "status": "UNAUTHENTICATED"}})]

    result = run(user_ctx(home, clock=lambda: NOW + timedelta(minutes=5)))

    assert rows(result) == FIXTURE_PERIODS
    assert len(token_posts(mocked)) == 2
    assert [m for m, _ in monitoring.metrics()] == [USAGE_METRIC] * 3 + [LIMIT_METRIC]


def test_a_401_on_a_fresh_token_is_an_authentication_error_and_forgets_it(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    monitoring = FakeMonitoring(mocked)
    monitoring.answers = [(401, {"error": {"code": 401}})] * 2

    error = failed(user_ctx(home))

    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert error.remediation == "Run `gcloud auth application-default login`, then retry."
    assert len(token_posts(mocked)) == 1
    assert len(monitoring.requests) == 1
    assert not token_cache_path(home).exists()


def test_invalid_grant_says_log_in_again_and_asks_monitoring_nothing(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    mocked.post(TOKEN_URL, status=400, json=load_fixture("vertexai/token-invalid-grant.json"))
    monitoring = FakeMonitoring(mocked)

    error = failed(user_ctx(home))

    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert "invalid_grant" in error.message and "expired or revoked" in error.message
    assert error.remediation == "Run `gcloud auth application-default login`, then retry."
    assert monitoring.requests == []


def test_invalid_grant_also_forgets_an_expired_cached_token(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    FakeMonitoring(mocked)
    run(user_ctx(home))
    mocked.replace("POST", TOKEN_URL, status=400, json={"error": "invalid_grant"})
    failed(user_ctx(home, clock=lambda: NOW + timedelta(hours=2)))
    assert not token_cache_path(home).exists()


@pytest.mark.parametrize("code", ["invalid_client", "unauthorized_client"])
def test_a_broken_client_in_the_file_is_an_authentication_error(
    home: Home, mocked: Any, user_adc: Path, code: str
) -> None:
    mocked.post(TOKEN_URL, status=401, json={"error": code, "error_description": "Unauthorized"})
    error = failed(user_ctx(home))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert code in error.message
    assert "gcloud auth application-default login" in error.remediation


@pytest.mark.parametrize(
    "status, category",
    [
        (500, ErrorCategory.PROVIDER),
        (503, ErrorCategory.PROVIDER),
        (429, ErrorCategory.RATE_LIMITED),
    ],
)
def test_token_endpoint_failures_are_classified(
    home: Home, mocked: Any, user_adc: Path, status: int, category: ErrorCategory
) -> None:
    mocked.post(TOKEN_URL, status=status, body="<html>busy</html>", content_type="text/html")
    assert failed(user_ctx(home)).category is category


@pytest.mark.parametrize("body", [{}, {"access_token": ""}, {"access_token": 5}, []])
def test_a_token_answer_without_a_token_is_a_parse_error(
    home: Home, mocked: Any, user_adc: Path, body: Any
) -> None:
    mocked.post(TOKEN_URL, json=body)
    assert failed(user_ctx(home)).category is ErrorCategory.PARSE


def test_the_id_tokens_email_is_optional(home: Home, mocked: Any) -> None:
    write_user_adc(home, account="from-file@example.com")
    refresh_ok(mocked, {"access_token": REFRESHED, "expires_in": "3599"})
    FakeMonitoring(mocked)
    result = run(user_ctx(home))
    assert result.snapshot is not None and result.snapshot.identity is not None
    assert result.snapshot.identity.email == "from-file@example.com"


# --- service_account ----------------------------------------------------------------------------


def sa_token_ok(mocked: Any, seen: List[Dict[str, str]]) -> None:
    def answer(request: Any) -> Any:
        seen.append({k: v[0] for k, v in parse_qs(request.body).items()})
        return 200, {}, json.dumps(load_fixture("vertexai/token-jwt-bearer.json"))

    mocked.add_callback("POST", TOKEN_URL, callback=answer, content_type="application/json")


def test_service_account_signs_an_assertion_google_can_verify(
    home: Home, mocked: Any, sa_key: Path
) -> None:
    seen: List[Dict[str, str]] = []
    sa_token_ok(mocked, seen)
    monitoring = FakeMonitoring(mocked)

    result = run(sa_ctx(home, sa_key))

    assert rows(result) == FIXTURE_PERIODS
    assert len(seen) == 1 and set(seen[0]) == {"grant_type", "assertion"}
    assert seen[0]["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer"
    header, claims, signature = seen[0]["assertion"].split(".")
    assert json.loads(unb64url(header)) == {
        "alg": "RS256",
        "typ": "JWT",
        "kid": SA_ADC["private_key_id"],
    }
    issued = int(NOW.timestamp())
    assert json.loads(unb64url(claims)) == {
        "iss": SA_EMAIL,
        "scope": "https://www.googleapis.com/auth/monitoring.read",
        "aud": "https://oauth2.googleapis.com/token",
        "iat": issued,
        "exp": issued + 3600,
    }
    signed = f"{header}.{claims}".encode()
    assert pure_verify(VECTOR["public_key_pem"], signed, unb64url(signature))
    assert set(monitoring.bearers()) == {f"Bearer {SA_TOKEN}"}
    assert all("x-goog-user-project" not in h for _, _, h in monitoring.requests)
    assert result.snapshot is not None and result.snapshot.identity is not None
    assert (result.snapshot.identity.email, result.snapshot.identity.organization) == (
        SA_EMAIL,
        PROJECT,
    )


def test_service_account_token_is_cached_by_account_and_key_id(
    home: Home, mocked: Any, sa_key: Path
) -> None:
    seen: List[Dict[str, str]] = []
    sa_token_ok(mocked, seen)
    FakeMonitoring(mocked)
    run(sa_ctx(home, sa_key))
    run(sa_ctx(home, sa_key, clock=lambda: NOW + timedelta(minutes=30)))
    assert len(seen) == 1
    assert VECTOR["private_key_pem"].splitlines()[3] not in token_cache_path(home).read_text()


def test_a_set_quota_project_is_sent_for_a_service_account(
    home: Home, mocked: Any, sa_key: Path
) -> None:
    sa_token_ok(mocked, [])
    monitoring = FakeMonitoring(mocked)
    run(sa_ctx(home, sa_key, environ={"GOOGLE_CLOUD_QUOTA_PROJECT": "billing"}))
    assert {h["x-goog-user-project"] for _, _, h in monitoring.requests} == {"billing"}


@pytest.mark.parametrize(
    "token_uri",
    [
        "https://evil.example.com/token",
        "http://oauth2.googleapis.com/token",
        "https://oauth2.googleapis.com.evil.example/token",
        "https://user@oauth2.googleapis.com/token",
        "https://oauth2.googleapis.com:8443/token",
    ],
)
def test_an_assertion_is_never_sent_off_google(
    home: Home, mocked: Any, tmp_path: Path, token_uri: str
) -> None:
    key = write_sa_key(tmp_path, token_uri=token_uri)
    error = failed(sa_ctx(home, key))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "not a Google token endpoint" in error.message
    assert list(mocked.calls) == []


def test_accounts_google_com_and_the_keys_universe_are_google_hosts(
    home: Home, mocked: Any, tmp_path: Path
) -> None:
    for uri, universe in (
        ("https://accounts.google.com/o/oauth2/token", "googleapis.com"),
        ("https://oauth2.example-universe.goog/token", "example-universe.goog"),
    ):
        key = write_sa_key(tmp_path, token_uri=uri, universe_domain=universe)
        mocked.post(uri, json=load_fixture("vertexai/token-jwt-bearer.json"))
        FakeMonitoring(mocked)
        assert run(sa_ctx(home, key)).snapshot is not None
        token_cache_path(home).unlink()


def test_a_rejected_key_names_the_account_and_asks_for_a_new_key(
    home: Home, mocked: Any, sa_key: Path
) -> None:
    mocked.post(
        TOKEN_URL,
        status=400,
        json={"error": "invalid_grant", "error_description": "Invalid JWT Signature."},
    )
    error = failed(sa_ctx(home, sa_key))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "Invalid JWT Signature" in error.message
    assert error.remediation == (
        f"Create a new key for {SA_EMAIL} or point GOOGLE_APPLICATION_CREDENTIALS at a valid one."
    )


@pytest.mark.parametrize(
    "private_key",
    [
        load_fixture("vertexai/test-keys.json")["pkcs1_rsa_private_key_pem"],
        load_fixture("vertexai/test-keys.json")["ec_p256_private_key_pem"],
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    ],
)
def test_an_unusable_private_key_is_explained_without_a_request(
    home: Home, mocked: Any, tmp_path: Path, private_key: str
) -> None:
    key = write_sa_key(tmp_path, private_key=private_key)
    error = failed(sa_ctx(home, key))
    assert error.category is ErrorCategory.AUTHENTICATION
    assert f"The private key of {SA_EMAIL} cannot be used" in error.message
    assert list(mocked.calls) == []
    for line in private_key.splitlines()[1:-1]:
        assert line not in error.message + error.remediation


# --- before any request -------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["external_account", "impersonated_service_account"])
def test_other_adc_types_fail_with_fallback_to_gcloud(home: Home, mocked: Any, kind: str) -> None:
    write_user_adc(home, type=kind)
    result = run(user_ctx(home))
    assert result.error is not None and result.should_fallback is True
    assert result.error.message == f"ADC type {kind} is used through gcloud"
    assert list(mocked.calls) == []


def test_no_project_is_fatal_before_any_request(home: Home, mocked: Any) -> None:
    write_user_adc(home, quota_project_id=None)
    result = run(vertex_ctx(home))
    assert result.error is not None and result.should_fallback is False
    assert (result.error.category, result.error.exit_code) == (ErrorCategory.CONFIGURATION, 4)
    assert list(mocked.calls) == []


def test_availability_and_explanation_follow_the_adc_file(home: Home, mocked: Any) -> None:
    ctx = user_ctx(home)
    assert VertexAdc().available(ctx) is False
    assert "not found" in VertexAdc().explain(ctx)
    path = write_user_adc(home)
    assert VertexAdc().available(ctx) is True
    assert VertexAdc().explain(ctx) == f"Application Default Credentials in {path}"
    assert list(mocked.calls) == []


# --- Monitoring's answers -----------------------------------------------------------------------


def monitoring_error(home: Home, mocked: Any, status: int, body: Any, **ctx: Any) -> VibeusageError:
    refresh_ok(mocked)
    monitoring = FakeMonitoring(mocked)
    monitoring.answers = [(status, body)]
    return failed(user_ctx(home, **ctx))


def test_service_disabled_on_gclouds_project_asks_for_a_quota_project(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    error = monitoring_error(
        home, mocked, 403, load_fixture("vertexai/error-403-service-disabled.json")
    )
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHORIZATION, 2)
    assert "projects/764086051850" in error.message and "monitoring.googleapis.com" in error.message
    assert (
        f"gcloud services enable monitoring.googleapis.com --project {PROJECT}" in error.remediation
    )
    assert f"gcloud auth application-default set-quota-project {PROJECT}" in error.remediation


def test_service_disabled_on_the_users_project_asks_to_enable_the_api_there(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    body = load_fixture("vertexai/error-403-service-disabled.json")
    body["error"]["message"] = "Cloud Monitoring API has not been used in project 42 before."
    body["error"]["details"][0]["metadata"]["consumer"] = "projects/my-billing"
    error = monitoring_error(home, mocked, 403, body)
    assert (
        error.message
        == "monitoring.googleapis.com is not enabled for projects/my-billing (SERVICE_DISABLED)"
    )
    assert error.remediation == (
        "Enable the API: `gcloud services enable monitoring.googleapis.com --project my-billing`."
    )


def test_permission_denied_names_the_role_the_permission_and_the_project(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    error = monitoring_error(
        home, mocked, 403, load_fixture("vertexai/error-403-permission-denied.json")
    )
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHORIZATION, 2)
    assert PROJECT in error.message
    assert error.remediation == (
        "Grant roles/monitoring.viewer (permission monitoring.timeSeries.list) "
        f"on project {PROJECT}."
    )


def test_user_project_denied_points_at_the_quota_project(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    body = {
        "error": {
            "code": 403,
            "status": "PERMISSION_DENIED",
            "details": [{"reason": "USER_PROJECT_DENIED"}],
        }
    }
    error = monitoring_error(home, mocked, 403, body)
    assert error.category is ErrorCategory.AUTHORIZATION
    assert BILLING_PROJECT in error.message
    assert "quota_project" in error.remediation


def test_unknown_project_is_not_found_with_the_config_key(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    error = monitoring_error(home, mocked, 404, {"error": {"code": 404, "status": "NOT_FOUND"}})
    assert (error.category, error.exit_code) == (ErrorCategory.NOT_FOUND, 1)
    assert error.remediation == "Check the project id (`[providers.vertexai] project`)."


def test_a_400_quotes_googles_message(home: Home, mocked: Any, user_adc: Path) -> None:
    body = {
        "error": {"code": 400, "message": "Field name is invalid", "status": "INVALID_ARGUMENT"}
    }
    error = monitoring_error(home, mocked, 400, body)
    assert error.category is ErrorCategory.PROVIDER
    assert "Field name is invalid" in error.message


def test_rate_limited_listing_honours_retry_after(home: Home, mocked: Any, user_adc: Path) -> None:
    refresh_ok(mocked)
    mocked.get(TS_URL, status=429, headers={"Retry-After": "120"}, json={})
    error = failed(user_ctx(home))
    assert (error.category, error.exit_code, error.retry_after) == (
        ErrorCategory.RATE_LIMITED,
        3,
        120.0,
    )


@pytest.mark.parametrize(
    "answer, category",
    [
        ({"status": 500, "json": {}}, ErrorCategory.PROVIDER),
        (
            {"status": 200, "body": "<html></html>", "content_type": "text/html"},
            ErrorCategory.PARSE,
        ),
        ({"status": 200, "body": "{broken"}, ErrorCategory.PARSE),
        ({"status": 200, "json": [1, 2]}, ErrorCategory.PARSE),
        ({"status": 200, "json": {"timeSeries": "x"}}, ErrorCategory.PARSE),
        ({"body": requests.ConnectionError("refused")}, ErrorCategory.NETWORK),
    ],
)
def test_other_listing_failures_are_classified(
    home: Home, mocked: Any, user_adc: Path, answer: Dict[str, Any], category: ErrorCategory
) -> None:
    refresh_ok(mocked)
    mocked.get(TS_URL, **answer)
    assert failed(user_ctx(home)).category is category


def test_a_failure_on_the_second_page_fails_the_run(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    monitoring = FakeMonitoring(
        mocked,
        usage=[load_fixture("vertexai/timeseries-net-usage-page1.json"), {"timeSeries": "x"}],
    )
    assert failed(user_ctx(home)).category is ErrorCategory.PARSE
    assert len(monitoring.requests) == 2


def test_no_use_is_a_success_without_periods_and_no_limits_listing(
    home: Home, mocked: Any, user_adc: Path
) -> None:
    refresh_ok(mocked)
    monitoring = FakeMonitoring(mocked, usage=[load_fixture("vertexai/timeseries-empty.json")])
    result = run(user_ctx(home))
    assert result.snapshot is not None and result.snapshot.periods == ()
    assert result.snapshot.notes == (
        "No Vertex AI quota use in the last 24 h "
        "(models on Dynamic Shared Quota have no per-project quota)",
    )
    assert monitoring.metrics() == [(USAGE_METRIC, None)]


def test_pages_stop_at_fifty_with_a_note(home: Home, mocked: Any, user_adc: Path) -> None:
    refresh_ok(mocked)
    endless = dict(load_fixture("vertexai/timeseries-net-usage-page2.json"), nextPageToken="again")
    mocked.get(TS_URL, json=endless)
    result = run(user_ctx(home))
    assert result.snapshot is not None
    usage_calls = [c for c in mocked.calls if "net_usage" in c.request.url]
    assert len(usage_calls) == 50
    assert any("more than 50 pages of quota usage data" in n for n in result.snapshot.notes)


def test_the_project_id_is_quoted_into_the_path(home: Home, mocked: Any) -> None:
    write_user_adc(home)
    refresh_ok(mocked)
    url = "https://monitoring.googleapis.com/v3/projects/example.com:odd%2Fname/timeSeries"
    FakeMonitoring(mocked, url=url)
    result = run(user_ctx(home, environ={"GOOGLE_CLOUD_PROJECT": "example.com:odd/name"}))
    assert result.snapshot is not None, result.error
