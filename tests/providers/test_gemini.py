"""Gemini's pure parsers: quota buckets (real fixture and variants), tier and plan, the id
token, and the Gemini CLI's credential and settings files."""

import copy
import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest

from tests.conftest import load_fixture
from tests.providers.test_gemini_support import EMAIL, NOW, UTC, id_token
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import PeriodType, ProviderIdentity, UsageSnapshot
from vibeusage.providers.gemini import PROVIDER
from vibeusage.providers.gemini.login import (
    parse_auth_type,
    parse_login,
    read_auth_type,
    read_login,
    strip_json_comments,
)
from vibeusage.providers.gemini.usage import (
    email_from_id_token,
    parse_code_assist,
    parse_quota,
    period_type_for_reset,
    plan_name,
)

RESET = datetime(2026, 3, 1, 4, 56, 3, tzinfo=UTC)

Row = Tuple[str, int, PeriodType, Optional[datetime], Optional[str]]


def rows(snapshot: UsageSnapshot) -> List[Row]:
    return [(p.name, p.utilization, p.period_type, p.resets_at, p.model) for p in snapshot.periods]


def quota(*buckets: Dict[str, Any]) -> Dict[str, Any]:
    return {"buckets": list(buckets)}


def bucket(model: str, fraction: Any, reset: Any = "2026-03-01T04:56:03Z") -> Dict[str, Any]:
    entry = {"modelId": model, "tokenType": "REQUESTS", "resetTime": reset}
    if fraction is not ...:
        entry["remainingFraction"] = fraction
    return entry


def assert_parse_error(payload: Any) -> VibeusageError:
    with pytest.raises(VibeusageError) as info:
        parse_quota(payload, NOW)
    assert info.value.category is ErrorCategory.PARSE
    return info.value


# --- provider metadata ------------------------------------------------------------------------


def test_provider_is_gemini_with_one_oauth_strategy_and_the_incidents_feed() -> None:
    assert PROVIDER.id == "gemini"
    assert PROVIDER.name == "Gemini"
    assert PROVIDER.strategy_names() == ("oauth",)
    assert PROVIDER.status_url == "https://www.google.com/appsstatus/dashboard/incidents.json"
    assert "gemini" in PROVIDER.setup_hint
    assert PROVIDER.description == "Gemini CLI and Gemini Code Assist quotas"
    assert PROVIDER.dashboard_url.startswith("https://")


# --- retrieveUserQuota ------------------------------------------------------------------------


def test_real_fixture_gives_one_daily_period_per_model_with_vertex_folded() -> None:
    snapshot = parse_quota(load_fixture("gemini/retrieve-user-quota.json"), NOW)

    assert rows(snapshot) == [
        ("Daily (Gemini 2.0 Flash)", 0, PeriodType.DAILY, RESET, "gemini-2.0-flash"),
        ("Daily (Gemini 2.5 Flash)", 10, PeriodType.DAILY, RESET, "gemini-2.5-flash"),
        ("Daily (Gemini 2.5 Pro)", 40, PeriodType.DAILY, RESET, "gemini-2.5-pro"),
    ]
    assert snapshot.provider == "gemini"
    assert snapshot.source == "oauth"
    assert snapshot.fetched_at == NOW


def test_remaining_fraction_0_9_is_10_percent_used_not_9() -> None:
    snapshot = parse_quota(quota(bucket("gemini-2.5-flash", 0.9)), NOW)
    assert snapshot.periods[0].utilization == 10


def test_several_buckets_per_model_keep_the_lowest_fraction_and_its_reset() -> None:
    later = "2026-03-01T10:00:00Z"
    snapshot = parse_quota(
        quota(
            bucket("gemini-2.5-pro", 0.8),
            bucket("gemini-2.5-pro", 0.25, later),
            bucket("gemini-2.5-pro", 0.5),
        ),
        NOW,
    )
    assert rows(snapshot) == [
        (
            "Daily (Gemini 2.5 Pro)",
            75,
            PeriodType.DAILY,
            datetime(2026, 3, 1, 10, tzinfo=UTC),
            "gemini-2.5-pro",
        )
    ]


def test_a_vertex_bucket_lower_than_its_base_model_decides_the_model() -> None:
    snapshot = parse_quota(
        quota(bucket("gemini-2.0-flash", 1), bucket("gemini-2.0-flash_vertex", 0.3)), NOW
    )
    assert [(p.model, p.utilization) for p in snapshot.periods] == [("gemini-2.0-flash", 70)]


def test_a_vertex_bucket_alone_is_shown_under_its_base_model() -> None:
    snapshot = parse_quota(quota(bucket("gemini-2.5-pro_vertex", 0.5)), NOW)
    assert [(p.name, p.model) for p in snapshot.periods] == [
        ("Daily (Gemini 2.5 Pro)", "gemini-2.5-pro")
    ]


def test_bucket_without_remaining_fraction_is_skipped_not_counted_as_used() -> None:
    snapshot = parse_quota(
        quota(
            bucket("gemini-2.5-pro", ...),
            bucket("gemini-2.5-flash", ...),
            bucket("gemini-2.5-flash", 0.5),
        ),
        NOW,
    )
    assert [(p.model, p.utilization) for p in snapshot.periods] == [("gemini-2.5-flash", 50)]


def test_null_remaining_fraction_is_skipped() -> None:
    snapshot = parse_quota(quota(bucket("gemini-2.5-pro", None)), NOW)
    assert snapshot.periods == ()


def test_fraction_as_string_is_read_as_a_number() -> None:
    snapshot = parse_quota(quota(bucket("gemini-2.5-pro", "0.25"), bucket("x-model", " 1 ")), NOW)
    assert [(p.model, p.utilization) for p in snapshot.periods] == [
        ("gemini-2.5-pro", 75),
        ("x-model", 0),
    ]


@pytest.mark.parametrize(
    "payload", [{"buckets": []}, {}, {"buckets": None}], ids=["empty", "absent", "null"]
)
def test_empty_bucket_list_is_a_snapshot_without_periods(payload: Dict[str, Any]) -> None:
    identity = ProviderIdentity(plan="Standard")
    snapshot = parse_quota(payload, NOW, identity=identity)
    assert snapshot.periods == ()
    assert snapshot.identity == identity


@pytest.mark.parametrize(
    "fraction, used",
    [(0, 100), (1, 0), (-0.5, 100), (7, 0), ("1e999999999", 0), ("-1e999999999", 100)],
)
def test_out_of_range_fractions_are_clamped(fraction: Any, used: int) -> None:
    snapshot = parse_quota(quota(bucket("m", fraction)), NOW)
    assert [p.utilization for p in snapshot.periods] == [used]


@pytest.mark.parametrize("fraction", [float("nan"), float("inf"), "abc", True, [], {}, ""])
def test_unusable_fractions_skip_the_bucket(fraction: Any) -> None:
    snapshot = parse_quota(quota(bucket("m", fraction), bucket("n", 0.5)), NOW)
    assert [p.model for p in snapshot.periods] == ["n"]


def test_buckets_that_are_not_objects_or_lack_a_model_are_skipped() -> None:
    snapshot = parse_quota(
        {
            "buckets": [
                None,
                "gemini-2.5-pro",
                7,
                [],
                {"remainingFraction": 0.5},
                {"modelId": 12, "remainingFraction": 0.5},
                {"modelId": "  ", "remainingFraction": 0.5},
                bucket("gemini-2.5-pro", 0.5),
            ]
        },
        NOW,
    )
    assert [p.model for p in snapshot.periods] == ["gemini-2.5-pro"]


def test_unparseable_reset_time_gives_a_period_without_reset() -> None:
    snapshot = parse_quota(quota(bucket("m", 0.5, "tomorrow"), bucket("n", 0.5, None)), NOW)
    assert [(p.resets_at, p.period_type) for p in snapshot.periods] == [
        (None, PeriodType.DAILY),
        (None, PeriodType.DAILY),
    ]


def test_reset_from_another_bucket_fills_in_when_the_lowest_has_none() -> None:
    snapshot = parse_quota(quota(bucket("m", 0.2, None), bucket("m", 0.6)), NOW)
    assert [(p.utilization, p.resets_at) for p in snapshot.periods] == [(80, RESET)]


@pytest.mark.parametrize("payload", [None, [], "buckets", 3, True])
def test_non_object_payload_is_a_parse_error(payload: Any) -> None:
    error = assert_parse_error(payload)
    assert "Gemini" in error.message


@pytest.mark.parametrize("buckets", [{"modelId": "x"}, "x", 5])
def test_buckets_that_are_not_a_list_are_a_parse_error(buckets: Any) -> None:
    error = assert_parse_error({"buckets": buckets})
    assert "buckets" in error.message


def test_randomly_damaged_payloads_give_a_snapshot_or_a_parse_error() -> None:
    rng = random.Random(7)
    junk: List[Any] = [
        None, "", "x", 0, -1, 10**400, 1e308, float("nan"), True, [], {}, [1], {"a": 1}, "0.5",
        "2026-13-45T99:00:00Z",
    ]  # fmt: skip
    base = load_fixture("gemini/retrieve-user-quota.json")
    for _ in range(400):
        payload = copy.deepcopy(base)
        targets = payload["buckets"] + [payload]
        for _ in range(rng.randint(1, 4)):
            target = rng.choice(targets)
            key = rng.choice(["modelId", "remainingFraction", "resetTime", "tokenType", "buckets"])
            target[key] = rng.choice(junk)
        try:
            snapshot = parse_quota(payload, NOW)
        except VibeusageError as exc:
            assert exc.category is ErrorCategory.PARSE
            continue
        for period in snapshot.periods:
            assert 0 <= period.utilization <= 100
        json.dumps(snapshot.to_dict(NOW))


# --- period type from the reset distance ------------------------------------------------------


@pytest.mark.parametrize(
    "distance, expected",
    [
        (timedelta(minutes=5), PeriodType.DAILY),
        (timedelta(hours=3), PeriodType.DAILY),
        (timedelta(hours=24), PeriodType.DAILY),
        (timedelta(days=5), PeriodType.WEEKLY),
        (timedelta(days=20), PeriodType.MONTHLY),
        (timedelta(hours=-2), PeriodType.DAILY),
    ],
)
def test_period_type_follows_the_distance_to_the_reset(
    distance: timedelta, expected: PeriodType
) -> None:
    assert period_type_for_reset(NOW + distance, NOW) is expected


def test_period_type_without_reset_is_daily() -> None:
    assert period_type_for_reset(None, NOW) is PeriodType.DAILY


def test_weekly_reset_is_named_weekly_and_sorted_after_daily() -> None:
    snapshot = parse_quota(
        quota(
            bucket("weekly-model", 0.5, (NOW + timedelta(days=6)).isoformat()),
            bucket("gemini-2.5-pro", 0.5),
        ),
        NOW,
    )
    assert [(p.name, p.period_type) for p in snapshot.periods] == [
        ("Daily (Gemini 2.5 Pro)", PeriodType.DAILY),
        ("Weekly (Weekly Model)", PeriodType.WEEKLY),
    ]


# --- loadCodeAssist and the plan --------------------------------------------------------------


def test_load_code_assist_fixture_gives_project_and_the_paid_tier_name() -> None:
    info = parse_code_assist(load_fixture("gemini/load-code-assist.json"))
    assert info.project == "helpful-perigee-2nnd9"
    assert info.plan == "Gemini Code Assist in Google One AI Pro"
    assert info.tier_id == "g1-pro-tier"
    assert info.has_tier
    assert info.ineligible_reasons == ()


@pytest.mark.parametrize(
    "payload, plan",
    [
        ({"currentTier": {"id": "standard-tier", "name": "Gemini Code Assist"}}, "Standard"),
        ({"currentTier": {"id": "free-tier", "name": "Code Assist for individuals"}}, "Free"),
        ({"currentTier": {"id": "legacy-tier"}}, "Legacy"),
        ({"currentTier": {"id": "enterprise-tier", "name": "Enterprise"}}, "Enterprise"),
        ({"currentTier": {"id": "g1-ultra-tier"}}, "G1 Ultra"),
        ({"paidTier": {"name": "AI Ultra"}, "currentTier": {"id": "free-tier"}}, "AI Ultra"),
        ({"paidTier": {"name": "  "}, "currentTier": {"id": "standard-tier"}}, "Standard"),
        ({"currentTier": None, "paidTier": []}, None),
        ({}, None),
    ],
)  # fmt: skip
def test_plan_comes_from_the_paid_tier_else_the_current_tier(
    payload: Dict[str, Any], plan: Optional[str]
) -> None:
    assert plan_name(payload) == plan


def test_project_may_come_as_an_object_with_an_id() -> None:
    info = parse_code_assist(
        {"currentTier": {"id": "free-tier"}, "cloudaicompanionProject": {"id": "proj-1"}}
    )
    assert info.project == "proj-1"
    assert info.is_free_tier


def test_ineligible_tiers_without_a_current_tier_carry_their_reasons() -> None:
    info = parse_code_assist(
        {
            "ineligibleTiers": [
                {"reasonCode": "INELIGIBLE_ACCOUNT", "reasonMessage": "Not available"},
                {"reasonCode": "UNSUPPORTED_LOCATION"},
                "junk",
            ]
        }
    )
    assert not info.has_tier
    assert info.project is None
    assert info.ineligible_reasons == ("Not available", "UNSUPPORTED_LOCATION")


@pytest.mark.parametrize("payload", [None, [], "x"])
def test_load_code_assist_that_is_not_an_object_is_a_parse_error(payload: Any) -> None:
    with pytest.raises(VibeusageError) as info:
        parse_code_assist(payload)
    assert info.value.category is ErrorCategory.PARSE


# --- the id token -----------------------------------------------------------------------------


def test_email_is_read_from_the_id_token_claims() -> None:
    assert email_from_id_token(id_token({"email": EMAIL, "email_verified": True})) == EMAIL


@pytest.mark.parametrize(
    "token",
    [
        "eyJ.EXAMPLE.id",  # the fixture's placeholder
        None,
        42,
        "a.b",
        "a.!!!.c",
        id_token({"sub": "1"}),
        id_token({"email": "not-an-address"}),
        "x." + "bm90IGpzb24" + ".y",
    ],
)
def test_unreadable_id_tokens_give_no_email(token: Any) -> None:
    assert email_from_id_token(token) is None


# --- oauth_creds.json and settings.json -------------------------------------------------------


def test_fixture_credentials_are_parsed_with_expiry_in_milliseconds() -> None:
    login = parse_login(load_fixture("gemini/oauth_creds.json"), "oauth_creds.json")
    assert login.access_token == "ya29.EXAMPLE"
    assert login.refresh_token == "1//EXAMPLE"
    assert login.expires_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert login.email is None
    assert "EXAMPLE" not in repr(login)


@pytest.mark.parametrize("data", [{}, [], None, {"access_token": "", "refresh_token": 5}])
def test_credentials_without_any_token_are_an_authentication_error(data: Any) -> None:
    with pytest.raises(VibeusageError) as info:
        parse_login(data, "oauth_creds.json")
    assert info.value.category is ErrorCategory.AUTHENTICATION
    assert "`gemini`" in (info.value.remediation or "")


def test_missing_or_broken_credentials_file_is_an_authentication_error(tmp_path: Path) -> None:
    with pytest.raises(VibeusageError) as missing:
        read_login(tmp_path / "oauth_creds.json")
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    with pytest.raises(VibeusageError) as invalid:
        read_login(broken)
    assert missing.value.category is ErrorCategory.AUTHENTICATION
    assert invalid.value.category is ErrorCategory.AUTHENTICATION
    assert "not valid JSON" in invalid.value.message


@pytest.mark.parametrize(
    "data, expected",
    [
        ({"security": {"auth": {"selectedType": "oauth-personal"}}}, "oauth-personal"),
        ({"selectedAuthType": "gemini-api-key"}, "gemini-api-key"),
        (
            {"security": {"auth": {"selectedType": "vertex-ai"}}, "selectedAuthType": "x"},
            "vertex-ai",
        ),
        ({"security": {"auth": {}}, "selectedAuthType": "vertex-ai"}, "vertex-ai"),
        ({"security": "x", "selectedAuthType": 3}, None),
        ([], None),
        ({}, None),
    ],
)
def test_auth_type_is_read_from_either_settings_layout(data: Any, expected: Optional[str]) -> None:
    assert parse_auth_type(data) == expected


def test_settings_with_comments_are_read_and_urls_in_strings_survive(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(
        "{\n"
        "  // which login the CLI uses\n"
        '  "security": {"auth": {"selectedType": "gemini-api-key"}}, /* block */\n'
        '  "mcp": {"url": "https://example.com/a//b"}\n'
        "}\n",
        encoding="utf-8",
    )
    assert read_auth_type(path) == "gemini-api-key"
    assert json.loads(strip_json_comments('{"u": "http://x//y"}')) == {"u": "http://x//y"}


def test_missing_or_broken_settings_say_nothing(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert read_auth_type(tmp_path / "absent.json") is None
    assert read_auth_type(broken) is None
