"""Copilot's parsers: quota snapshots, free-plan quotas, omitted quotas, plan and login."""

import copy
import json
import random
from datetime import datetime, timezone
from typing import Any, Dict, List, Optional

import pytest

from tests.conftest import load_fixture
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import PeriodType, UsageSnapshot
from vibeusage.providers.copilot.device_flow import parse_device_code
from vibeusage.providers.copilot.usage import (
    parse_identity,
    parse_user,
    plan_name,
    quota_name,
    quota_notes,
)

NOW = datetime(2025, 2, 20, 12, 0, tzinfo=timezone.utc)
RESET = datetime(2025, 3, 1, tzinfo=timezone.utc)


def fixture() -> Dict[str, Any]:
    return load_fixture("copilot/copilot-internal-user.json")


def quota(**fields: Any) -> Dict[str, Any]:
    """A quota snapshot entry in the real shape, with overrides."""
    entry = {
        "entitlement": 300,
        "overage_count": 0,
        "overage_permitted": False,
        "percent_remaining": 100.0,
        "quota_id": "premium_interactions",
        "quota_remaining": 300.0,
        "remaining": 300,
        "unlimited": False,
        "timestamp_utc": "2025-02-20T12:00:00.000Z",
    }
    entry.update(fields)
    return entry


def user(snapshots: Dict[str, Any], **fields: Any) -> Dict[str, Any]:
    payload: Dict[str, Any] = {
        "login": "octocat",
        "copilot_plan": "business",
        "quota_reset_date": "2025-03-01",
        "quota_reset_date_utc": "2025-03-01T00:00:00Z",
        "quota_snapshots": snapshots,
    }
    payload.update(fields)
    return payload


def table(snapshot: UsageSnapshot) -> List[Any]:
    return [(p.name, p.utilization, p.period_type, p.resets_at) for p in snapshot.periods]


# --- the real fixture ----------------------------------------------------------------------


def test_fixture_premium_and_chat_are_monthly_periods_from_percent_remaining() -> None:
    snapshot = parse_user(fixture(), NOW)
    assert table(snapshot) == [
        ("Premium requests", 40, PeriodType.MONTHLY, RESET),
        ("Chat", 40, PeriodType.MONTHLY, RESET),
    ]
    assert snapshot.provider == "copilot"
    assert snapshot.fetched_at == NOW
    assert snapshot.overage is None


def test_fixture_unlimited_completions_are_omitted_and_the_note_says_why() -> None:
    snapshot = parse_user(fixture(), NOW)
    assert "Completions" not in [p.name for p in snapshot.periods]
    assert quota_notes(fixture()) == ("Completions: unlimited on this plan, not shown",)


def test_fixture_login_and_plan_are_the_identity() -> None:
    identity = parse_user(fixture(), NOW).identity
    assert identity is not None
    assert (identity.login, identity.organization, identity.plan) == ("testuser", None, "Pro")
    assert identity.email is None  # a GitHub login is not an email address


def test_source_is_the_one_given_by_the_caller() -> None:
    assert parse_user(fixture(), NOW, source="GH_TOKEN").source == "GH_TOKEN"


def test_device_code_fixture_is_parsed() -> None:
    code = parse_device_code(load_fixture("copilot/device-code.json"))
    assert code.user_code == "WDJB-MJHT"
    assert code.verification_uri == "https://github.com/login/device"
    assert (code.expires_in, code.interval) == (900.0, 5.0)


# --- reset dates ---------------------------------------------------------------------------


def test_reset_falls_back_to_the_plain_date_when_there_is_no_utc_timestamp() -> None:
    payload = user({"chat": quota(quota_id="chat")}, quota_reset_date_utc=None)
    payload["quota_reset_date"] = "2025-04-01"
    period = parse_user(payload, NOW).periods[0]
    assert period.resets_at == datetime(2025, 4, 1, tzinfo=timezone.utc)


def test_utc_timestamp_wins_over_the_plain_date() -> None:
    payload = user(
        {"chat": quota(quota_id="chat")},
        quota_reset_date="2025-04-01",
        quota_reset_date_utc="2025-03-31T22:00:00-02:00",
    )
    assert parse_user(payload, NOW).periods[0].resets_at == datetime(
        2025, 4, 1, tzinfo=timezone.utc
    )


def test_garbage_reset_dates_give_periods_without_reset() -> None:
    payload = user({"chat": quota(quota_id="chat")}, quota_reset_date=5, quota_reset_date_utc="x")
    assert parse_user(payload, NOW).periods[0].resets_at is None


# --- variants: free, business, over quota, unknown ids --------------------------------------


def test_free_plan_monthly_and_limited_quotas_give_used_percent_from_what_is_left() -> None:
    payload = {
        "login": "freebie",
        "access_type_sku": "free_limited_copilot",
        "copilot_plan": "individual",
        "limited_user_quotas": {"chat": 20, "completions": 1500},
        "monthly_quotas": {"chat": 50, "completions": 2000},
        "limited_user_reset_date": "2025-03-05",
    }
    snapshot = parse_user(payload, NOW)
    reset = datetime(2025, 3, 5, tzinfo=timezone.utc)
    assert table(snapshot) == [
        ("Chat", 60, PeriodType.MONTHLY, reset),
        ("Completions", 25, PeriodType.MONTHLY, reset),
    ]
    assert snapshot.identity is not None and snapshot.identity.plan == "Free"


def test_free_plan_reset_as_epoch_seconds_and_the_general_reset_as_fallback() -> None:
    payload = {
        "copilot_plan": "free",
        "limited_user_quotas": {"chat": 50},
        "monthly_quotas": {"chat": 50},
        "limited_user_reset_date": 1740787200,
    }
    assert parse_user(payload, NOW).periods[0].resets_at == RESET
    del payload["limited_user_reset_date"]
    payload["quota_reset_date"] = "2025-03-01"
    period = parse_user(payload, NOW).periods[0]
    assert (period.utilization, period.resets_at) == (0, RESET)


def test_free_plan_quota_with_zero_allowance_or_missing_remainder_is_omitted_with_a_note() -> None:
    payload = {
        "copilot_plan": "free",
        "limited_user_quotas": {"chat": 10},
        "monthly_quotas": {"chat": 0, "completions": 2000},
    }
    assert parse_user(payload, NOW).periods == ()
    notes = quota_notes(payload)
    assert "Chat: no monthly allowance on this plan, not shown" in notes
    assert any(n.startswith("Completions:") and "missing" in n for n in notes)


def test_quota_snapshots_win_over_the_free_plan_quotas_for_the_same_id() -> None:
    payload = user(
        {"chat": quota(quota_id="chat", percent_remaining=75.0)},
        limited_user_quotas={"chat": 0, "completions": 1000},
        monthly_quotas={"chat": 50, "completions": 2000},
    )
    assert [(p.name, p.utilization) for p in parse_user(payload, NOW).periods] == [
        ("Chat", 25),
        ("Completions", 50),
    ]


def test_business_seat_with_zero_entitlement_is_omitted_not_shown_as_zero_percent() -> None:
    payload = user(
        {
            "premium_interactions": quota(entitlement=0, remaining=0, percent_remaining=100.0),
            "chat": quota(quota_id="chat", entitlement=0, unlimited=True),
            "completions": quota(quota_id="completions", entitlement=0, unlimited=True),
        },
        copilot_plan="business",
        access_type_sku="copilot_for_business_seat_quota",
        organization_login_list=["acme", "acme-labs"],
    )
    snapshot = parse_user(payload, NOW)
    assert snapshot.periods == ()
    assert quota_notes(payload) == (
        "Premium requests: no monthly allowance (zero entitlement; usage is billed), not shown",
        "Chat: unlimited on this plan, not shown",
        "Completions: unlimited on this plan, not shown",
    )
    identity = snapshot.identity
    assert identity is not None
    assert (identity.login, identity.organization, identity.plan) == (
        "octocat",
        "acme, acme-labs",
        "Business",
    )


def test_over_quota_usage_above_100_percent_is_clamped_to_100_and_noted() -> None:
    payload = user(
        {
            "premium_interactions": quota(
                remaining=-45,
                quota_remaining=-45.0,
                percent_remaining=-15.0,
                overage_count=45,
                overage_permitted=True,
            )
        }
    )
    assert [p.utilization for p in parse_user(payload, NOW).periods] == [100]
    assert quota_notes(payload) == ("Premium requests: 45 requests over the monthly allowance",)


def test_overage_count_means_spent_even_when_percent_remaining_says_otherwise() -> None:
    payload = user({"premium_interactions": quota(percent_remaining=0.5, overage_count=3)})
    assert parse_user(payload, NOW).periods[0].utilization == 100


def test_negative_counts_without_percent_clamp_to_100() -> None:
    payload = user({"premium_interactions": quota(percent_remaining=None, remaining=-600)})
    assert parse_user(payload, NOW).periods[0].utilization == 100


def test_unknown_quota_ids_are_shown_humanised_after_the_known_ones() -> None:
    payload = user(
        {
            "code_review": quota(quota_id="code_review", entitlement=50, percent_remaining=20.0),
            "chat": quota(quota_id="chat", percent_remaining=90.0),
            "agent-sessions": quota(quota_id="agent_sessions", percent_remaining=50.0),
        }
    )
    assert [(p.name, p.utilization) for p in parse_user(payload, NOW).periods] == [
        ("Chat", 10),
        ("Code review", 80),
        ("Agent sessions", 50),
    ]


def test_entries_that_are_not_quotas_are_skipped() -> None:
    payload = user(
        {
            "chat": quota(quota_id="chat", percent_remaining=50.0),
            "metadata": {"version": 3},
            "flags": ["a"],
            "premium_interactions": None,
        }
    )
    assert [p.name for p in parse_user(payload, NOW).periods] == ["Chat"]


def test_known_key_without_quota_id_still_counts() -> None:
    entry = quota(percent_remaining=70.0)
    del entry["quota_id"]
    assert parse_user(user({"premium_interactions": entry}), NOW).periods[0].utilization == 30


def test_counts_are_used_when_percent_remaining_is_missing() -> None:
    payload = user({"premium_interactions": quota(percent_remaining=None, remaining=270)})
    assert parse_user(payload, NOW).periods[0].utilization == 10


def test_float_noise_does_not_lose_a_percent() -> None:
    payload = user({"chat": quota(quota_id="chat", percent_remaining=90.00000000000001)})
    assert parse_user(payload, NOW).periods[0].utilization == 10
    payload = user({"chat": quota(quota_id="chat", percent_remaining=89.99999999999999)})
    assert parse_user(payload, NOW).periods[0].utilization == 10
    payload = user({"chat": quota(quota_id="chat", percent_remaining=90.5)})
    assert parse_user(payload, NOW).periods[0].utilization == 9


def test_numbers_as_strings_are_accepted() -> None:
    payload = user(
        {"chat": quota(quota_id="chat", entitlement="500", percent_remaining="33.5")},
    )
    assert parse_user(payload, NOW).periods[0].utilization == 66


def test_quota_without_percent_or_counts_is_omitted_with_a_note() -> None:
    payload = user({"chat": {"quota_id": "chat", "unlimited": False}})
    assert parse_user(payload, NOW).periods == ()
    assert quota_notes(payload) == ("Chat: no usable percent or counts, not shown",)


@pytest.mark.parametrize("huge", [1e308, "1e999999999", 10**400, float("nan"), float("inf")])
def test_absurd_numbers_do_not_crash(huge: Any) -> None:
    payload = user({"chat": quota(quota_id="chat", percent_remaining=huge, entitlement=huge)})
    try:
        snapshot = parse_user(payload, NOW)
    except VibeusageError as error:  # the only quota is unreadable: nothing could be read
        assert error.category is ErrorCategory.PARSE
        return
    assert all(0 <= p.utilization <= 100 for p in snapshot.periods)


# --- not a usage answer -------------------------------------------------------------------


@pytest.mark.parametrize("payload", [None, [], "text", 3, [fixture()]])
def test_payload_that_is_not_an_object_is_a_parse_error(payload: Any) -> None:
    with pytest.raises(VibeusageError) as caught:
        parse_user(payload, NOW)
    assert caught.value.category is ErrorCategory.PARSE


@pytest.mark.parametrize(
    "payload",
    [{}, {"message": "Bad credentials", "documentation_url": "https://docs.github.com"}],
)
def test_object_without_copilot_information_is_a_parse_error(payload: Any) -> None:
    with pytest.raises(VibeusageError) as caught:
        parse_user(payload, NOW)
    assert caught.value.category is ErrorCategory.PARSE


def test_plan_without_quotas_is_an_empty_snapshot_not_an_error() -> None:
    snapshot = parse_user({"copilot_plan": "enterprise", "login": "octocat"}, NOW)
    assert snapshot.periods == ()
    assert snapshot.identity is not None and snapshot.identity.plan == "Enterprise"


# --- identity and names ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("plan", "sku", "expected"),
    [
        ("individual", "monthly_subscriber_quota", "Pro"),
        ("individual_pro", None, "Pro"),
        ("pro", None, "Pro"),
        ("pro_plus", None, "Pro+"),
        ("individual_plus", None, "Pro+"),
        ("free", None, "Free"),
        ("individual", "free_limited_copilot", "Free"),
        ("business", None, "Business"),
        ("Enterprise", None, "Enterprise"),
        ("team_starter", None, "Team starter"),
        (None, None, None),
        ("", None, None),
        (42, ["sku"], None),
    ],
)
def test_plan_name(plan: Any, sku: Any, expected: Optional[str]) -> None:
    assert plan_name(plan, sku) == expected


def test_identity_ignores_junk_and_is_none_when_empty() -> None:
    assert parse_identity({"login": 5, "organization_login_list": "acme"}) is None
    identity = parse_identity({"login": "x", "organization_login_list": [None, " acme ", 3]})
    assert identity is not None and (identity.login, identity.organization) == ("x", "acme")


def test_quota_names() -> None:
    assert quota_name("premium_interactions") == "Premium requests"
    assert quota_name("completions") == "Completions"
    assert quota_name("code_review_v2") == "Code review v2"


# --- robustness: mutated real payloads ----------------------------------------------------

_JUNK: List[Any] = [
    None,
    "",
    "abc",
    "-3.5",
    -1,
    0,
    10**30,
    1e308,
    float("nan"),
    True,
    [],
    {},
    [1, 2],
    {"x": 1},
]
_NEW_KEYS = ["quota_id", "unlimited", "entitlement", "percent_remaining", "zzz", "remaining"]


def _slots(node: Any, found: List[Any]) -> List[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((node, key))
            _slots(value, found)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((node, index))
            _slots(value, found)
    return found


def _mutate(payload: Any, rng: random.Random) -> Any:
    slots = _slots(payload, [])
    if not slots or rng.random() < 0.1:
        return copy.deepcopy(rng.choice(_JUNK)) if rng.random() < 0.3 else payload
    container, key = rng.choice(slots)
    action = rng.random()
    if action < 0.3 and isinstance(container, dict):
        del container[key]
    elif action < 0.45 and isinstance(
        container.get(key) if isinstance(container, dict) else None, dict
    ):
        container[key][rng.choice(_NEW_KEYS)] = copy.deepcopy(rng.choice(_JUNK))
    else:
        container[key] = copy.deepcopy(rng.choice(_JUNK))
    return payload


def test_parse_user_on_mutated_payloads_returns_a_snapshot_or_raises_a_parse_error() -> None:
    rng = random.Random(20250220)
    originals = [
        fixture(),
        {
            "copilot_plan": "free",
            "limited_user_quotas": {"chat": 20, "completions": 1500},
            "monthly_quotas": {"chat": 50, "completions": 2000},
            "limited_user_reset_date": "2025-03-05",
        },
    ]
    failures: List[str] = []
    for iteration in range(500):
        payload = copy.deepcopy(rng.choice(originals))
        for _ in range(rng.randint(1, 4)):
            payload = _mutate(payload, rng)
        shown = json.dumps(payload, default=str)[:200]
        try:
            snapshot = parse_user(payload, NOW)
            quota_notes(payload)
        except VibeusageError as error:
            if error.category is not ErrorCategory.PARSE:
                failures.append(f"#{iteration}: category {error.category} for {shown}")
            continue
        except Exception as exc:  # noqa: BLE001 - any other exception is the finding
            failures.append(f"#{iteration}: {type(exc).__name__}: {exc!r} for {shown}")
            continue
        for period in snapshot.periods:
            if not 0 <= period.utilization <= 100:
                failures.append(f"#{iteration}: utilization {period.utilization}")
            if period.resets_at is not None and period.resets_at.tzinfo is None:
                failures.append(f"#{iteration}: naive reset")
        json.dumps(snapshot.to_dict(NOW))
    assert failures == [], f"{len(failures)} failures, first: " + "\n".join(failures[:5])
