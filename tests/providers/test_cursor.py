"""Cursor provider: usage-summary parsers, the session value, the web strategy and the CLI."""

import base64
import copy
import json
import math
import os
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Dict, Optional

import pytest
import requests

from tests.conftest import SNAPSHOT_KEYS, load_fixture, make_ctx
from vibeusage.credentials import CredentialStore
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.http import make_session
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity
from vibeusage.paths import resolve_paths
from vibeusage.providers import claude, cursor
from vibeusage.providers.base import FetchContext
from vibeusage.providers.cursor import session as cursor_session
from vibeusage.providers.cursor.session import jwt_claims, session_value_problem, user_id_from_sub
from vibeusage.providers.cursor.usage import (
    parse_cycle_end,
    parse_identity,
    parse_usage_summary,
    plan_name,
)
from vibeusage.providers.cursor.web import ME_URL, USAGE_URL, CursorWeb, validate_session

UTC = timezone.utc
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CYCLE_END = datetime(2026, 3, 14, 21, 47, 25, 853000, tzinfo=UTC)
STATUS_URL = "https://status.cursor.com/api/v2/status.json"
#: The signature part of every test JWT: it must never show up in any output.
SIGNATURE = "c2lnbmF0dXJlTmV2ZXJTaG93bkFueXdoZXJlSW5PdXRwdXQ"


def make_jwt(sub: str = "auth0|user_01JTESTUSER", exp: Optional[datetime] = None) -> str:
    """An unsigned-looking JWT with the given ``sub`` and ``exp`` (default: in 30 days)."""

    def part(data: Dict[str, Any]) -> str:
        raw = base64.urlsafe_b64encode(json.dumps(data).encode()).decode()
        return raw.rstrip("=")

    expires = exp or NOW + timedelta(days=30)
    claims = {
        "sub": sub,
        "exp": int(expires.timestamp()),
        "iss": "https://authentication.cursor.sh",
    }
    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part(claims)}.{SIGNATURE}"


JWT = make_jwt()
SESSION = f"user_01JTESTUSER%3A%3A{JWT}"


def fixture(name: str) -> Any:
    return load_fixture(f"cursor/{name}")


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        assert SIGNATURE not in text
        assert JWT not in text
        assert SESSION not in text


def rows(snapshot):
    return [(p.name, p.utilization, p.period_type, p.resets_at) for p in snapshot.periods]


@pytest.fixture
def ctx(home) -> FetchContext:
    environ = dict(os.environ)
    return make_ctx("cursor", home.root, environ, clock=lambda: NOW)


@pytest.fixture
def stored(ctx) -> CredentialStore:
    store = CredentialStore(ctx.paths)
    store.write("cursor", "session", SESSION)
    return store


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setattr(
        "vibeusage.providers.all_providers", lambda: (claude.PROVIDER, cursor.PROVIDER)
    )


# --- usage-summary parser ------------------------------------------------------------------


def test_pro_fixture_maps_plan_percent_team_on_demand_and_overage():
    snapshot = parse_usage_summary(fixture("usage-summary-pro.json"), NOW)
    assert snapshot.provider == "cursor"
    assert rows(snapshot) == [
        ("Monthly", 46, PeriodType.MONTHLY, CYCLE_END),
        ("Team on-demand", 6, PeriodType.MONTHLY, CYCLE_END),
    ]
    assert snapshot.overage == OverageUsage(Decimal("15.00"), Decimal("100.00"), "USD", True)
    assert snapshot.identity == ProviderIdentity(plan="Pro")


def test_free_fixture_shows_zero_percent_and_no_overage():
    snapshot = parse_usage_summary(fixture("usage-summary-free.json"), NOW)
    assert rows(snapshot) == [("Monthly", 0, PeriodType.MONTHLY, CYCLE_END)]
    assert snapshot.overage is None  # on-demand off and nothing spent
    assert snapshot.identity is not None and snapshot.identity.plan == "Free"


def test_free_account_with_null_limits_has_no_made_up_percent():
    payload = fixture("usage-summary-free.json")
    payload["individualUsage"]["plan"] = {
        "enabled": True,
        "used": 0,
        "limit": None,
        "remaining": None,
    }
    payload["teamUsage"] = None
    snapshot = parse_usage_summary(payload, NOW)
    assert snapshot.periods == ()  # unknown is not 0 %
    assert snapshot.overage is None
    assert snapshot.identity == ProviderIdentity(plan="Free")


def test_percent_below_one_is_a_percent_not_a_fraction():
    payload = fixture("usage-summary-pro.json")
    payload["individualUsage"]["plan"].update(used=18, totalPercentUsed=0.36)
    assert rows(parse_usage_summary(payload, NOW))[0][:2] == ("Monthly", 0)
    payload["individualUsage"]["plan"]["totalPercentUsed"] = 1.99
    assert rows(parse_usage_summary(payload, NOW))[0][:2] == ("Monthly", 1)


def test_used_over_limit_when_total_percent_is_missing():
    payload = fixture("usage-summary-pro.json")
    plan = payload["individualUsage"]["plan"]
    for key in ("totalPercentUsed", "autoPercentUsed", "apiPercentUsed"):
        del plan[key]
    plan.update(used=2500, limit=5000)
    assert rows(parse_usage_summary(payload, NOW))[0][:2] == ("Monthly", 50)
    plan.update(used=18, limit=5000)  # 0.36 % of the plan
    assert rows(parse_usage_summary(payload, NOW))[0][:2] == ("Monthly", 0)
    plan.update(used=10, limit=0)  # a zero limit says nothing
    assert [r[0] for r in rows(parse_usage_summary(payload, NOW))] == ["Team on-demand"]


def test_team_pooled_usage_is_an_extra_period_and_uncapped_team_on_demand_is_not():
    payload = fixture("usage-summary-pro.json")
    payload["membershipType"] = "business"
    payload["teamUsage"] = {
        "onDemand": {"enabled": True, "used": 4200, "limit": None, "remaining": None},
        "pooled": {"enabled": True, "used": 12345, "limit": 100000, "remaining": 87655},
    }
    snapshot = parse_usage_summary(payload, NOW)
    assert rows(snapshot) == [
        ("Monthly", 46, PeriodType.MONTHLY, CYCLE_END),
        ("Team pooled", 12, PeriodType.MONTHLY, CYCLE_END),
    ]
    assert snapshot.identity is not None and snapshot.identity.plan == "Business"


def test_on_demand_with_a_null_limit_is_spend_without_a_cap():
    payload = fixture("usage-summary-pro.json")
    payload["individualUsage"]["onDemand"] = {
        "enabled": True,
        "used": 250,
        "limit": None,
        "remaining": None,
    }
    overage = parse_usage_summary(payload, NOW).overage
    assert overage == OverageUsage(Decimal("2.50"), None, "USD", True)
    assert overage is not None and overage.to_dict()["limit"] is None


def test_disabled_on_demand_that_was_spent_still_shows_as_disabled():
    payload = fixture("usage-summary-pro.json")
    payload["individualUsage"]["onDemand"].update(enabled=False, used=99)
    assert parse_usage_summary(payload, NOW).overage == OverageUsage(
        Decimal("0.99"), Decimal("100.00"), "USD", False
    )


@pytest.mark.parametrize(
    "value",
    [
        "2026-03-14T21:47:25.853Z",
        "1773524845853",  # epoch milliseconds as a string
        1773524845853,
        " 1773524845853 ",
    ],
)
def test_billing_cycle_end_as_iso_or_epoch_milliseconds(value):
    assert parse_cycle_end(value) == CYCLE_END
    payload = fixture("usage-summary-pro.json")
    payload["billingCycleEnd"] = value
    assert parse_usage_summary(payload, NOW).periods[0].resets_at == CYCLE_END


def test_epoch_seconds_and_garbage_cycle_ends():
    assert parse_cycle_end(1773524845) == CYCLE_END.replace(microsecond=0)
    for junk in (None, "", "soon", True, -5, [], {}, "9" * 400, float("nan")):
        assert parse_cycle_end(junk) is None


def test_percent_as_a_string_and_out_of_range_values_are_clamped():
    payload = fixture("usage-summary-pro.json")
    payload["individualUsage"]["plan"]["totalPercentUsed"] = "46.44"
    payload["teamUsage"]["onDemand"].update(used=90000, limit=50000)
    assert [r[1] for r in rows(parse_usage_summary(payload, NOW))] == [46, 100]


@pytest.mark.parametrize(
    "membership, plan",
    [
        ("free", "Free"),
        ("pro", "Pro"),
        ("pro_plus", "Pro+"),
        ("ultra", "Ultra"),
        ("free_trial", "Free trial"),
        ("enterprise", "Enterprise"),
        ("team", "Team"),
        ("some_new_tier", "Some New Tier"),
        ("", None),
        (None, None),
        (3, None),
    ],
)
def test_plan_names_from_membership_type(membership, plan):
    assert plan_name(membership) == plan


def test_identity_from_auth_me_fixture():
    assert parse_identity(fixture("auth-me.json")) == ProviderIdentity(email="user@example.com")
    assert parse_identity({"email": None}) == ProviderIdentity()
    assert parse_identity(["not", "an", "object"]) == ProviderIdentity()


@pytest.mark.parametrize("payload", [None, [], "text", 3, {}, {"error": "unauthorized"}])
def test_payloads_that_are_not_a_usage_summary_are_parse_errors(payload):
    with pytest.raises(VibeusageError) as info:
        parse_usage_summary(payload, NOW)
    assert info.value.category is ErrorCategory.PARSE


def _mutations(value: Any, rng: random.Random) -> Any:
    if isinstance(value, dict):
        return {key: _mutations(item, rng) for key, item in value.items() if rng.random() > 0.1}
    junk = [None, "", "x", [], {}, [1], True, -1, 10**400, 1e308, math.nan, math.inf, "46.44"]
    if rng.random() < 0.35:
        return rng.choice(junk)
    return value


def test_any_mangled_summary_gives_a_snapshot_or_a_parse_error():
    base = fixture("usage-summary-pro.json")
    rng = random.Random(6)
    for _ in range(400):
        payload = _mutations(copy.deepcopy(base), rng)
        try:
            snapshot = parse_usage_summary(payload, NOW)
        except VibeusageError as exc:
            assert exc.category is ErrorCategory.PARSE
            continue
        for period in snapshot.periods:
            assert 0 <= period.utilization <= 100
        json.dumps(snapshot.to_dict(NOW))  # always serialisable


# --- the session value ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, problem",
    [
        (SESSION, None),
        (f"user_01JTESTUSER::{JWT}", None),
        (f"  {SESSION}\n", None),
        (f"WorkosCursorSessionToken={SESSION}", "without `WorkosCursorSessionToken=`"),
        (JWT, "<userId>%3A%3A<jwt>"),
        ("user_01JTESTUSER%3A%3A", "<userId>%3A%3A<jwt>"),
        ("user_01JTESTUSER%3A%3AeyJhbGciOi", "not a complete token"),
        (f"user_01 JTESTUSER%3A%3A{JWT}", "spaces"),
    ],
)
def test_session_value_format_check(value, problem):
    result = session_value_problem(value)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result
        assert_no_secret(result)


def test_jwt_sub_names_the_user():
    claims = jwt_claims(JWT)
    assert claims is not None and claims["sub"] == "auth0|user_01JTESTUSER"
    assert user_id_from_sub("auth0|user_XXX") == "user_XXX"
    assert user_id_from_sub("user_XXX") == "user_XXX"
    assert user_id_from_sub(None) is None
    assert jwt_claims("not.a-jwt") is None
    assert jwt_claims("a.b.c") is None


# --- the strategy (stored session) ---------------------------------------------------------


def test_fetch_with_the_stored_session_sends_the_cookie_like_a_browser(ctx, stored, mocked):
    mocked.get(USAGE_URL, json=fixture("usage-summary-pro.json"))
    mocked.get(ME_URL, json=fixture("auth-me.json"))
    result = CursorWeb().fetch(ctx)
    snapshot = result.snapshot
    assert snapshot is not None
    assert snapshot.source == "web:stored"
    assert snapshot.identity == ProviderIdentity(email="user@example.com", plan="Pro")
    assert [p.utilization for p in snapshot.periods] == [46, 6]
    # Usage and account are asked at once: in either order, each exactly once.
    assert sorted(call.request.url for call in mocked.calls) == sorted([USAGE_URL, ME_URL])
    for call in mocked.calls:
        headers = call.request.headers
        assert headers["Cookie"] == f"WorkosCursorSessionToken={SESSION}"
        assert headers["Origin"] == "https://cursor.com"
        assert headers["User-Agent"].startswith("Mozilla/5.0")


def test_a_stored_value_with_a_literal_double_colon_is_sent_url_encoded(ctx, mocked):
    CredentialStore(ctx.paths).write("cursor", "session", f"user_01JTESTUSER::{JWT}")
    mocked.get(USAGE_URL, json=fixture("usage-summary-free.json"))
    mocked.get(ME_URL, json=fixture("auth-me.json"))
    assert CursorWeb().fetch(ctx).snapshot is not None
    assert mocked.calls[0].request.headers["Cookie"] == f"WorkosCursorSessionToken={SESSION}"


def test_identity_failure_does_not_cost_the_usage(ctx, stored, mocked):
    mocked.get(USAGE_URL, json=fixture("usage-summary-pro.json"))
    mocked.get(ME_URL, body=requests.ConnectionError("reset"))
    snapshot = CursorWeb().fetch(ctx).snapshot
    assert snapshot is not None
    assert snapshot.identity == ProviderIdentity(plan="Pro")


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_session_is_expired_with_every_way_to_renew_it(ctx, stored, mocked, status):
    mocked.get(USAGE_URL, status=status)
    result = CursorWeb().fetch(ctx)
    error = result.error
    assert error is not None and error.category is ErrorCategory.AUTHENTICATION
    assert "expired" in error.message and "stored" in error.message
    assert "vibeusage key cursor set" in error.remediation
    assert "Cursor app" in error.remediation and "browser" in error.remediation
    assert_no_secret(error.message, error.remediation, json.dumps(error.to_dict()))


def test_rate_limit_keeps_retry_after_and_does_not_try_other_sessions(ctx, stored, mocked):
    mocked.get(USAGE_URL, status=429, headers={"Retry-After": "120"})
    result = CursorWeb().fetch(ctx)
    assert result.error is not None
    assert result.error.category is ErrorCategory.RATE_LIMITED
    assert result.error.retry_after == 120.0
    assert [call.request.url for call in mocked.calls if ME_URL not in call.request.url] == [
        USAGE_URL
    ]


def test_html_instead_of_json_is_a_parse_error(ctx, stored, mocked):
    mocked.get(USAGE_URL, body="<html>sign in</html>", content_type="text/html")
    with pytest.raises(VibeusageError) as info:
        CursorWeb().run(ctx)
    assert info.value.category is ErrorCategory.PARSE
    assert "HTML" in info.value.message


def test_no_session_anywhere_is_not_available_and_explained(ctx):
    strategy = CursorWeb()
    assert not strategy.available(ctx)
    text = strategy.explain(ctx)
    assert "no Cursor session found" in text and "vibeusage key cursor set" in text
    result = strategy.fetch(ctx)
    assert result.error is not None
    assert result.error.category is ErrorCategory.AUTHENTICATION


def test_explain_names_the_stored_source_but_not_the_secret(ctx, stored):
    text = CursorWeb().explain(ctx)
    assert text.startswith("session from stored")
    assert str(stored.path("cursor", "session")) in text
    assert_no_secret(text)


def test_session_cookie_repr_hides_the_value():
    cookie = cursor_session.SessionCookie("stored", "WorkosCursorSessionToken", SESSION, "here")
    assert SIGNATURE not in repr(cookie)


# --- validation (auth / key set) -----------------------------------------------------------


def test_validate_makes_one_request_to_auth_me(mocked):
    mocked.get(ME_URL, json=fixture("auth-me.json"))
    assert validate_session(make_session(5.0), SESSION) is None
    assert len(mocked.calls) == 1
    assert mocked.calls[0].request.headers["Cookie"] == f"WorkosCursorSessionToken={SESSION}"


@pytest.mark.parametrize(
    "kwargs, reason",
    [
        ({"status": 401}, "rejected"),
        ({"status": 500}, "HTTP 500"),
        ({"json": {}}, "did not recognise"),
        ({"body": "<html></html>"}, "something other than an account"),
    ],
)
def test_validate_says_why_a_session_does_not_work(mocked, kwargs, reason):
    mocked.get(ME_URL, **kwargs)
    result = validate_session(make_session(5.0), SESSION)
    assert result is not None and reason in result
    assert_no_secret(result)


def test_validate_unreachable_is_a_network_error_not_a_reason(mocked):
    mocked.get(ME_URL, body=requests.ConnectionError("down"))
    with pytest.raises(VibeusageError) as caught:
        validate_session(make_session(5.0), SESSION)
    assert caught.value.category is ErrorCategory.NETWORK
    assert "cursor.com" in caught.value.message


# --- through the command line ----------------------------------------------------------------


def test_cursor_json_end_to_end_matches_the_snapshot_contract(cli, home, registered, mocked):
    CredentialStore(resolve_paths(os.environ)).write("cursor", "session", SESSION)
    mocked.get(USAGE_URL, json=fixture("usage-summary-pro.json"))
    mocked.get(ME_URL, json=fixture("auth-me.json"))
    result = cli("cursor", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    snapshot = json.loads(result.out)
    assert list(snapshot) == SNAPSHOT_KEYS
    assert snapshot["provider"] == "cursor"
    assert snapshot["source"] == "web:stored"
    assert snapshot["periods"][0] == {
        "name": "Monthly", "utilization": 46, "remaining": 54, "period_type": "monthly",
        "resets_at": "2026-03-14T21:47:25.853000+00:00", "model": None, "pace_ratio": 0.83,
        "reset_elapsed": False, "pace": snapshot["periods"][0]["pace"],
    }  # fmt: skip
    assert snapshot["periods"][1]["name"] == "Team on-demand"
    assert snapshot["overage"] == {
        "used": "15.00", "limit": "100.00", "currency": "USD", "is_enabled": True,
        "balance": None,
        "unlimited": False,
    }  # fmt: skip
    assert snapshot["identity"] == {
        "email": "user@example.com",
        "organization": None,
        "plan": "Pro",
        "login": None,
    }
    assert_no_secret(result.out, result.err)


def test_cursor_verbose_text_shows_plan_account_and_status(cli, home, registered, mocked):
    CredentialStore(resolve_paths(os.environ)).write("cursor", "session", SESSION)
    mocked.get(USAGE_URL, json=fixture("usage-summary-pro.json"))
    mocked.get(ME_URL, json=fixture("auth-me.json"))
    mocked.get(STATUS_URL, json=load_fixture("status/statuspage-minor.json"))
    result = cli("cursor", "--verbose", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert "Monthly" in result.out and "46%" in result.out
    assert "Plan: Pro" in result.out and "user@example.com" in result.out
    assert "$15.00" in result.out or "15.00" in result.out
    assert "Source: web" in result.out
    assert "https://cursor.com/dashboard" in result.out
    assert_no_secret(result.out, result.err)


def test_expired_session_exits_2_with_the_renewal_hint(cli, home, registered, mocked):
    CredentialStore(resolve_paths(os.environ)).write("cursor", "session", SESSION)
    mocked.get(USAGE_URL, status=401)
    result = cli("cursor", "--json", clock=lambda: NOW)
    assert result.code == 2
    error = json.loads(result.out)["error"]
    assert error["category"] == "authentication"
    assert "vibeusage key cursor set" in error["remediation"]
    assert_no_secret(result.out, result.err)


def test_debug_output_carries_no_session_either(cli, home, registered, mocked):
    CredentialStore(resolve_paths(os.environ)).write("cursor", "session", SESSION)
    mocked.get(USAGE_URL, status=500)
    result = cli("cursor", "--debug", "--refresh", clock=lambda: NOW)
    assert result.code == 1
    assert "debug:" in result.err and "usage-summary" in result.err
    assert_no_secret(result.out, result.err)


def test_key_cursor_set_checks_the_format_and_stores_privately(cli, home, registered):
    refused = cli("key", "cursor", "set", f"WorkosCursorSessionToken={SESSION}")
    assert refused.code == 4 and "without `WorkosCursorSessionToken=`" in refused.err
    result = cli("key", "cursor", "set", stdin=SESSION + "\n")
    assert result.code == 0, result.err
    path = home.config_dir / "credentials" / "cursor" / "session.json"
    assert json.loads(path.read_text(encoding="utf-8"))["value"] == SESSION
    assert_no_secret(refused.out, refused.err, result.out, result.err)


def test_auth_cursor_validates_a_piped_session_before_storing(cli, home, registered, mocked):
    mocked.get(ME_URL, status=401)
    rejected = cli("auth", "cursor", stdin=SESSION)
    assert rejected.code == 2 and "rejected" in rejected.err
    path = home.config_dir / "credentials" / "cursor" / "session.json"
    assert not path.exists()
    mocked.replace("GET", ME_URL, json=fixture("auth-me.json"))
    stored = cli("auth", "cursor", stdin=SESSION)
    assert stored.code == 0, stored.err
    assert path.exists()
    assert_no_secret(rejected.out, rejected.err, stored.out, stored.err)


def test_auth_overview_explains_the_cursor_source(cli, home, registered):
    CredentialStore(resolve_paths(os.environ)).write("cursor", "session", SESSION)
    result = cli("auth", "--json")
    entry = result.json()["cursor"]
    assert entry["connected"] is True
    assert any("session from stored" in detail for detail in entry["details"])
    assert_no_secret(result.out, result.err)
