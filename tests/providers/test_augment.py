"""Augment provider: billing-summary parsers (credits, dollars, top-ups, auggie's spelling), the
session and its sources, the tenant rule, the ``oauth`` strategy's errors, and the command line.

The ``cli`` strategy and the safety of running ``auggie`` are in ``test_augment_cli.py``.
"""

import json
import os
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from responses import matchers

from tests.conftest import FIXTURES, SNAPSHOT_KEYS, load_fixture, make_ctx
from vibeusage.credentials import CredentialStore
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.http import make_session
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity
from vibeusage.paths import resolve_paths
from vibeusage.providers import augment
from vibeusage.providers.augment.oauth import AugmentOAuth
from vibeusage.providers.augment.rejections import was_rejected
from vibeusage.providers.augment.session import (
    AugmentSession,
    clean,
    find_session_text,
    parse_session,
    session_problem,
    tenant_problem,
    validate_session,
)
from vibeusage.providers.augment.usage import (
    error_detail,
    parse_account_status,
    parse_billing_summary,
    unit_name,
)

UTC = timezone.utc
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
SESSION_TEXT = (FIXTURES / "augment" / "session.json").read_text(encoding="utf-8").strip()
SESSION = json.loads(SESSION_TEXT)
TOKEN = SESSION["accessToken"]
TENANT = SESSION["tenantURL"]
SUMMARY_URL = TENANT + "get-billing-summary"


def fixture(name: str) -> Any:
    return load_fixture(f"augment/{name}")


def rows(snapshot):
    return [(p.name, p.utilization, p.period_type, p.resets_at, p.model) for p in snapshot.periods]


def assert_no_token(*texts: str) -> None:
    for text in texts:
        assert TOKEN not in text and TOKEN[8:40] not in text


def session_for(token: str = TOKEN, tenant: str = TENANT) -> str:
    return json.dumps({"accessToken": token, "tenantURL": tenant, "scopes": ["email"]})


def write_session_file(home_root: Path, text: str = SESSION_TEXT) -> Path:
    folder = home_root / ".augment"
    folder.mkdir(mode=0o700, exist_ok=True)
    path = folder / "session.json"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


@pytest.fixture
def ctx(home):
    write_session_file(home.root)
    return make_ctx("augment", home.root, dict(os.environ), clock=lambda: NOW)


# --- parsers ---------------------------------------------------------------------------------


def test_credits_summary_is_77_percent_used_with_the_balance_in_credits():
    snapshot = parse_billing_summary(fixture("get-billing-summary-credits.json"), NOW)
    assert snapshot.provider == "augment" and snapshot.source == "oauth"
    assert rows(snapshot) == [
        ("Credits", 77, PeriodType.MONTHLY, datetime(2026, 12, 19, tzinfo=UTC), None)
    ]
    assert snapshot.overage == OverageUsage(None, None, "credits", True, Decimal("9120.25"))
    assert snapshot.identity == ProviderIdentity(plan="Indie Plan")
    assert snapshot.notes == ()


def test_usd_summary_is_dollars_not_cents_with_its_banner_as_a_note():
    snapshot = parse_billing_summary(fixture("get-billing-summary-usd.json"), NOW)
    assert rows(snapshot) == [
        ("Included usage", 75, PeriodType.MONTHLY, datetime(2026, 12, 28, tzinfo=UTC), None)
    ]
    assert snapshot.overage.to_dict()["balance"] == "12.50"
    assert snapshot.overage.currency == "USD"
    assert snapshot.notes == ("Low balance",)


def test_top_up_above_the_allowance_is_0_percent_never_negative():
    snapshot = parse_billing_summary(fixture("get-billing-summary-topup.json"), NOW)
    assert rows(snapshot) == [
        ("Credits", 0, PeriodType.MONTHLY, datetime(2026, 12, 9, tzinfo=UTC), None)
    ]
    assert snapshot.overage.balance == Decimal("52000")
    assert snapshot.identity.plan == "Developer Plan"
    assert snapshot.notes == ("Your top-up credits roll over to the next cycle",)


@pytest.mark.parametrize(
    "name, tenant_twin", [("account-status.json", "get-billing-summary-credits.json"),
                          ("account-status-usd.json", "get-billing-summary-usd.json")],
)  # fmt: skip
def test_auggies_json_maps_exactly_like_the_tenants_answer(name, tenant_twin):
    cli = parse_account_status(fixture(name), NOW)
    direct = parse_billing_summary(fixture(tenant_twin), NOW)
    assert cli.source == "cli"
    assert (cli.periods, cli.overage, cli.identity, cli.notes) == (
        direct.periods,
        direct.overage,
        direct.identity,
        direct.notes,
    )


@pytest.mark.parametrize(
    "value, unit",
    [(1, "credits"), (2, "usd"), ("credits", "credits"), ("USD", "usd"), ("2", "usd"),
     (3, None), ("unknown", None), (True, None), (None, None)],
)  # fmt: skip
def test_usage_units(value, unit):
    assert unit_name(value) == unit


def test_unknown_unit_keeps_the_share_but_not_the_balance_and_says_so():
    payload = dict(fixture("get-billing-summary-credits.json"), usage_unit=7)
    snapshot = parse_billing_summary(payload, NOW)
    assert [(p.name, p.utilization) for p in snapshot.periods] == [("Allowance", 77)]
    assert snapshot.overage is None
    assert snapshot.notes == ("Augment reported an unknown usage unit (7)",)


def test_an_unreadable_allowance_is_a_parse_error_naming_it():
    payload = dict(fixture("get-billing-summary-credits.json"), amount_included_per_cycle="many")
    with pytest.raises(VibeusageError) as caught:
        parse_billing_summary(payload, NOW)
    assert caught.value.category is ErrorCategory.PARSE
    assert '"many" is unreadable' in caught.value.message


@pytest.mark.parametrize("included", [None, 0, "-5"])
def test_without_an_allowance_there_is_no_period_only_the_balance(included):
    payload = dict(fixture("get-billing-summary-credits.json"), amount_included_per_cycle=included)
    snapshot = parse_billing_summary(payload, NOW)
    assert snapshot.periods == ()
    assert snapshot.overage.balance == Decimal("9120.25")
    assert "no monthly allowance" in snapshot.notes[0]


@pytest.mark.parametrize(
    "payload",
    [None, [], "x", {}, {"usage_unit": 1, "amount_remaining": "x", "amount_included_per_cycle": 0}],
)
def test_summaries_without_anything_readable_are_parse_errors(payload):
    with pytest.raises(VibeusageError) as caught:
        parse_billing_summary(payload, NOW)
    assert caught.value.category is ErrorCategory.PARSE


def test_overdrawn_balance_is_100_percent_and_a_negative_balance():
    payload = dict(fixture("get-billing-summary-credits.json"), amount_remaining=-20)
    snapshot = parse_billing_summary(payload, NOW)
    assert snapshot.periods[0].utilization == 100
    assert snapshot.overage.balance == Decimal("-20")


@pytest.mark.parametrize(
    "body, detail",
    [
        (load_fixture("augment/error-400-no-subscription.json"), "User has no subscription"),
        ({"error_details": "tenant off", "error": "x"}, "tenant off"),
        ({"message": "slow down"}, "slow down"),
        ({"error": {"message": "nested"}}, "nested"),
        ({"error": ""}, None),
        ("text", None),
    ],
)
def test_error_bodies_give_their_text(body, detail):
    assert error_detail(body) == detail


# --- sessions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [SESSION_TEXT, f"SESSION={SESSION_TEXT}", f"  SESSION='{SESSION_TEXT}'\n", f'"{SESSION_TEXT}"'],
)
def test_session_as_printed_by_auggie_token_print_is_accepted(value):
    assert clean(value) == SESSION_TEXT
    assert session_problem(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "not json",
        '["accessToken"]',
        json.dumps({"accessToken": "", "tenantURL": TENANT}),
        json.dumps({"tenantURL": TENANT}),
        session_for(tenant="http://d7.api.augmentcode.com/"),
        session_for(tenant="https://evil.example.com/"),
    ],
)
def test_session_format_check_refuses_other_values(value):
    problem = session_problem(value)
    assert problem is not None and "auggie token print" in problem
    assert_no_token(problem)


@pytest.mark.parametrize(
    "url, problem",
    [
        ("https://d7.api.augmentcode.com/", None),
        ("https://D7.API.AugmentCode.com", None),
        ("http://d7.api.augmentcode.com/", "not https"),
        ("https://augmentcode.com.evil.example/", "not on augmentcode.com"),
        ("https://user:pw@d7.api.augmentcode.com/", "not on augmentcode.com"),
        ("https://evilaugmentcode.com/", "not on augmentcode.com"),
        ("https://[::1/", "not a URL"),
    ],
)
def test_tenant_rule(url, problem):
    result = tenant_problem(url)
    assert (result is None) if problem is None else (problem in result)


def test_a_foreign_tenant_is_refused_without_a_request(home, mocked):
    write_session_file(home.root, session_for(tenant="https://collector.example.net/"))
    result = AugmentOAuth().fetch(make_ctx("augment", home.root, dict(os.environ)))
    assert result.error.category is ErrorCategory.AUTHENTICATION
    assert "not an Augment host" in result.error.message
    assert "the token was not sent" in result.error.message
    assert result.should_fallback is False
    assert len(mocked.calls) == 0


def test_tenant_without_trailing_slash_gets_one():
    session = parse_session(session_for(tenant="https://x.api.augmentcode.com"), "env")
    assert session.tenant_url == "https://x.api.augmentcode.com/"


@pytest.mark.parametrize("text", ["{", "[]", json.dumps({"accessToken": "t"})])
def test_unreadable_session_names_the_source_not_the_content(text):
    with pytest.raises(VibeusageError) as caught:
        parse_session(text, "/home/u/.augment/session.json")
    assert "/home/u/.augment/session.json" in caught.value.message
    assert "unreadable" in caught.value.message


def test_session_order_is_environment_then_stored_then_file(home):
    environ = dict(os.environ)
    ctx = make_ctx("augment", home.root, environ)
    assert find_session_text(ctx) is None
    path = write_session_file(home.root, session_for("file-token-000000"))
    assert find_session_text(ctx) == (str(path), session_for("file-token-000000"))
    CredentialStore(resolve_paths(environ)).write(
        "augment", "session", "SESSION=" + session_for("stored-token-0000")
    )
    assert find_session_text(ctx) == ("the stored session", session_for("stored-token-0000"))
    environ["AUGMENT_SESSION_AUTH"] = session_for("env-token-000000")
    ctx = make_ctx("augment", home.root, environ)
    assert find_session_text(ctx) == ("AUGMENT_SESSION_AUTH", session_for("env-token-000000"))


def test_session_repr_masks_token_and_json():
    session = parse_session(SESSION_TEXT, "env")
    assert_no_token(repr(session))
    assert isinstance(session, AugmentSession)


def test_no_session_is_not_available_and_explained(home, mocked):
    ctx = make_ctx("augment", home.root, dict(os.environ))
    assert AugmentOAuth().available(ctx) is False
    assert "No Augment login found" in AugmentOAuth().explain(ctx)
    assert len(mocked.calls) == 0


def test_validate_session_asks_the_billing_summary_once(mocked):
    mocked.post(SUMMARY_URL, json=fixture("get-billing-summary-credits.json"))
    assert validate_session(make_session(5.0), SESSION_TEXT) is None
    mocked.replace("POST", SUMMARY_URL, status=401)
    assert validate_session(make_session(5.0), SESSION_TEXT) == (
        "Augment rejected this session (HTTP 401)"
    )
    assert "not an Augment host" in validate_session(
        make_session(5.0), session_for(tenant="https://x.example/")
    )
    assert len(mocked.calls) == 2


# --- the oauth strategy --------------------------------------------------------------------------


def test_fetch_posts_an_empty_object_with_the_bearer_token(ctx, mocked):
    mocked.post(
        SUMMARY_URL,
        json=fixture("get-billing-summary-credits.json"),
        match=[
            matchers.json_params_matcher({}),
            matchers.header_matcher(
                {"Authorization": f"Bearer {TOKEN}", "Accept": "application/json"}
            ),
        ],
    )
    result = AugmentOAuth().fetch(ctx)
    assert result.success, result.error
    assert result.snapshot.source == "oauth"
    assert mocked.calls[0].request.headers["x-request-id"]


def test_401_stops_the_chain_and_remembers_the_rejected_session(ctx, mocked):
    mocked.post(SUMMARY_URL, status=401, json={"error": f"bad token {TOKEN}"})
    result = AugmentOAuth().fetch(ctx)
    error = result.error
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert error.message.startswith("Augment rejected the auggie login from ")
    assert "(HTTP 401)" in error.message
    assert error.remediation == "Run `auggie login` to log in again."
    assert result.should_fallback is False
    assert was_rejected(ctx, TOKEN) is True
    assert_no_token(error.message, json.dumps(error.to_dict()))
    # Accepted again later: the memory is cleared.
    mocked.replace("POST", SUMMARY_URL, json=fixture("get-billing-summary-credits.json"))
    assert AugmentOAuth().fetch(ctx).success
    assert was_rejected(ctx, TOKEN) is False


@pytest.mark.parametrize(
    "answer, category, code, fallback, text",
    [
        ({"status": 403}, ErrorCategory.AUTHORIZATION, 2, False, "cannot read billing"),
        (
            {"status": 400, "json": load_fixture("augment/error-400-no-subscription.json")},
            ErrorCategory.AUTHORIZATION,
            2,
            False,
            "no subscription with a credit balance: User has no subscription",
        ),
        ({"status": 404}, ErrorCategory.NOT_FOUND, 1, True, "does not offer a billing summary"),
        (
            {"status": 429, "headers": {"Retry-After": "60"}},
            ErrorCategory.RATE_LIMITED,
            3,
            False,
            "rate limiting",
        ),
        ({"status": 503}, ErrorCategory.PROVIDER, 1, True, "server error"),
        ({"body": requests.ConnectionError("down")}, ErrorCategory.NETWORK, 3, True, "connect"),
        ({"body": "<html>", "content_type": "text/html"}, ErrorCategory.PARSE, 1, True, "HTML"),
        ({"json": {"plan_name": "x"}}, ErrorCategory.PARSE, 1, True, "unexpected"),
    ],
)
def test_each_answer_gets_the_documented_category_and_fallback(
    ctx, mocked, answer, category, code, fallback, text
):
    mocked.post(SUMMARY_URL, **answer)
    result = AugmentOAuth().fetch(ctx)
    assert (result.error.category, result.error.exit_code) == (category, code)
    assert result.should_fallback is fallback
    assert text in result.error.message
    assert was_rejected(ctx, TOKEN) is False


def test_an_unreadable_session_stops_the_chain(home, mocked):
    write_session_file(home.root, "{ not json")
    result = AugmentOAuth().fetch(make_ctx("augment", home.root, dict(os.environ)))
    assert result.error.category is ErrorCategory.AUTHENTICATION
    assert result.should_fallback is False
    assert len(mocked.calls) == 0


def test_the_session_file_is_only_read(ctx, mocked, home):
    path = home.root / ".augment" / "session.json"
    before = (path.read_bytes(), path.stat().st_mode, path.stat().st_mtime_ns)
    mocked.post(SUMMARY_URL, status=401)
    AugmentOAuth().fetch(ctx)
    assert (path.read_bytes(), path.stat().st_mode, path.stat().st_mtime_ns) == before
    assert sorted(p.name for p in path.parent.iterdir()) == ["session.json"]


# --- the manifest --------------------------------------------------------------------------------


def test_manifest_follows_the_contract():
    provider = augment.PROVIDER
    assert (provider.id, provider.name) == ("augment", "Augment")
    assert provider.strategy_names() == ("oauth", "cli")
    assert provider.env_vars == ("AUGMENT_SESSION_AUTH", "AUGGIE_CLI_PATH")
    assert provider.tools == ("auggie",)
    assert provider.secret is not None and provider.secret.name == "session"
    assert provider.options == {}


# --- through the command line ----------------------------------------------------------------


def test_augment_json_end_to_end_matches_the_snapshot_contract(cli, home, mocked):
    write_session_file(home.root)
    mocked.post(SUMMARY_URL, json=fixture("get-billing-summary-usd.json"))
    result = cli("augment", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    snapshot = result.json()
    assert list(snapshot) == SNAPSHOT_KEYS
    assert (snapshot["provider"], snapshot["source"]) == ("augment", "oauth")
    assert snapshot["periods"] == [
        {
            "name": "Included usage", "utilization": 75, "remaining": 25,
            "period_type": "monthly", "resets_at": "2026-12-28T00:00:00+00:00", "model": None,
            "pace_ratio": snapshot["periods"][0]["pace_ratio"],
            "reset_elapsed": snapshot["periods"][0]["reset_elapsed"],
            "pace": snapshot["periods"][0]["pace"],
        }
    ]  # fmt: skip
    assert snapshot["overage"] == {
        "used": None, "limit": None, "currency": "USD", "is_enabled": True, "balance": "12.50",
        "unlimited": False,
    }  # fmt: skip
    assert snapshot["identity"] == {
        "email": None,
        "organization": None,
        "plan": "Legacy Pay As You Go",
        "login": None,
    }
    assert snapshot["notes"] == ["Low balance"]
    assert_no_token(result.out, result.err)


def test_augment_table_shows_credits_and_the_balance(cli, home, mocked):
    write_session_file(home.root)
    mocked.post(SUMMARY_URL, json=fixture("get-billing-summary-credits.json"))
    result = cli("augment", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert "Augment" in result.out and "Credits" in result.out and "77%" in result.out
    assert "9120.25" in result.out or "9,120.25" in result.out
    assert_no_token(result.out, result.err)


@pytest.mark.parametrize(
    "status, code, category",
    [(401, 2, "authentication"), (400, 2, "authorization"), (429, 3, "rate_limited")],
)
def test_errors_from_outside(cli, home, mocked, status, code, category):
    write_session_file(home.root)
    mocked.post(SUMMARY_URL, status=status, json={"error": f"no {TOKEN}"})
    for args in (("augment", "--json"), ("augment", "--verbose", "--debug")):
        result = cli(*args, "--refresh", clock=lambda: NOW)
        assert result.code == code
        assert_no_token(result.out, result.err)
    assert cli("augment", "--json", "--refresh").json()["error"]["category"] == category


def test_no_session_anywhere_exits_2_with_the_login_hint(cli, home, mocked):
    result = cli("augment", "--json")
    assert result.code == 2
    error = result.json()["error"]
    assert error["category"] == "authentication"
    assert "auggie login" in error["remediation"]
    assert len(mocked.calls) == 0


def test_key_augment_set_checks_and_stores_the_session(cli, home, mocked):
    refused = cli("key", "augment", "set", "accessToken=abc")
    assert refused.code == 4 and "auggie token print" in refused.err
    result = cli("key", "augment", "set", stdin=f"SESSION={SESSION_TEXT}\n")
    assert result.code == 0, result.err
    path = home.config_dir / "credentials" / "augment" / "session.json"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    mocked.post(SUMMARY_URL, json=fixture("get-billing-summary-credits.json"))
    fetched = cli("augment", "--json", clock=lambda: NOW)
    assert fetched.code == 0, fetched.err
    assert_no_token(refused.out, refused.err, result.out, result.err, fetched.out)


def test_auth_overview_and_doctor_name_the_session_source_only(cli, home):
    write_session_file(home.root)
    overview = cli("auth", "--json")
    entry = overview.json()["augment"]
    assert entry["connected"] is True
    assert any(".augment/session.json" in detail for detail in entry["details"])
    doctor = cli("doctor")
    assert "augment" in doctor.out.lower()
    assert_no_token(overview.out, overview.err, doctor.out, doctor.err)
