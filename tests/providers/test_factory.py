"""Factory provider: billing-limit and legacy parsers on real payloads, API-key sources and their
order, the region chosen by whoami, every error of the provider doc, and the command line."""

import json
import os
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict

import pytest
import requests
from responses import matchers

from tests.conftest import SNAPSHOT_KEYS, load_fixture, make_ctx
from vibeusage.credentials import CredentialStore
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.http import make_session
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity
from vibeusage.paths import resolve_paths
from vibeusage.providers import factory
from vibeusage.providers.base import FetchContext
from vibeusage.providers.factory.api import Credential, base_url
from vibeusage.providers.factory.api_key import FactoryApiKey
from vibeusage.providers.factory.keys import (
    ApiKey,
    clean,
    find_key,
    key_problem,
    read_dotenv,
    validate_key,
)
from vibeusage.providers.factory.usage import (
    Whoami,
    parse_billing_limits,
    parse_identity,
    parse_legacy_usage,
    parse_whoami,
    pool_utilization,
    uses_token_rate_billing,
    window_end,
    window_period,
)

UTC = timezone.utc
#: When billing-limits-live-0189.json was captured (provider doc §5.2).
NOW_0189 = datetime(2026, 8, 7, 17, 0, tzinfo=UTC)
NOW_0203 = datetime(2026, 8, 25, 20, 30, tzinfo=UTC)
NOW = NOW_0189
KEY = "fk-TESTtestTESTtestTESTtest0123456789"
OTHER_KEY = "fk-OTHERotherOTHERotherOTHER987654321"
US = "https://api.factory.ai"
EU = "https://api.eu.factory.ai"
WHOAMI = f"{US}/api/cli/whoami"
LIMITS = f"{US}/api/billing/limits"
ME = f"{US}/api/app/auth/me"
LEGACY = f"{US}/api/organization/subscription/usage"
EU_LIMITS = f"{EU}/api/billing/limits"
EU_ME = f"{EU}/api/app/auth/me"
STATUS_URL = "https://status.factory.ai/api/v2/status.json"


def fixture(name: str) -> Any:
    return load_fixture(f"factory/{name}")


def rows(snapshot):
    return [(p.name, p.utilization, p.period_type, p.resets_at, p.model) for p in snapshot.periods]


def iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def assert_no_key(*texts: str) -> None:
    for text in texts:
        for secret in (KEY, OTHER_KEY, KEY[3:30], OTHER_KEY[3:30]):
            assert secret not in text


@pytest.fixture
def ctx(home) -> FetchContext:
    environ = dict(os.environ, FACTORY_API_KEY=KEY)
    return make_ctx("factory", home.root, environ, clock=lambda: NOW)


def healthy(mocked, limits: str = "billing-limits-live-0189.json", base: str = US) -> None:
    mocked.get(WHOAMI, json=fixture("whoami-eu.json" if base == EU else "whoami-us.json"))
    mocked.get(f"{base}/api/billing/limits", json=fixture(limits))
    mocked.get(f"{base}/api/app/auth/me", json=fixture("auth-me.json"))


# --- billing limits --------------------------------------------------------------------------


def test_live_0189_capture_keeps_the_lapsed_session_marked_reset_and_hides_the_unused_core():
    snapshot = parse_billing_limits(fixture("billing-limits-live-0189.json"), NOW_0189)
    assert snapshot.provider == "factory"
    assert snapshot.periods[0].reset_elapsed(NOW_0189)
    assert snapshot.periods[0].as_of(NOW_0189).utilization == 0
    assert rows(snapshot) == [
        ("Session (5h)", 10, PeriodType.SESSION, iso("2026-08-07T07:04:42.775Z"), None),
        ("Weekly", 4, PeriodType.WEEKLY, iso("2026-08-14T02:04:42.775Z"), None),
        ("Monthly", 1, PeriodType.MONTHLY, iso("2026-09-06T02:04:42.775Z"), None),
    ]
    # extraUsageAllowed with a zero balance: the balance is shown, in dollars.
    assert snapshot.overage == OverageUsage(None, None, "USD", True, Decimal("0.00"))
    assert snapshot.notes == (
        "droidCore: Droid Core models take over when the standard pool is spent",
    )


def test_0203_capture_keeps_lapsed_core_windows_marked_reset_and_the_live_one():
    snapshot = parse_billing_limits(fixture("billing-limits-lapsed-core-0203.json"), NOW_0203)
    assert [p.name for p in snapshot.periods if p.reset_elapsed(NOW_0203)] == [
        "Core 5h",
        "Core weekly",
    ]
    assert rows(snapshot) == [
        ("Session (5h)", 85, PeriodType.SESSION, iso("2026-08-25T23:28:38.072Z"), None),
        ("Core 5h", 100, PeriodType.SESSION, iso("2026-08-14T05:41:54.205Z"), "core"),
        ("Weekly", 29, PeriodType.WEEKLY, iso("2026-09-01T18:28:38.072Z"), None),
        ("Core weekly", 100, PeriodType.WEEKLY, iso("2026-08-15T02:53:13.005Z"), "core"),
        ("Monthly", 40, PeriodType.MONTHLY, iso("2026-09-06T02:04:42.775Z"), None),
        ("Core monthly", 38, PeriodType.MONTHLY, iso("2026-09-07T02:53:13.005Z"), "core"),
    ]
    assert snapshot.overage is None and snapshot.notes == ()


def test_seconds_only_windows_reset_now_plus_seconds_remaining():
    snapshot = parse_billing_limits(fixture("billing-limits-seconds-only.json"), NOW)
    assert rows(snapshot) == [
        ("Session (5h)", 12, PeriodType.SESSION, NOW + timedelta(seconds=3600), None),
        ("Weekly", 34, PeriodType.WEEKLY, NOW + timedelta(days=1), None),
        ("Monthly", 56, PeriodType.MONTHLY, NOW + timedelta(days=7), None),
    ]
    assert snapshot.overage is None  # not allowed and no balance


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-08-14T02:04:42.775Z", datetime(2026, 8, 14, 2, 4, 42, 775000, tzinfo=UTC)),
        (1786673082, datetime(2026, 8, 14, 2, 4, 42, tzinfo=UTC)),
        (1786673082775, datetime(2026, 8, 14, 2, 4, 42, 775000, tzinfo=UTC)),
        ("1786673082", datetime(2026, 8, 14, 2, 4, 42, tzinfo=UTC)),
        ("1786673082775", datetime(2026, 8, 14, 2, 4, 42, 775000, tzinfo=UTC)),
        (None, None),
        ("soon", None),
        (True, None),
        (-5, None),
    ],
)
def test_window_end_in_each_of_its_forms(value, expected):
    assert window_end(value) == expected


def test_future_window_end_is_the_reset_when_seconds_remaining_is_null():
    end = NOW + timedelta(hours=3)
    window = {"usedPercent": 42.9, "windowEnd": end.isoformat(), "secondsRemaining": None}
    period = window_period(window, NOW, "Session (5h)", PeriodType.SESSION, None)
    assert period is not None and (period.utilization, period.resets_at) == (42, end)


def test_window_end_wins_over_an_older_countdown_but_a_countdown_alone_is_used():
    end = NOW + timedelta(hours=3)
    both = {"usedPercent": 5, "windowEnd": end.isoformat(), "secondsRemaining": 10000}
    alone = {"usedPercent": 5, "secondsRemaining": "120"}
    assert window_period(both, NOW, "W", PeriodType.WEEKLY, None).resets_at == end
    assert window_period(alone, NOW, "W", PeriodType.WEEKLY, None).resets_at == NOW + timedelta(
        seconds=120
    )


def test_past_end_with_a_positive_countdown_is_not_lapsed():
    window = {"usedPercent": 70, "windowEnd": "2026-08-07T16:59:00Z", "secondsRemaining": 60}
    period = window_period(window, NOW, "W", PeriodType.SESSION, None)
    assert (period.utilization, period.resets_at) == (70, NOW + timedelta(seconds=60))


def test_full_lapsed_window_counts_as_0_not_100():
    window = {"usedPercent": 100, "windowEnd": 1786000000, "secondsRemaining": None}
    period = window_period(window, NOW, "W", PeriodType.WEEKLY, "core")
    assert (period.utilization, period.model) == (100, "core")
    assert period.reset_elapsed(NOW) and period.as_of(NOW).utilization == 0


def test_missing_null_and_percentless_windows_are_skipped_and_unreadable_percent_noted():
    payload = {
        "limits": {
            "standard": {
                "fiveHour": None,
                "weekly": {"windowEnd": None},
                "monthly": {"usedPercent": 3.7, "secondsRemaining": 50},
            },
            "core": {"fiveHour": {"usedPercent": "lots", "secondsRemaining": 10}},
        },
        "extraUsageBalanceCents": "2575",
        "overagePreference": "extraUsage",
    }
    snapshot = parse_billing_limits(payload, NOW)
    assert [(p.name, p.utilization) for p in snapshot.periods] == [("Monthly", 3)]
    assert snapshot.overage == OverageUsage(None, None, "USD", False, Decimal("25.75"))
    assert snapshot.notes == (
        "Core 5h: the percent used could not be read",
        "extraUsage: the extra-usage balance is charged",
    )


@pytest.mark.parametrize(
    "extra, overage, note",
    [
        ({"extraUsageBalanceCents": 2575, "extraUsageAllowed": True}, Decimal("25.75"), None),
        ({"extraUsageBalanceCents": 0, "extraUsageAllowed": False}, None, None),
        ({"extraUsageAllowed": False}, None, None),
        ({"extraUsageBalanceCents": "many"}, None, "extra usage: the balance could not be read"),
        ({"extraUsageBalanceCents": 10**30}, None, "extra usage: the balance could not be read"),
        ({"extraUsageAllowed": True}, None, "extra usage: allowed, but no balance was reported"),
    ],
)
def test_extra_usage_balance_is_cents_turned_into_dollars(extra, overage, note):
    payload: Dict[str, Any] = {"limits": {"standard": {"weekly": {"usedPercent": 1}}}, **extra}
    snapshot = parse_billing_limits(payload, NOW)
    assert (snapshot.overage.balance if snapshot.overage else None) == overage
    assert snapshot.notes == ((note,) if note else ())


@pytest.mark.parametrize(
    "payload",
    [None, [], "limits", {"limits": {}}, {"limits": {"standard": {"weekly": None}}}],
)
def test_answers_without_any_window_are_parse_errors(payload):
    with pytest.raises(VibeusageError) as caught:
        parse_billing_limits(payload, NOW)
    assert caught.value.category is ErrorCategory.PARSE
    assert "unexpected format" in caught.value.message


def test_token_rate_billing_off_or_no_limits_means_legacy():
    assert uses_token_rate_billing(fixture("billing-limits-no-token-billing.json")) is False
    assert uses_token_rate_billing({"usesTokenRateLimitsBilling": True}) is False
    assert uses_token_rate_billing(fixture("billing-limits-lapsed-core-0203.json")) is True
    with pytest.raises(VibeusageError) as caught:
        uses_token_rate_billing(["not", "an", "object"])
    assert caught.value.category is ErrorCategory.PARSE


# --- the legacy allowance ----------------------------------------------------------------------


def test_legacy_codexbar_fixture_reads_the_ratio_as_a_fraction():
    snapshot = parse_legacy_usage(fixture("subscription-usage-legacy-cb.json"), NOW)
    reset = datetime.fromtimestamp(1700003600, UTC)
    assert rows(snapshot) == [
        ("Standard tokens", 10, PeriodType.MONTHLY, reset, None),
        ("Premium tokens", 10, PeriodType.MONTHLY, reset, "premium"),
    ]


def test_legacy_live_pro_body_has_standard_only_when_premium_has_no_allowance():
    snapshot = parse_legacy_usage(fixture("subscription-usage-legacy-live.json"), NOW)
    assert rows(snapshot) == [
        ("Standard tokens", 0, PeriodType.MONTHLY, datetime.fromtimestamp(1772956800, UTC), None)
    ]


@pytest.mark.parametrize(
    "pool, expected",
    [
        ({"usedRatio": 0.42, "totalAllowance": 100}, (42, False)),
        ({"usedRatio": 0, "userTokens": 250, "totalAllowance": 1000}, (25, False)),
        ({"usedRatio": 42, "userTokens": 10}, (42, False)),
        ({"usedRatio": 1.5, "userTokens": 300, "totalAllowance": 1000}, (30, False)),
        ({"userTokens": 500, "totalAllowance": "1000"}, (50, False)),
        ({"userTokens": 5, "totalAllowance": 10**13}, (None, True)),
        ({"usedRatio": "x"}, (None, False)),
    ],
)
def test_legacy_pool_utilization_rules(pool, expected):
    assert pool_utilization(pool) == expected


def test_ui_style_legacy_body_maps_windows_by_name_with_mixed_units():
    payload = {
        "usage": {
            "standardUsage": {
                "fiveHour": {"usedPercent": 12.5, "startDate": 0, "endDate": 1786673082775},
                "weekly": {"usedRatio": 0.3, "endDate": 1787000000000},
                "monthly": {"endDate": 1788000000000},
            },
            "extraUsage": {"remainingUsd": "4.5"},
            "droidCore": {"enabled": True},
        }
    }
    snapshot = parse_legacy_usage(payload, NOW)
    assert [(p.name, p.utilization, p.period_type) for p in snapshot.periods] == [
        ("Session (5h)", 12, PeriodType.SESSION),
        ("Weekly", 30, PeriodType.WEEKLY),
    ]
    assert snapshot.periods[0].resets_at == datetime(2026, 8, 14, 2, 4, 42, 775000, tzinfo=UTC)
    assert snapshot.overage.balance == Decimal("4.5")


def test_unlimited_legacy_allowance_is_a_note_not_a_period():
    payload = {"usage": {"standard": {"userTokens": 1, "totalAllowance": 10**15}}}
    snapshot = parse_legacy_usage(payload, NOW)
    assert snapshot.periods == () and snapshot.notes == ("Standard tokens: unlimited",)


@pytest.mark.parametrize("payload", [None, {}, {"usage": None}, {"usage": {}}])
def test_legacy_without_usage_is_a_parse_error(payload):
    with pytest.raises(VibeusageError) as caught:
        parse_legacy_usage(payload, NOW)
    assert caught.value.category is ErrorCategory.PARSE


# --- whoami and identity ----------------------------------------------------------------------


def test_whoami_fixtures_give_region_and_ids():
    assert parse_whoami(fixture("whoami-eu.json")) == Whoami(
        "user_01J9EUQ6W4R2T9YB5N7C1XDEFG", "org_01J9EUQ6W4R2T9YB5N7C1XGHIJ", "eu", False
    )
    assert parse_whoami(fixture("whoami-us.json")).region == "us"
    assert parse_whoami({"region": "EU ", "isOnPrem": True}) == Whoami(None, None, "eu", True)
    assert parse_whoami("eu") is None


def test_region_eu_is_the_eu_host_and_anything_else_the_us_host():
    assert base_url(Whoami(region="eu")) == EU
    for whoami in (Whoami(region="us"), Whoami(region="apac"), Whoami(), None):
        assert base_url(whoami) == US


def test_identity_from_auth_me_and_tier_fallback():
    assert parse_identity(fixture("auth-me.json")) == ProviderIdentity(None, "Acme", "Team")
    body = {
        "organization": {"name": "Beta", "subscription": {"factoryTier": "enterprise"}},
        "userProfile": {"id": "u1", "email": "dev@example.com"},
    }
    assert parse_identity(body) == ProviderIdentity("dev@example.com", "Beta", "Enterprise")
    assert parse_identity({"featureFlags": {}}) is None
    assert parse_identity(None) is None


# --- API keys: sources, order, format --------------------------------------------------------


def write_dotenv(home, text: str) -> None:
    path = home.root / ".factory" / ".env"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_dotenv_fixture_gives_its_key(tmp_path):
    path = tmp_path / ".env"
    path.write_bytes((load_fixture_text("dotenv.txt")).encode())
    assert read_dotenv(path) == "fk-EXAMPLEexampleEXAMPLEexample0001"


def load_fixture_text(name: str) -> str:
    from tests.conftest import FIXTURES

    return (FIXTURES / "factory" / name).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "text, key",
    [
        ("FACTORY_API_KEY=fk-plain\n", "fk-plain"),
        ("  export FACTORY_API_KEY = 'fk-single'  \n", "fk-single"),
        ('# FACTORY_API_KEY=fk-comment\nFACTORY_API_KEY="fk-second"\n', "fk-second"),
        ("FACTORY_API_KEY=\nFACTORY_API_KEY=fk-after-blank\n", "fk-after-blank"),
        ("OTHER=1\nFACTORY_API_KEYS=fk-no\n", None),
        ("", None),
    ],
)
def test_dotenv_lines(tmp_path, text, key):
    path = tmp_path / ".env"
    path.write_text(text, encoding="utf-8")
    assert read_dotenv(path) == key


def test_key_order_is_environment_then_stored_then_dotenv(home):
    environ = dict(os.environ)
    write_dotenv(home, f"FACTORY_API_KEY={OTHER_KEY}\n")
    ctx = make_ctx("factory", home.root, environ)
    assert find_key(ctx) == ApiKey(OTHER_KEY, "~/.factory/.env")
    CredentialStore(resolve_paths(environ)).write("factory", "api_key", f'  "{KEY}" ')
    assert find_key(ctx) == ApiKey(KEY, "the stored key")
    environ["FACTORY_API_KEY"] = f"  '{OTHER_KEY}'\n"
    assert find_key(make_ctx("factory", home.root, environ)) == ApiKey(OTHER_KEY, "FACTORY_API_KEY")
    environ["FACTORY_API_KEY"] = "   "  # blank: the next source
    assert find_key(make_ctx("factory", home.root, environ)).source == "the stored key"


def test_no_key_anywhere_is_not_available_and_makes_no_request(home, mocked):
    ctx = make_ctx("factory", home.root, dict(os.environ))
    strategy = FactoryApiKey()
    assert strategy.available(ctx) is False
    assert "none in FACTORY_API_KEY" in strategy.explain(ctx)
    assert len(mocked.calls) == 0


def test_api_key_repr_masks_the_key():
    text = repr(ApiKey(KEY, "FACTORY_API_KEY")) + repr(Credential(KEY, "api_key", "x"))
    assert_no_key(text)
    assert "FACTORY_API_KEY" in text


@pytest.mark.parametrize(
    "value, problem",
    [
        (KEY, None),
        (f"  {KEY}\n", None),
        (f'"{KEY}"', None),
        (f"Bearer {KEY}", "paste only the key"),
        ("sk-ant-oat01-0123456789012345678901234", "starts with `fk-`"),
        ("fk-short", "truncated"),
        ("fk-has space in the middle of it", "truncated or contains spaces"),
    ],
)
def test_key_format_check(value, problem):
    result = key_problem(value)
    assert (result is None) if problem is None else (problem in result)


def test_clean_strips_one_pair_of_quotes_only():
    assert clean(" \"'fk-x'\" ") == "'fk-x'"


def test_validate_key_asks_whoami_once(mocked):
    mocked.get(
        WHOAMI,
        json=fixture("whoami-us.json"),
        match=[matchers.header_matcher({"Authorization": f"Bearer {KEY}"})],
    )
    assert validate_key(make_session(5.0), KEY) is None
    assert len(mocked.calls) == 1


@pytest.mark.parametrize("status", [400, 401, 403])
def test_validate_key_reports_a_rejection(mocked, status):
    mocked.get(WHOAMI, status=status)
    reason = validate_key(make_session(5.0), KEY)
    assert reason == f"Factory rejected this key (HTTP {status})"


# --- the api_key strategy --------------------------------------------------------------------


def test_fetch_sends_the_key_and_no_client_header_and_maps_everything(ctx, mocked):
    healthy(mocked)
    result = FactoryApiKey().fetch(ctx)
    assert result.success, result.error
    snapshot = result.snapshot
    assert snapshot.source == "api_key"
    assert [p.name for p in snapshot.periods] == ["Session (5h)", "Weekly", "Monthly"]
    assert snapshot.identity == ProviderIdentity(None, "Acme", "Team")
    whoami, limits, me = mocked.calls
    assert whoami.request.headers["X-Factory-Whoami-Extended"] == "true"
    for call in mocked.calls:
        assert call.request.headers["Authorization"] == f"Bearer {KEY}"
        assert call.request.headers["Accept"] == "application/json"
        assert "X-Factory-Client" not in call.request.headers
        assert "X-Factory-Org-Id" not in call.request.headers


def test_eu_organisation_is_asked_on_the_eu_host(ctx, mocked):
    healthy(mocked, base=EU)
    result = FactoryApiKey().fetch(ctx)
    assert result.success, result.error
    assert [c.request.url for c in mocked.calls] == [WHOAMI, EU_LIMITS, EU_ME]


def test_whoami_is_cached_a_day_per_key(ctx, mocked, home):
    healthy(mocked, base=EU)
    assert FactoryApiKey().fetch(ctx).success
    assert FactoryApiKey().fetch(ctx).success
    urls = [c.request.url for c in mocked.calls]
    assert urls.count(WHOAMI) == 1 and urls.count(EU_LIMITS) == 2
    later = make_ctx("factory", home.root, ctx.environ, clock=lambda: NOW + timedelta(hours=25))
    assert FactoryApiKey().fetch(later).success
    assert [c.request.url for c in mocked.calls].count(WHOAMI) == 2
    other = dict(ctx.environ, FACTORY_API_KEY=OTHER_KEY)
    assert FactoryApiKey().fetch(make_ctx("factory", home.root, other, clock=lambda: NOW)).success
    assert [c.request.url for c in mocked.calls].count(WHOAMI) == 3
    for path in home.cache_dir.rglob("*"):
        if path.is_file():
            assert_no_key(path.read_text(encoding="utf-8", errors="replace"))


@pytest.mark.parametrize(
    "whoami",
    [
        {"status": 404},
        {"status": 500},
        {"status": 429},
        {"body": "<html>", "content_type": "text/html"},
        {"body": requests.ConnectionError("refused")},
    ],
)
def test_whoami_failures_other_than_rejection_fall_back_to_the_us_host(ctx, mocked, whoami):
    mocked.get(WHOAMI, **whoami)
    mocked.get(LIMITS, json=fixture("billing-limits-seconds-only.json"))
    mocked.get(ME, status=404)
    result = FactoryApiKey().fetch(ctx)
    assert result.success, result.error
    assert result.snapshot.identity is None  # auth/me failed: nothing made up
    assert not list(ctx.state.cache_dir.glob("whoami.json"))  # a failure is not cached


@pytest.mark.parametrize("status", [400, 401, 403])
@pytest.mark.parametrize(
    "source, label",
    [("env", "FACTORY_API_KEY"), ("stored", "the stored key"), ("dotenv", "~/.factory/.env")],
)
def test_whoami_rejection_is_an_authentication_error_naming_the_source(
    home, mocked, status, source, label
):
    environ = dict(os.environ)
    if source == "env":
        environ["FACTORY_API_KEY"] = KEY
    elif source == "stored":
        CredentialStore(resolve_paths(environ)).write("factory", "api_key", KEY)
    else:
        write_dotenv(home, f"FACTORY_API_KEY={KEY}\n")
    mocked.get(WHOAMI, status=status, json={"error": f"bad key {KEY}"})
    result = FactoryApiKey().fetch(make_ctx("factory", home.root, environ))
    error = result.error
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert error.message == f"Factory rejected the API key from {label} (HTTP {status})"
    assert "https://app.factory.ai/settings/api-keys" in error.remediation
    assert "vibeusage key factory set" in error.remediation
    assert [c.request.url for c in mocked.calls] == [WHOAMI]  # stops there
    assert_no_key(error.message, error.remediation, json.dumps(error.to_dict()))


@pytest.mark.parametrize("status", [401, 403])
def test_billing_rejection_is_an_authentication_error(ctx, mocked, status):
    mocked.get(WHOAMI, json=fixture("whoami-us.json"))
    mocked.get(LIMITS, status=status)
    error = FactoryApiKey().fetch(ctx).error
    assert error.category is ErrorCategory.AUTHENTICATION and error.exit_code == 2
    assert error.message.startswith("Factory rejected the API key from FACTORY_API_KEY")


@pytest.mark.parametrize(
    "answer, category, code",
    [
        ({"status": 429, "headers": {"Retry-After": "90"}}, ErrorCategory.RATE_LIMITED, 3),
        ({"status": 502}, ErrorCategory.PROVIDER, 1),
        ({"status": 404}, ErrorCategory.NOT_FOUND, 1),
        ({"body": "{not json"}, ErrorCategory.PARSE, 1),
        ({"json": {"limits": {"standard": {}}}}, ErrorCategory.PARSE, 1),
    ],
)
def test_billing_failures_get_their_documented_category(ctx, mocked, answer, category, code):
    mocked.get(WHOAMI, json=fixture("whoami-us.json"))
    mocked.get(LIMITS, **answer)
    mocked.get(ME, json=fixture("auth-me.json"))
    error = FactoryApiKey().fetch(ctx).error
    assert (error.category, error.exit_code) == (category, code)
    if category is ErrorCategory.RATE_LIMITED:
        assert error.retry_after == 90


def test_on_prem_organisation_is_a_configuration_error_before_any_usage_request(ctx, mocked):
    mocked.get(WHOAMI, json={"userId": "u", "isOnPrem": True, "premBaseHost": "factory.corp"})
    error = FactoryApiKey().fetch(ctx).error
    assert (error.category, error.exit_code) == (ErrorCategory.CONFIGURATION, 4)
    assert "on-prem" in error.message.lower()
    assert [c.request.url for c in mocked.calls] == [WHOAMI]


def test_legacy_account_asks_the_allowance_by_the_whoami_user(ctx, mocked):
    mocked.get(WHOAMI, json=fixture("whoami-us.json"))
    mocked.get(LIMITS, json=fixture("billing-limits-no-token-billing.json"))
    mocked.get(ME, json=fixture("auth-me.json"))
    mocked.get(
        LEGACY,
        json=fixture("subscription-usage-legacy-live.json"),
        match=[
            matchers.query_param_matcher(
                {"useCache": "true", "userId": "user_01J8ZK3Q6W4R2T9YB5N7C1XDEF"}
            )
        ],
    )
    result = FactoryApiKey().fetch(ctx)
    assert result.success, result.error
    assert [p.name for p in result.snapshot.periods] == ["Standard tokens"]
    assert result.snapshot.identity.organization == "Acme"


def test_legacy_404_is_no_usage_data(ctx, mocked):
    mocked.get(WHOAMI, json=fixture("whoami-us.json"))
    mocked.get(LIMITS, json=fixture("billing-limits-no-token-billing.json"))
    mocked.get(ME, status=500)
    mocked.get(LEGACY, status=404)
    error = FactoryApiKey().fetch(ctx).error
    assert (error.category, error.exit_code) == (ErrorCategory.NOT_FOUND, 1)
    assert error.message == "Factory has no usage data for this organisation"


def test_identity_failure_never_costs_the_usage(ctx, mocked):
    mocked.get(WHOAMI, json=fixture("whoami-us.json"))
    mocked.get(LIMITS, json=fixture("billing-limits-live-0189.json"))
    mocked.get(ME, status=401)
    result = FactoryApiKey().fetch(ctx)
    assert result.success and result.snapshot.identity is None


def test_environment_base_urls_droid_honours_are_ignored(home, mocked):
    environ = dict(
        os.environ,
        FACTORY_API_KEY=KEY,
        FACTORY_API_BASE_URL="http://127.0.0.1:9/",
        FACTORY_API_BASE_URL_EU="http://127.0.0.1:9/",
    )
    healthy(mocked)
    assert FactoryApiKey().fetch(make_ctx("factory", home.root, environ)).success
    assert all(c.request.url.startswith(US) for c in mocked.calls)


# --- the manifest ----------------------------------------------------------------------------


def test_manifest_follows_the_contract():
    provider = factory.PROVIDER
    assert (provider.id, provider.name) == ("factory", "Factory")
    assert provider.strategy_names() == ("api_key", "droid")
    assert provider.env_vars == ("FACTORY_API_KEY", "FACTORY_HOME_OVERRIDE")
    assert provider.secret is not None and provider.secret.name == "api_key"
    assert provider.options == {}
    assert any(__import__("re").fullmatch(p, KEY) for p in provider.token_patterns)


# --- through the command line ----------------------------------------------------------------


@pytest.fixture
def keyed(monkeypatch):
    monkeypatch.setenv("FACTORY_API_KEY", KEY)


def test_factory_json_end_to_end_matches_the_snapshot_contract(cli, home, keyed, mocked):
    healthy(mocked, limits="billing-limits-lapsed-core-0203.json", base=EU)
    result = cli("factory", "--json", clock=lambda: NOW_0203)
    assert result.code == 0, result.err
    snapshot = result.json()
    assert list(snapshot) == SNAPSHOT_KEYS
    assert (snapshot["provider"], snapshot["source"]) == ("factory", "api_key")
    assert snapshot["periods"][0] == {
        "name": "Session (5h)", "utilization": 85, "remaining": 15, "period_type": "session",
        "resets_at": "2026-08-25T23:28:38.072000+00:00", "model": None,
        "pace_ratio": snapshot["periods"][0]["pace_ratio"],
        "reset_elapsed": snapshot["periods"][0]["reset_elapsed"],
            "pace": snapshot["periods"][0]["pace"],
    }  # fmt: skip
    core = [p for p in snapshot["periods"] if p["model"] == "core"]
    assert [(p["name"], p["utilization"], p["reset_elapsed"]) for p in core] == [
        ("Core 5h", 100, True),
        ("Core weekly", 100, True),
        ("Core monthly", 38, False),
    ]
    assert snapshot["identity"] == {
        "email": None,
        "organization": "Acme",
        "plan": "Team",
        "login": None,
    }
    assert [c.request.url for c in mocked.calls] == [WHOAMI, EU_LIMITS, EU_ME]
    assert_no_key(result.out, result.err)


def test_factory_table_shows_windows_and_the_extra_usage_balance(cli, home, keyed, mocked):
    payload = fixture("billing-limits-live-0189.json")
    payload["extraUsageBalanceCents"] = 2575
    mocked.get(WHOAMI, json=fixture("whoami-us.json"))
    mocked.get(LIMITS, json=payload)
    mocked.get(ME, json=fixture("auth-me.json"))
    result = cli("factory", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert "Factory" in result.out
    for text in ("Session (5h)", "Weekly", "Monthly", "25.75"):
        assert text in result.out
    assert_no_key(result.out, result.err)


def test_rejected_key_exits_2_from_outside_and_never_prints_it(cli, home, keyed, mocked):
    mocked.get(WHOAMI, status=401, body=f"invalid key {KEY}")
    for args in (("factory", "--json"), ("factory",), ("factory", "--verbose", "--debug")):
        result = cli(*args, "--refresh", clock=lambda: NOW)
        assert result.code == 2
        assert "Factory rejected the API key from FACTORY_API_KEY" in result.out + result.err
        assert_no_key(result.out, result.err)


def test_rate_limited_billing_exits_3(cli, home, keyed, mocked):
    mocked.get(WHOAMI, json=fixture("whoami-us.json"))
    mocked.get(LIMITS, status=429, headers={"Retry-After": "120"})
    result = cli("factory", "--json", clock=lambda: NOW)
    assert result.code == 3
    assert result.json()["error"]["category"] == "rate_limited"


def test_key_factory_set_checks_the_format_and_stores_privately(cli, home):
    refused = cli("key", "factory", "set", f"Bearer {KEY}")
    assert refused.code == 4 and "paste only the key" in refused.err
    result = cli("key", "factory", "set", stdin=KEY + "\n")
    assert result.code == 0, result.err
    path = home.config_dir / "credentials" / "factory" / "api_key.json"
    assert json.loads(path.read_text(encoding="utf-8"))["value"] == KEY
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert_no_key(refused.out, refused.err, result.out, result.err)


def test_auth_factory_validates_a_piped_key_with_whoami(cli, home, mocked):
    mocked.get(WHOAMI, status=401)
    rejected = cli("auth", "factory", stdin=KEY)
    assert rejected.code == 2 and "rejected" in rejected.err
    path = home.config_dir / "credentials" / "factory" / "api_key.json"
    assert not path.exists()
    mocked.replace("GET", WHOAMI, json=fixture("whoami-us.json"))
    stored = cli("auth", "factory", stdin=KEY)
    assert stored.code == 0, stored.err
    assert path.exists()
    assert_no_key(rejected.out, rejected.err, stored.out, stored.err)


def test_doctor_and_auth_explain_the_key_source_without_the_key(cli, home, keyed):
    overview = cli("auth", "--json")
    entry = overview.json()["factory"]
    assert entry["connected"] is True
    assert any("from FACTORY_API_KEY" in detail for detail in entry["details"])
    doctor = cli("doctor")
    assert "factory" in doctor.out.lower()
    assert_no_key(overview.out, overview.err, doctor.out, doctor.err)


def test_help_lists_factory_without_loading_strategy_code(cli, home):
    import sys

    for name in [m for m in sys.modules if m.startswith("vibeusage.providers.factory.")]:
        del sys.modules[name]
    result = cli("--help")
    assert result.code == 0 and "factory" in result.out
    assert "vibeusage.providers.factory.api" not in sys.modules
