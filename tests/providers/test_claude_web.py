"""Claude's web strategy: stored session key, organisation choice and cache, usage, overage."""

import json
import os
import stat
import sys
from datetime import datetime, timezone
from decimal import Decimal

import pytest
import requests

from tests.conftest import SNAPSHOT_KEYS, load_fixture, make_ctx
from vibeusage.credentials import CredentialStore
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import OverageUsage
from vibeusage.paths import resolve_paths
from vibeusage.providers.base import FetchContext
from vibeusage.providers.claude.web import (
    WEB_API,
    ClaudeWeb,
    Organization,
    OrgIdCache,
    choose_organization,
    parse_organizations,
    session_key_problem,
)

NOW = datetime(2026, 7, 2, 22, 0, tzinfo=timezone.utc)
KEY = "sk-ant-sid01-" + "S3ss10nK3yV4lu3" * 4 + "-AbCdEf"
ORGS_URL = f"{WEB_API}/organizations"
CHAT_ORG = "0d3c2b1a-0000-4000-8000-000000000002"
API_ORG = "0d3c2b1a-0000-4000-8000-000000000001"


def usage_url(org: str) -> str:
    return f"{WEB_API}/organizations/{org}/usage"


def overage_url(org: str) -> str:
    return f"{WEB_API}/organizations/{org}/overage_spend_limit"


@pytest.fixture
def ctx(home) -> FetchContext:
    environ = dict(os.environ)
    return make_ctx("claude", home.root, environ, clock=lambda: NOW, platform=sys.platform)


@pytest.fixture
def stored(ctx) -> CredentialStore:
    store = CredentialStore(ctx.paths)
    store.write("claude", "session_key", KEY)
    return store


def org_cache(ctx) -> OrgIdCache:
    return OrgIdCache.for_session(ctx, KEY)


# --- parsers and checks -----------------------------------------------------------------


def test_organisation_that_can_chat_is_chosen_over_the_first():
    orgs = parse_organizations(load_fixture("claude/web-organizations.json"))
    assert [o.uuid for o in orgs] == [API_ORG, CHAT_ORG]
    chosen = choose_organization(orgs)
    assert chosen is not None and chosen.uuid == CHAT_ORG
    assert chosen.name == "Personal" and chosen.plan == "Max"


def test_first_organisation_when_none_can_chat():
    orgs = parse_organizations([{"uuid": "a", "capabilities": ["api"]}, {"uuid": "b"}])
    assert choose_organization(orgs).uuid == "a"  # type: ignore[union-attr]
    assert choose_organization([]) is None


def test_junk_organisation_entries_are_skipped_and_a_non_list_is_a_parse_error():
    orgs = parse_organizations([None, "x", {"name": "no uuid"}, {"uuid": "ok", "capabilities": 3}])
    assert [(o.uuid, o.capabilities) for o in orgs] == [("ok", ())]
    with pytest.raises(VibeusageError) as info:
        parse_organizations({"error": "nope"})
    assert info.value.category is ErrorCategory.PARSE


@pytest.mark.parametrize(
    "value, problem",
    [
        (KEY, None),
        ("sessionKey=" + KEY, "without `sessionKey=`"),
        ("sk-ant-api03-" + "x" * 40, "starts with `sk-ant-sid01-`"),
        ("sk-ant-sid01-short", "truncated"),
        ("sk-ant-sid01-" + "a" * 20 + " " + "b" * 10, "spaces"),
    ],
)
def test_session_key_format_check(value, problem):
    result = session_key_problem(value)
    if problem is None:
        assert result is None
    else:
        assert result is not None and problem in result


# --- the strategy ------------------------------------------------------------------------


def test_not_available_without_a_stored_key(ctx):
    assert not ClaudeWeb().available(ctx)


def test_stored_key_file_is_private(ctx, stored):
    path = stored.path("claude", "session_key")
    assert ClaudeWeb().available(ctx)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_fetch_chooses_org_reads_usage_and_overage(ctx, stored, mocked):
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), json=load_fixture("claude/oauth-usage-models-extra.json"))
    mocked.get(overage_url(CHAT_ORG), json=load_fixture("claude/web-overage-spend-limit.json"))
    result = ClaudeWeb().fetch(ctx)
    assert result.snapshot is not None
    snapshot = result.snapshot
    assert snapshot.source == "web"
    assert [p.name for p in snapshot.periods][:2] == ["Session (5h)", "Weekly"]
    # The spend-limit endpoint wins over the usage payload's extra_usage.
    assert snapshot.overage == OverageUsage(Decimal("67.89"), Decimal("123.45"), "USD", True)
    assert snapshot.identity is not None
    assert (snapshot.identity.organization, snapshot.identity.plan) == ("Personal", "Max")
    for call in mocked.calls:
        assert call.request.headers["Cookie"] == f"sessionKey={KEY}"
        assert call.request.headers["Accept"] == "application/json"
        assert call.request.headers["User-Agent"].startswith("Mozilla/5.0")
    assert org_cache(ctx).load().uuid == CHAT_ORG  # type: ignore[union-attr]


def test_cached_org_id_saves_the_organisation_request(ctx, stored, mocked):
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), json=load_fixture("claude/oauth-usage-limits.json"))
    mocked.get(overage_url(CHAT_ORG), status=404)
    ClaudeWeb().fetch(ctx)
    ClaudeWeb().fetch(ctx)
    urls = [call.request.url for call in mocked.calls]
    assert urls.count(ORGS_URL) == 1
    assert urls.count(usage_url(CHAT_ORG)) == 2


def test_overage_404_means_no_overage_and_usage_extra_is_kept(ctx, stored, mocked):
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), json=load_fixture("claude/oauth-usage-limits.json"))
    mocked.get(overage_url(CHAT_ORG), status=404)
    snapshot = ClaudeWeb().fetch(ctx).snapshot
    assert snapshot is not None and snapshot.overage is None


def test_overage_failure_does_not_cost_the_usage(ctx, stored, mocked):
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), json=load_fixture("claude/oauth-usage-models-extra.json"))
    mocked.get(overage_url(CHAT_ORG), body=requests.ConnectionError("reset"))
    snapshot = ClaudeWeb().fetch(ctx).snapshot
    assert snapshot is not None
    assert snapshot.overage is not None and snapshot.overage.used == Decimal("5.50")


@pytest.mark.parametrize("status", [403, 404])
def test_stale_org_id_is_dropped_and_chosen_afresh_once(ctx, stored, mocked, status):
    cache = org_cache(ctx)
    cache.save(Organization("gone-org", "Old", ("chat",)))
    mocked.get(usage_url("gone-org"), status=status)
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), json=load_fixture("claude/oauth-usage-limits.json"))
    mocked.get(overage_url(CHAT_ORG), status=404)
    result = ClaudeWeb().fetch(ctx)
    assert result.snapshot is not None
    assert cache.load().uuid == CHAT_ORG  # type: ignore[union-attr]


@pytest.mark.parametrize("status", [401, 403])
def test_rejected_session_key_is_an_authentication_error_naming_the_store(
    ctx, stored, mocked, status
):
    mocked.get(ORGS_URL, status=status)
    with pytest.raises(VibeusageError) as info:
        ClaudeWeb().run(ctx)
    error = info.value
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "sessionKey" in error.remediation
    assert str(stored.path("claude", "session_key")) in error.remediation
    assert KEY not in error.message + error.remediation


def test_usage_rate_limit_keeps_retry_after(ctx, stored, mocked):
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), status=429, headers={"Retry-After": "90"})
    result = ClaudeWeb().fetch(ctx)
    assert result.error is not None
    assert result.error.category is ErrorCategory.RATE_LIMITED
    assert result.error.retry_after == 90.0


def test_empty_organisation_list_is_a_clear_error(ctx, stored, mocked):
    mocked.get(ORGS_URL, json=[])
    with pytest.raises(VibeusageError) as info:
        ClaudeWeb().run(ctx)
    assert "no organisation" in info.value.message


def test_unreadable_stored_key_is_an_authentication_error(ctx, stored):
    stored.path("claude", "session_key").write_text("{broken", encoding="utf-8")
    with pytest.raises(VibeusageError) as info:
        ClaudeWeb().run(ctx)
    assert info.value.category is ErrorCategory.AUTHENTICATION


# --- through the command line -------------------------------------------------------------


def test_web_json_matches_the_contract_when_oauth_is_absent(cli, home, mocked):
    CredentialStore(resolve_paths(os.environ)).write("claude", "session_key", KEY)
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), json=load_fixture("claude/oauth-usage-models-extra.json"))
    mocked.get(overage_url(CHAT_ORG), json=load_fixture("claude/web-overage-spend-limit.json"))
    result = cli("claude", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    snapshot = json.loads(result.out)
    assert list(snapshot) == SNAPSHOT_KEYS
    assert snapshot["source"] == "web"
    assert snapshot["overage"] == {
        "used": "67.89", "limit": "123.45", "currency": "USD", "is_enabled": True,
        "balance": None,
        "unlimited": False,
    }  # fmt: skip
    assert snapshot["identity"] == {
        "email": None,
        "organization": "Personal",
        "plan": "Max",
        "login": None,
    }
    assert snapshot["periods"][0] == {
        "name": "Session (5h)", "utilization": 42, "remaining": 58, "period_type": "session",
        "resets_at": "2025-02-19T22:00:00+00:00", "model": None, "pace_ratio": None,
        "reset_elapsed": True, "pace": None,
    }  # fmt: skip
    assert KEY not in result.out + result.err


def test_auth_source_web_skips_oauth(cli, home, mocked):
    home.write_claude_credentials()
    home.write_config('[providers.claude]\nauth_source = "web"\n')
    CredentialStore(resolve_paths(os.environ)).write("claude", "session_key", KEY)
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), json=load_fixture("claude/oauth-usage-limits.json"))
    mocked.get(overage_url(CHAT_ORG), status=404)
    result = cli("claude", "--json", clock=lambda: NOW)
    assert json.loads(result.out)["source"] == "web"
    assert all("api.anthropic.com" not in call.request.url for call in mocked.calls)


def test_oauth_rate_limit_falls_through_to_web(cli, home, mocked):
    home.write_claude_credentials()
    CredentialStore(resolve_paths(os.environ)).write("claude", "session_key", KEY)
    mocked.get("https://api.anthropic.com/api/oauth/usage", status=429)
    mocked.get(ORGS_URL, json=load_fixture("claude/web-organizations.json"))
    mocked.get(usage_url(CHAT_ORG), json=load_fixture("claude/oauth-usage-limits.json"))
    mocked.get(overage_url(CHAT_ORG), status=404)
    result = cli("claude", "--json", clock=lambda: NOW)
    assert result.code == 0
    assert json.loads(result.out)["source"] == "web"
