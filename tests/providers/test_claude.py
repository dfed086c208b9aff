"""Claude provider: pure parsers against real payloads, credentials, and the OAuth strategy."""

import copy
import json
import os
import random
import sys
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from responses import matchers

from tests.conftest import USAGE_URL, Home, load_fixture, usage_calls
from tests.conftest import make_ctx as conftest_make_ctx
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity, UsageSnapshot
from vibeusage.providers.base import FetchContext, FetchResult
from vibeusage.providers.claude.oauth import ClaudeOAuth, parse_credentials, read_credentials
from vibeusage.providers.claude.usage import parse_usage, plan_name

UTC = timezone.utc
NOW = datetime(2026, 7, 2, 20, 0, 0, tzinfo=UTC)

#: A realistic-looking token; its middle part must never show up, even in masked form.
TOKEN = "sk-ant-oat01-Qm9vQmFyQmF6UXV4Q29ycmVjdEhvcnNlQmF0dGVyeVN0YXBsZQ-7Kd9AA"
TOKEN_CORE = "Qm9vQmFyQmF6UXV4Q29ycmVjdEhvcnNl"
REFRESH_TOKEN = "sk-ant-ort01-UmVmcmVzaFRva2VuTmV2ZXJTaG93bkFueXdoZXJlSW5PdXRwdXQ-x1Y2ZZ"
REFRESH_CORE = "UmVmcmVzaFRva2VuTmV2ZXJTaG93bkFueXdoZXJl"

PeriodRow = Tuple[str, int, PeriodType, Optional[datetime], Optional[str]]


def rows(snapshot: UsageSnapshot) -> List[PeriodRow]:
    return [(p.name, p.utilization, p.period_type, p.resets_at, p.model) for p in snapshot.periods]


def fixture(name: str) -> Any:
    return load_fixture(f"claude/{name}")


def usage_with(**buckets: Any) -> Dict[str, Any]:
    """The limits fixture's buckets (without limits[]) with some keys replaced."""
    payload = fixture("oauth-usage-limits.json")
    del payload["limits"]
    payload.update(buckets)
    return payload


def assert_parse_error(payload: Any) -> VibeusageError:
    with pytest.raises(VibeusageError) as info:
        parse_usage(payload, NOW)
    assert info.value.category is ErrorCategory.PARSE
    return info.value


def assert_no_secret(error: VibeusageError, *secrets: str) -> None:
    texts = [str(error), error.message, error.remediation or "", json.dumps(error.to_dict())]
    for secret in secrets + (TOKEN, TOKEN_CORE, REFRESH_TOKEN, REFRESH_CORE):
        for text in texts:
            assert secret not in text


#: The periods of oauth-usage-limits.json, whether they come from the buckets or limits[].
LIMITS_FIXTURE_ROWS = [
    (
        "Session (5h)",
        11,
        PeriodType.SESSION,
        datetime(2026, 7, 3, 0, 30, 0, 282668, tzinfo=UTC),
        None,
    ),
    ("Weekly", 9, PeriodType.WEEKLY, datetime(2026, 7, 8, 9, 0, 0, 282694, tzinfo=UTC), None),
    (
        "Weekly (Fable)",
        5,
        PeriodType.WEEKLY,
        datetime(2026, 7, 8, 9, 0, 0, 283070, tzinfo=UTC),
        "fable",
    ),
]


# --- parse_usage: real fixtures ---------------------------------------------------------------


def test_limits_fixture_periods_come_from_buckets_in_display_order() -> None:
    snapshot = parse_usage(fixture("oauth-usage-limits.json"), NOW)
    assert rows(snapshot) == LIMITS_FIXTURE_ROWS
    assert snapshot.overage is None
    assert snapshot.provider == "claude"
    assert snapshot.fetched_at == NOW
    assert snapshot.source == "oauth"


def test_limits_session_and_weekly_all_entries_duplicating_buckets_are_skipped() -> None:
    payload = fixture("oauth-usage-limits.json")
    # Make the duplicates distinguishable: if they were used, these numbers would show.
    payload["limits"][0]["percent"] = 77
    payload["limits"][1]["percent"] = 66
    snapshot = parse_usage(payload, NOW)
    session = [p for p in snapshot.periods if p.period_type is PeriodType.SESSION]
    weekly_all = [
        p for p in snapshot.periods if p.period_type is PeriodType.WEEKLY and p.model is None
    ]
    assert [p.utilization for p in session] == [11]
    assert [p.utilization for p in weekly_all] == [9]


def test_limits_weekly_scoped_entry_becomes_per_model_weekly_period() -> None:
    snapshot = parse_usage(fixture("oauth-usage-limits.json"), NOW)
    scoped = [p for p in snapshot.periods if p.model is not None]
    assert len(scoped) == 1
    assert scoped[0].name == "Weekly (Fable)"
    assert scoped[0].period_type is PeriodType.WEEKLY
    assert scoped[0].model == "fable"
    assert scoped[0].utilization == 5


def test_limits_weekly_scoped_entry_for_a_model_with_a_bucket_is_not_duplicated() -> None:
    payload = fixture("oauth-usage-limits.json")
    payload["seven_day_sonnet"] = {"utilization": 30.0, "resets_at": "2026-07-08T09:00:00Z"}
    payload["limits"][2]["scope"]["model"]["display_name"] = "Sonnet"
    snapshot = parse_usage(payload, NOW)
    sonnet = [p for p in snapshot.periods if p.model == "sonnet"]
    assert [(p.name, p.utilization) for p in sonnet] == [("Weekly (Sonnet)", 30)]


def test_models_extra_fixture_gives_per_model_weeklies_and_humanised_unknown_bucket() -> None:
    snapshot = parse_usage(fixture("oauth-usage-models-extra.json"), NOW)
    reset = datetime(2025, 2, 26, tzinfo=UTC)
    assert rows(snapshot) == [
        ("Session (5h)", 42, PeriodType.SESSION, datetime(2025, 2, 19, 22, tzinfo=UTC), None),
        ("Weekly", 75, PeriodType.WEEKLY, reset, None),
        ("Weekly (Sonnet)", 60, PeriodType.WEEKLY, reset, "sonnet"),
        ("Weekly (Opus)", 10, PeriodType.WEEKLY, reset, "opus"),
        ("Weekly (Omelette)", 3, PeriodType.WEEKLY, reset, "omelette"),
    ]


def test_models_extra_fixture_extra_usage_cents_become_major_units() -> None:
    overage = parse_usage(fixture("oauth-usage-models-extra.json"), NOW).overage
    assert overage == OverageUsage(
        used=Decimal("5.50"), limit=Decimal("100.00"), currency="USD", is_enabled=True
    )
    assert overage is not None
    assert str(overage.used) == "5.50"
    assert str(overage.limit) == "100.00"


def test_sparse_fixture_drops_null_buckets_and_keeps_unknown_reset_and_full_week() -> None:
    snapshot = parse_usage(fixture("oauth-usage-sparse.json"), NOW)
    assert rows(snapshot) == [
        ("Session (5h)", 0, PeriodType.SESSION, None, None),
        (
            "Weekly",
            100,
            PeriodType.WEEKLY,
            datetime(2026, 1, 17, 13, 59, 59, 602877, tzinfo=UTC),
            None,
        ),
    ]
    names = " ".join(p.name.lower() for p in snapshot.periods)
    assert "iguana" not in names
    assert "oauth" not in names


def test_sparse_fixture_extra_usage_float_cents_without_currency_defaults_to_usd() -> None:
    overage = parse_usage(fixture("oauth-usage-sparse.json"), NOW).overage
    assert overage is not None
    assert overage.used == Decimal("9.63")
    assert str(overage.used) == "9.63"
    assert overage.limit == Decimal("20.00")
    assert overage.currency == "USD"
    assert overage.is_enabled is True


def test_parse_usage_keeps_identity_and_source_given_by_the_caller() -> None:
    identity = ProviderIdentity(plan="Max 5x")
    snapshot = parse_usage(fixture("oauth-usage-sparse.json"), NOW, identity=identity, source="web")
    assert snapshot.identity == identity
    assert snapshot.source == "web"


# --- parse_usage: defensive variants ---------------------------------------------------------


def test_numbers_as_strings_are_accepted_and_floored() -> None:
    payload = usage_with(
        five_hour={"utilization": "45.5", "resets_at": "2026-07-03T00:30:00Z"},
        seven_day={"utilization": "9", "resets_at": "2026-07-08T09:00:00Z"},
    )
    assert [(p.name, p.utilization) for p in parse_usage(payload, NOW).periods] == [
        ("Session (5h)", 45),
        ("Weekly", 9),
    ]


def test_utilization_above_100_is_clamped_to_100() -> None:
    payload = usage_with(five_hour={"utilization": 187.3, "resets_at": None})
    assert parse_usage(payload, NOW).periods[0].utilization == 100


def test_negative_utilization_is_clamped_to_0() -> None:
    payload = usage_with(five_hour={"utilization": -12.5, "resets_at": None})
    assert parse_usage(payload, NOW).periods[0].utilization == 0


def test_float_noise_does_not_lose_a_percent() -> None:
    payload = usage_with(five_hour={"utilization": (1 - 0.9) * 100, "resets_at": None})
    assert parse_usage(payload, NOW).periods[0].utilization == 10


def test_huge_utilization_is_clamped_instead_of_crashing() -> None:
    payload = usage_with(five_hour={"utilization": 1e300, "resets_at": None})
    assert parse_usage(payload, NOW).periods[0].utilization == 100


def test_huge_integer_limit_percent_is_clamped_instead_of_crashing() -> None:
    payload = fixture("oauth-usage-limits.json")
    payload["limits"][2]["percent"] = 10**30
    scoped = [p for p in parse_usage(payload, NOW).periods if p.model == "fable"]
    assert [p.utilization for p in scoped] == [100]


def test_missing_resets_at_gives_a_period_without_reset_time() -> None:
    payload = usage_with(five_hour={"utilization": 20.0})
    period = parse_usage(payload, NOW).periods[0]
    assert (period.name, period.utilization, period.resets_at) == ("Session (5h)", 20, None)


@pytest.mark.parametrize("garbage", ["soon", "2026-13-45T99:99:99Z", "", 1751500000, [], {}])
def test_garbage_resets_at_gives_a_period_without_reset_time(garbage: Any) -> None:
    payload = usage_with(five_hour={"utilization": 20.0, "resets_at": garbage})
    period = parse_usage(payload, NOW).periods[0]
    assert (period.name, period.utilization, period.resets_at) == ("Session (5h)", 20, None)


@pytest.mark.parametrize("bad", [[11.0, "2026-07-03T00:30:00Z"], "11.0", 11, True, {}])
def test_bucket_that_is_not_an_object_is_dropped(bad: Any) -> None:
    payload = usage_with(five_hour=bad)
    assert [p.name for p in parse_usage(payload, NOW).periods] == ["Weekly"]


@pytest.mark.parametrize("bad", [None, "n/a", "NaN", "Infinity", [], {}, True])
def test_bucket_with_unusable_utilization_is_dropped(bad: Any) -> None:
    payload = usage_with(five_hour={"utilization": bad, "resets_at": "2026-07-03T00:30:00Z"})
    assert [p.name for p in parse_usage(payload, NOW).periods] == ["Weekly"]


def test_limits_junk_entries_are_ignored() -> None:
    payload = fixture("oauth-usage-limits.json")
    payload["limits"] = [
        None,
        "weekly",
        42,
        [],
        {"kind": "weekly_scoped", "group": "weekly", "scope": {"model": {"display_name": "X"}}},
        {"kind": "weekly_scoped", "group": "weekly", "percent": None},
        {"kind": "mystery", "group": "eon", "percent": 50},
        {"kind": "weekly_scoped", "percent": "oops", "scope": "Fable"},
    ] + payload["limits"]
    assert rows(parse_usage(payload, NOW)) == rows(
        parse_usage(fixture("oauth-usage-limits.json"), NOW)
    )


@pytest.mark.parametrize("limits", [None, "limits", 3, {"kind": "session"}])
def test_limits_that_is_not_a_list_is_ignored(limits: Any) -> None:
    payload = fixture("oauth-usage-limits.json")
    payload["limits"] = limits
    assert [p.name for p in parse_usage(payload, NOW).periods] == ["Session (5h)", "Weekly"]


def test_limits_only_payload_produces_session_and_weekly_periods() -> None:
    payload = {"limits": fixture("oauth-usage-limits.json")["limits"]}
    assert rows(parse_usage(payload, NOW)) == LIMITS_FIXTURE_ROWS


def test_limits_scoped_entry_falls_back_to_model_id_when_display_name_is_null() -> None:
    payload = fixture("oauth-usage-limits.json")
    payload["limits"][2]["scope"]["model"] = {"id": "claude-fable-5", "display_name": None}
    scoped = [p for p in parse_usage(payload, NOW).periods if p.model is not None]
    assert [p.model for p in scoped] == ["claude-fable-5"]


def test_unknown_non_prefixed_bucket_with_utilization_is_shown_under_humanised_name() -> None:
    resets = NOW + timedelta(days=3)
    payload = usage_with(
        iguana_necktie={"utilization": 7.9, "resets_at": resets.isoformat()},
    )
    extra = [
        p for p in parse_usage(payload, NOW).periods if p.name not in ("Session (5h)", "Weekly")
    ]
    assert [(p.name, p.utilization, p.resets_at, p.model) for p in extra] == [
        ("Iguana Necktie", 7, resets, None)
    ]


def test_unknown_bucket_without_utilization_is_dropped() -> None:
    payload = usage_with(seven_day_cowork={"resets_at": "2026-07-08T09:00:00Z"})
    assert [p.name for p in parse_usage(payload, NOW).periods] == ["Session (5h)", "Weekly"]


def test_extra_usage_without_monthly_limit_means_no_cap() -> None:
    payload = fixture("oauth-usage-models-extra.json")
    payload["extra_usage"]["monthly_limit"] = None
    overage = parse_usage(payload, NOW).overage
    assert overage is not None
    assert overage.limit is None
    assert overage.used == Decimal("5.50")


def test_extra_usage_amounts_as_strings_are_converted_from_cents() -> None:
    payload = fixture("oauth-usage-models-extra.json")
    payload["extra_usage"].update(used_credits="1234", monthly_limit="5000")
    overage = parse_usage(payload, NOW).overage
    assert overage is not None
    assert (overage.used, overage.limit) == (Decimal("12.34"), Decimal("50.00"))


def test_extra_usage_disabled_is_reported_disabled() -> None:
    payload = fixture("oauth-usage-models-extra.json")
    payload["extra_usage"]["is_enabled"] = False
    overage = parse_usage(payload, NOW).overage
    assert overage is not None
    assert overage.is_enabled is False


def test_extra_usage_with_huge_amounts_does_not_crash() -> None:
    payload = fixture("oauth-usage-models-extra.json")
    payload["extra_usage"]["used_credits"] = 1e300
    snapshot = parse_usage(payload, NOW)
    assert [p.name for p in snapshot.periods][:2] == ["Session (5h)", "Weekly"]


@pytest.mark.parametrize("extra", [None, "none", [], {"is_enabled": False}])
def test_extra_usage_without_amounts_gives_no_overage(extra: Any) -> None:
    payload = fixture("oauth-usage-models-extra.json")
    payload["extra_usage"] = extra
    assert parse_usage(payload, NOW).overage is None


@pytest.mark.parametrize(
    "payload",
    [[], [fixture("oauth-usage-limits.json")], "five_hour", None, 42, True],
    ids=["empty-list", "list-of-usage", "string", "none", "int", "bool"],
)
def test_payload_that_is_not_an_object_is_a_parse_error(payload: Any) -> None:
    assert_parse_error(payload)


def test_organizations_list_instead_of_usage_is_a_parse_error() -> None:
    assert_parse_error(fixture("web-organizations.json"))


def test_empty_object_is_a_parse_error() -> None:
    error = assert_parse_error({})
    assert "Claude" in error.message


def test_api_error_object_is_a_parse_error() -> None:
    assert_parse_error(
        {
            "type": "error",
            "error": {"type": "authentication_error", "message": "OAuth token has expired."},
        }
    )


def test_only_null_known_buckets_is_an_empty_snapshot_not_an_error() -> None:
    snapshot = parse_usage({"five_hour": None, "seven_day": None}, NOW)
    assert snapshot.periods == ()
    assert snapshot.overage is None


# --- parse_usage: seeded mutation loop ------------------------------------------------------

_JUNK: Tuple[Any, ...] = (
    None,
    "",
    "garbage",
    "45.5",
    "-3",
    "1e400",
    "NaN",
    "2026-13-45T99:99:99Z",
    [],
    [None, "x", 3, {}],
    {},
    {"utilization": None},
    {"utilization": "lots", "resets_at": 12},
    {"nested": [{"deeper": {"x": [None, [], {}]}}]},
    10**30,
    -(10**30),
    1e308,
    -1e308,
    float("inf"),
    float("nan"),
    0,
    -1,
    True,
    False,
    99.999999,
)

_NEW_KEYS = ("seven_day_new", "five_hour_x", "mystery_bucket", "limits", "extra_usage", "scope")


def _slots(node: Any) -> List[Tuple[Any, Any]]:
    """Every (container, key) pair in a JSON tree."""
    found: List[Tuple[Any, Any]] = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((node, key))
            found.extend(_slots(value))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((node, index))
            found.extend(_slots(value))
    return found


def _mutate(payload: Any, rng: random.Random) -> Any:
    if rng.random() < 0.03:
        return copy.deepcopy(rng.choice(_JUNK))
    slots = _slots(payload)
    action = rng.random()
    if not slots or action < 0.15:
        containers = [payload] + [c for c, k in slots if isinstance(c[k], (dict, list))]
        target = rng.choice(containers)
        if isinstance(target, dict):
            target[rng.choice(_NEW_KEYS)] = copy.deepcopy(rng.choice(_JUNK))
        elif isinstance(target, list):
            target.append(copy.deepcopy(rng.choice(_JUNK)))
        return payload
    container, key = rng.choice(slots)
    if action < 0.45:
        del container[key]
    else:
        container[key] = copy.deepcopy(rng.choice(_JUNK))
    return payload


def _check_snapshot(snapshot: Any) -> Optional[str]:
    if not isinstance(snapshot, UsageSnapshot):
        return f"returned {type(snapshot).__name__}"
    for period in snapshot.periods:
        if not isinstance(period.utilization, int) or not 0 <= period.utilization <= 100:
            return f"utilization {period.utilization!r}"
        if period.resets_at is not None and period.resets_at.tzinfo is None:
            return "naive resets_at"
    try:
        json.dumps(snapshot.to_dict(NOW))
    except Exception as exc:  # noqa: BLE001 - any failure is the finding
        return f"to_dict/json failed: {type(exc).__name__}"
    return None


def test_parse_usage_on_mutated_fixtures_returns_a_snapshot_or_raises_vibeusage_error() -> None:
    rng = random.Random(20260702)
    names = ("oauth-usage-limits.json", "oauth-usage-models-extra.json", "oauth-usage-sparse.json")
    originals = [fixture(name) for name in names]
    failures: List[str] = []
    for iteration in range(400):
        payload = copy.deepcopy(rng.choice(originals))
        for _ in range(rng.randint(1, 4)):
            payload = _mutate(payload, rng)
        shown = json.dumps(payload)[:200]
        try:
            snapshot = parse_usage(payload, NOW)
        except VibeusageError as error:
            if error.category is not ErrorCategory.PARSE:
                failures.append(f"#{iteration}: category {error.category} for {shown}")
            continue
        except Exception as exc:  # noqa: BLE001 - any other exception is the finding
            failures.append(f"#{iteration}: {type(exc).__name__}: {exc!r} for {shown}")
            continue
        problem = _check_snapshot(snapshot)
        if problem:
            failures.append(f"#{iteration}: {problem} for {shown}")
    assert failures == [], f"{len(failures)} failures, first: " + "\n".join(failures[:5])


# --- plan_name ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("subscription", "tier", "expected"),
    [
        ("max", "default_claude_max_5x", "Max 5x"),
        ("max", "default_claude_max_20x", "Max 20x"),
        (None, "default_claude_max_20x", "Max 20x"),
        (None, "default_claude_max_5x", "Max 5x"),
        ("pro", None, "Pro"),
        ("team", None, "Team"),
        ("enterprise", None, "Enterprise"),
        ("max", None, "Max"),
        (None, None, None),
        ("", "", None),
        ("business_plus", None, "Business Plus"),
        ("starter", None, "Starter"),
    ],
)
def test_plan_name(
    subscription: Optional[str], tier: Optional[str], expected: Optional[str]
) -> None:
    assert plan_name(subscription, tier) == expected


# --- credentials ---------------------------------------------------------------------------------


def write_raw(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def assert_auth_error(error: VibeusageError) -> None:
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "`claude" in (error.remediation or "")
    assert_no_secret(error)


def test_read_credentials_reads_the_real_fixture_shape(home: Home) -> None:
    home.write_claude_credentials()
    creds = read_credentials(home.claude_credentials)
    assert creds.access_token == "sk-ant-oat01-EXAMPLE"
    assert creds.expires_at == datetime(2030, 1, 1, tzinfo=UTC)
    assert creds.scopes == ("user:inference", "user:profile")
    assert creds.subscription_type == "max"
    assert creds.rate_limit_tier == "default_claude_max_5x"


def test_expires_at_milliseconds_keep_their_fraction() -> None:
    data = fixture("credentials.json")
    data["claudeAiOauth"]["expiresAt"] = 1893456000123
    creds = parse_credentials(data, Path("/x/.credentials.json"))
    assert creds.expires_at == datetime(2030, 1, 1, 0, 0, 0, 123000, tzinfo=UTC)


def test_missing_expires_at_means_unknown_expiry() -> None:
    data = fixture("credentials.json")
    del data["claudeAiOauth"]["expiresAt"]
    assert parse_credentials(data, Path("/x/.credentials.json")).expires_at is None


def test_absurd_expires_at_does_not_crash_credentials_parsing() -> None:
    data = fixture("credentials.json")
    data["claudeAiOauth"]["expiresAt"] = 10**400
    try:
        creds = parse_credentials(data, Path("/x/.credentials.json"))
    except VibeusageError as error:
        assert error.category is ErrorCategory.AUTHENTICATION
    else:
        assert creds.expires_at is None


def test_non_string_scopes_are_ignored() -> None:
    data = fixture("credentials.json")
    data["claudeAiOauth"]["scopes"] = ["user:profile", None, 3, ["x"]]
    assert parse_credentials(data, Path("/x/.credentials.json")).scopes == ("user:profile",)


def test_missing_credentials_file_is_an_authentication_error(home: Home) -> None:
    with pytest.raises(VibeusageError) as info:
        read_credentials(home.claude_credentials)
    assert_auth_error(info.value)
    assert str(home.claude_credentials) in info.value.message


def test_invalid_json_credentials_is_an_authentication_error_without_the_token(home: Home) -> None:
    path = write_raw(
        home.claude_credentials,
        '{"claudeAiOauth": {"accessToken": "' + TOKEN + '", "refreshToken": "' + REFRESH_TOKEN,
    )
    with pytest.raises(VibeusageError) as info:
        read_credentials(path)
    assert_auth_error(info.value)


def test_non_utf8_credentials_is_an_authentication_error(home: Home) -> None:
    home.claude_credentials.parent.mkdir(parents=True)
    home.claude_credentials.write_bytes(b'{"claudeAiOauth": {"accessToken": "\xff\xfe"}}')
    with pytest.raises(VibeusageError) as info:
        read_credentials(home.claude_credentials)
    assert_auth_error(info.value)


@pytest.mark.parametrize(
    "data",
    [
        {"oauth": {"accessToken": TOKEN, "refreshToken": REFRESH_TOKEN}},
        {"claudeAiOauth": None},
        {"claudeAiOauth": TOKEN},
        {"claudeAiOauth": {"accessToken": "", "refreshToken": REFRESH_TOKEN}},
        {"claudeAiOauth": {"accessToken": "   ", "refreshToken": REFRESH_TOKEN}},
        {"claudeAiOauth": {"accessToken": None, "refreshToken": REFRESH_TOKEN}},
        {"claudeAiOauth": {"accessToken": 12345678, "refreshToken": REFRESH_TOKEN}},
        {"claudeAiOauth": {"refreshToken": REFRESH_TOKEN}},
        [TOKEN],
        TOKEN,
        None,
    ],
    ids=[
        "no-claudeAiOauth",
        "null-entry",
        "string-entry",
        "empty-token",
        "blank-token",
        "null-token",
        "number-token",
        "missing-token",
        "list",
        "string",
        "null",
    ],
)
def test_unusable_credentials_are_an_authentication_error(data: Any, home: Home) -> None:
    with pytest.raises(VibeusageError) as info:
        parse_credentials(data, home.claude_credentials)
    assert_auth_error(info.value)


@pytest.mark.parametrize("data", [{"oauth": {}}, {"claudeAiOauth": {"accessToken": ""}}])
def test_unusable_credentials_file_on_disk_is_an_authentication_error(
    data: Any, home: Home
) -> None:
    write_raw(home.claude_credentials, json.dumps(data))
    with pytest.raises(VibeusageError) as info:
        read_credentials(home.claude_credentials)
    assert_auth_error(info.value)


# --- the OAuth strategy ----------------------------------------------------------------------


def make_ctx(home: Home, **environ: str) -> FetchContext:
    env = dict(os.environ)
    env["HOME"] = str(home.root)
    env.update(environ)
    return conftest_make_ctx("claude", home.root, env, clock=lambda: NOW, platform=sys.platform)


def write_token(home: Home, **overrides: Any) -> Dict[str, Any]:
    values: Dict[str, Any] = {"accessToken": TOKEN, "refreshToken": REFRESH_TOKEN}
    values.update(overrides)
    return home.write_claude_credentials(**values)


def fail_with(mocked: Any, home: Home, status: int, **kwargs: Any) -> FetchResult:
    mocked.get(USAGE_URL, status=status, json={"error": {"type": "x"}}, **kwargs)
    result = ClaudeOAuth().fetch(make_ctx(home))
    assert not result.success
    assert result.snapshot is None
    assert result.error is not None
    assert_no_secret(result.error)
    return result


def test_oauth_unavailable_without_credentials_file(home: Home, mocked: Any) -> None:
    assert ClaudeOAuth().available(make_ctx(home)) is False
    assert len(mocked.calls) == 0


def test_oauth_available_with_credentials_file(home: Home, mocked: Any) -> None:
    write_token(home)
    assert ClaudeOAuth().available(make_ctx(home)) is True
    assert len(mocked.calls) == 0


def test_oauth_unavailable_when_credentials_path_is_a_directory(home: Home) -> None:
    home.claude_credentials.mkdir(parents=True)
    assert ClaudeOAuth().available(make_ctx(home)) is False


def test_oauth_honours_claude_config_dir_for_availability(home: Home, tmp_path: Path) -> None:
    other = tmp_path / "claude-config"
    write_raw(other / ".credentials.json", json.dumps(fixture("credentials.json")))
    assert ClaudeOAuth().available(make_ctx(home, CLAUDE_CONFIG_DIR=str(other))) is True
    assert ClaudeOAuth().available(make_ctx(home)) is False


def test_oauth_uses_the_token_from_claude_config_dir(
    home: Home, mocked: Any, tmp_path: Path
) -> None:
    write_token(home, accessToken="sk-ant-oat01-HomeDirectoryTokenShouldNotBeUsed")
    other = tmp_path / "claude-config"
    data = fixture("credentials.json")
    data["claudeAiOauth"]["accessToken"] = TOKEN
    write_raw(other / ".credentials.json", json.dumps(data))
    mocked.get(
        USAGE_URL,
        json=fixture("oauth-usage-limits.json"),
        match=[matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"})],
    )
    result = ClaudeOAuth().fetch(make_ctx(home, CLAUDE_CONFIG_DIR=str(other)))
    assert result.success
    assert len(usage_calls(mocked)) == 1


def test_oauth_request_carries_bearer_beta_accept_and_user_agent(home: Home, mocked: Any) -> None:
    write_token(home)
    mocked.get(
        USAGE_URL,
        json=fixture("oauth-usage-limits.json"),
        match=[
            matchers.header_matcher(
                {
                    "Authorization": f"Bearer {TOKEN}",
                    "anthropic-beta": "oauth-2025-04-20",
                    "Accept": "application/json",
                }
            )
        ],
    )
    result = ClaudeOAuth().fetch(make_ctx(home))
    assert result.success
    assert len(usage_calls(mocked)) == 1
    request = usage_calls(mocked)[0].request
    assert request.method == "GET"
    assert request.url == USAGE_URL
    assert request.headers["User-Agent"].startswith("vibeusage/")


def test_oauth_request_has_a_connect_and_read_timeout(home: Home, mocked: Any) -> None:
    write_token(home)
    mocked.get(USAGE_URL, json=fixture("oauth-usage-limits.json"))
    ClaudeOAuth().fetch(make_ctx(home))
    timeout = usage_calls(mocked)[0].request.req_kwargs["timeout"]
    assert timeout is not None
    assert tuple(timeout) == (5.0, 5.0)


def test_oauth_success_gives_snapshot_with_source_and_plan(home: Home, mocked: Any) -> None:
    write_token(home)
    mocked.get(USAGE_URL, json=fixture("oauth-usage-models-extra.json"))
    result = ClaudeOAuth().fetch(make_ctx(home))
    assert result.success
    assert result.error is None
    snapshot = result.snapshot
    assert snapshot is not None
    assert snapshot.source == "oauth"
    assert snapshot.provider == "claude"
    assert snapshot.fetched_at == NOW
    assert snapshot.identity is not None
    assert snapshot.identity.plan == "Max 5x"
    assert rows(snapshot) == rows(parse_usage(fixture("oauth-usage-models-extra.json"), NOW))
    assert snapshot.overage is not None
    assert snapshot.overage.used == Decimal("5.50")


def test_oauth_plan_comes_from_subscription_type_without_tier(home: Home, mocked: Any) -> None:
    write_token(home, subscriptionType="pro", rateLimitTier=None)
    mocked.get(USAGE_URL, json=fixture("oauth-usage-sparse.json"))
    result = ClaudeOAuth().fetch(make_ctx(home))
    assert result.snapshot is not None
    assert result.snapshot.identity is not None
    assert result.snapshot.identity.plan == "Pro"


def test_oauth_never_writes_the_credentials_file(home: Home, mocked: Any) -> None:
    write_token(home)
    before = home.claude_credentials.read_bytes()
    mtime = home.claude_credentials.stat().st_mtime_ns
    mocked.get(USAGE_URL, status=401, json={"error": "expired"})
    ClaudeOAuth().fetch(make_ctx(home))
    assert home.claude_credentials.read_bytes() == before
    assert home.claude_credentials.stat().st_mtime_ns == mtime


def test_oauth_401_is_authentication_error_telling_to_run_claude(home: Home, mocked: Any) -> None:
    write_token(home)
    error = fail_with(mocked, home, 401).error
    assert error is not None
    assert error.category is ErrorCategory.AUTHENTICATION
    assert "`claude" in error.remediation
    assert error.status_code == 401


def test_oauth_403_with_inference_only_token_explains_setup_token_scope(
    home: Home, mocked: Any
) -> None:
    write_token(home, scopes=["user:inference"])
    error = fail_with(mocked, home, 403).error
    assert error is not None
    assert error.category is ErrorCategory.AUTHORIZATION
    assert "setup-token" in error.remediation
    assert "user:inference" in error.remediation


def test_oauth_403_with_full_scopes_is_authorization_error(home: Home, mocked: Any) -> None:
    write_token(home, scopes=["user:inference", "user:profile"])
    error = fail_with(mocked, home, 403).error
    assert error is not None
    assert error.category is ErrorCategory.AUTHORIZATION
    assert "setup-token" not in error.remediation
    assert error.status_code == 403


@pytest.mark.parametrize(("header", "expected"), [("0", 300.0), ("120", 120.0)])
def test_oauth_429_is_rate_limited_with_retry_after(
    header: str, expected: float, home: Home, mocked: Any
) -> None:
    write_token(home)
    result = fail_with(mocked, home, 429, headers={"Retry-After": header})
    assert result.error is not None
    assert result.error.category is ErrorCategory.RATE_LIMITED
    assert result.error.retry_after == expected
    assert result.should_fallback is True


def test_oauth_429_without_retry_after_waits_five_minutes(home: Home, mocked: Any) -> None:
    write_token(home)
    error = fail_with(mocked, home, 429).error
    assert error is not None
    assert error.retry_after == 300.0


def test_oauth_500_is_provider_error(home: Home, mocked: Any) -> None:
    write_token(home)
    error = fail_with(mocked, home, 500).error
    assert error is not None
    assert error.category is ErrorCategory.PROVIDER
    assert error.status_code == 500


def test_oauth_html_page_with_200_is_a_parse_error(home: Home, mocked: Any) -> None:
    write_token(home)
    mocked.get(
        USAGE_URL,
        body=f"<html><body>Please log in. token={TOKEN}</body></html>",
        status=200,
        content_type="text/html",
    )
    with pytest.raises(VibeusageError) as info:
        ClaudeOAuth().run(make_ctx(home))
    assert info.value.category is ErrorCategory.PARSE
    assert "HTML" in info.value.message
    assert_no_secret(info.value)


def test_oauth_200_with_error_object_is_a_parse_error(home: Home, mocked: Any) -> None:
    write_token(home)
    mocked.get(USAGE_URL, json={"type": "error", "error": {"type": "api_error"}})
    with pytest.raises(VibeusageError) as info:
        ClaudeOAuth().run(make_ctx(home))
    assert info.value.category is ErrorCategory.PARSE
    assert_no_secret(info.value)


def test_oauth_expired_token_refused_without_claude_is_an_auth_error(
    home: Home, mocked: Any
) -> None:
    expired_ms = int((NOW - timedelta(minutes=1)).timestamp() * 1000)
    write_token(home, expiresAt=expired_ms)
    mocked.get(USAGE_URL, status=401, json={"type": "error"})
    result = ClaudeOAuth().fetch(make_ctx(home))
    assert len(mocked.calls) == 1
    assert not result.success
    assert result.error is not None
    assert_auth_error(result.error)


def test_oauth_token_valid_one_minute_more_is_used(home: Home, mocked: Any) -> None:
    valid_ms = int((NOW + timedelta(minutes=1)).timestamp() * 1000)
    write_token(home, expiresAt=valid_ms)
    mocked.get(USAGE_URL, json=fixture("oauth-usage-limits.json"))
    result = ClaudeOAuth().fetch(make_ctx(home))
    assert result.success
    assert len(usage_calls(mocked)) == 1


def test_oauth_missing_credentials_at_fetch_is_authentication_error(
    home: Home, mocked: Any
) -> None:
    with pytest.raises(VibeusageError) as info:
        ClaudeOAuth().run(make_ctx(home))
    assert_auth_error(info.value)
    assert len(mocked.calls) == 0


def test_a_limit_of_an_unknown_length_is_noted_not_dropped_in_silence():
    from vibeusage.providers.claude.usage import parse_usage as parse

    payload = {"limits": [{"kind": "fortnight_all", "group": "fortnight", "percent": 5}]}
    snapshot = parse(payload, datetime(2026, 7, 3, tzinfo=timezone.utc))
    assert snapshot.periods == ()
    assert snapshot.notes == ("fortnight_all: a window of an unknown length, not shown",)
