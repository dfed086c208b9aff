"""Vertex AI's pure parser: Cloud Monitoring usage and limit series joined into periods, on the
shared fixtures (the paged listing, the limits, CodexBar's allocation fixtures) and on series
built here for each rule (sum across methods, peak minute, Pacific day, smallest limit,
regions kept apart, unlimited markers, names), plus Pacific midnight with and without tzdata.
"""

import copy
from datetime import datetime, timedelta, timezone
from typing import Any, Dict, List, Optional

import pytest

from tests.conftest import load_fixture
from tests.providers.vertexai_support import (
    FIXTURE_PERIODS,
    NOW,
    limit_pages,
    usage_pages,
)
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import PeriodType, ProviderIdentity, UsageSnapshot
from vibeusage.providers.vertexai.pacific import pacific_midnights, rule_midnights, utc_offset
from vibeusage.providers.vertexai.usage import (
    NO_RECENT_USE_NOTE,
    NO_USE_NOTE,
    limit_window,
    page_series,
    parse_quotas,
    quota_title,
)

UTC = timezone.utc
GCR = "aiplatform.googleapis.com/generate_content_requests"


def all_usage() -> List[Any]:
    return [s for page in usage_pages() for s in page["timeSeries"]]


def all_limits() -> List[Any]:
    return [s for page in limit_pages() for s in page["timeSeries"]]


def rows(snapshot: UsageSnapshot) -> List[Any]:
    return [
        (
            p.name,
            p.utilization,
            p.period_type.value,
            p.resets_at.isoformat() if p.resets_at else None,
        )
        for p in snapshot.periods
    ]


def usage_series(
    points: Dict[datetime, Any],
    quota: str = GCR,
    location: Optional[str] = "us-central1",
    method: str = "GenerateContent",
    **labels: str,
) -> Dict[str, Any]:
    resource: Dict[str, Any] = {"type": "consumer_quota", "labels": {"project_id": "p"}}
    if location is not None:
        resource["labels"]["location"] = location
    ordered = sorted(points.items(), reverse=True)  # newest first, as Monitoring sends them
    return {
        "metric": {
            "type": "serviceruntime.googleapis.com/quota/rate/net_usage",
            "labels": {"quota_metric": quota, "method": method, **labels},
        },
        "resource": resource,
        "points": [
            {
                "interval": {
                    "startTime": (end - timedelta(minutes=1)).isoformat().replace("+00:00", "Z"),
                    "endTime": end.isoformat().replace("+00:00", "Z"),
                },
                "value": {"int64Value": str(v)} if isinstance(v, int) else {"doubleValue": v},
            }
            for end, v in ordered
        ],
    }


def limit_series(
    name: str, value: Any, quota: str = GCR, location: Optional[str] = "us-central1", **labels: str
) -> Dict[str, Any]:
    resource: Dict[str, Any] = {"type": "consumer_quota", "labels": {}}
    if location is not None:
        resource["labels"]["location"] = location
    return {
        "metric": {
            "type": "serviceruntime.googleapis.com/quota/limit",
            "labels": {"quota_metric": quota, "limit_name": name, **labels},
        },
        "resource": resource,
        "points": [{"value": {"int64Value": str(value)}}],
    }


def minutes_ago(*minutes: int) -> List[datetime]:
    return [NOW.replace(second=0) - timedelta(minutes=m) for m in minutes]


# --- the shared fixtures ------------------------------------------------------------------------


def test_paged_fixtures_give_two_minute_windows_and_one_daily_window() -> None:
    snapshot = parse_quotas(all_usage(), all_limits(), NOW)
    assert rows(snapshot) == FIXTURE_PERIODS
    assert snapshot.provider == "vertexai" and snapshot.notes == ()
    assert all(p.model is None for p in snapshot.periods)


def test_methods_are_summed_per_minute_before_the_peak_is_taken() -> None:
    """17:59 has 30 + 14 = 44 requests; no single method reaches 44 % of the limit of 100."""
    snapshot = parse_quotas(all_usage(), all_limits(), NOW)
    assert snapshot.periods[0].utilization == 44


def test_smallest_of_two_per_minute_limits_binds() -> None:
    """The fixture has 200 per base model and 100 per project: 44 used is 44 %, not 22 %."""
    limits = [s for s in all_limits() if s["resource"]["labels"]["location"] == "us-central1"]
    snapshot = parse_quotas(all_usage(), limits, NOW)
    assert snapshot.periods[0].utilization == 44


def test_region_without_use_unlimited_markers_and_allocation_limits_are_not_shown() -> None:
    snapshot = parse_quotas(all_usage(), all_limits(), NOW)
    names = " ".join(p.name for p in snapshot.periods)
    assert "europe-west4" not in names
    assert "Unlimited" not in names
    assert "Reasoning" not in names


def test_empty_listing_is_a_snapshot_without_periods_and_the_dsq_note() -> None:
    series, token = page_series(load_fixture("vertexai/timeseries-empty.json"))
    assert (series, token) == ([], None)
    snapshot = parse_quotas(series, [], NOW)
    assert snapshot.periods == ()
    assert snapshot.notes == (NO_USE_NOTE,)


def test_page_series_returns_the_next_page_token_only_when_there_is_one() -> None:
    first, second = usage_pages()
    assert page_series(first)[1] == first["nextPageToken"]
    assert page_series(second)[1] is None
    assert page_series({"timeSeries": [], "nextPageToken": ""})[1] is None


@pytest.mark.parametrize("token", ["\ud800", "a\x00b", "é", 5, ["t"]])
def test_a_page_token_that_cannot_be_sent_back_is_a_parse_error(token: Any) -> None:
    with pytest.raises(VibeusageError) as caught:
        page_series({"timeSeries": [], "nextPageToken": token})
    assert caught.value.category is ErrorCategory.PARSE


@pytest.mark.parametrize("payload", [None, [], "x", 3])
def test_a_page_that_is_not_an_object_is_a_parse_error(payload: Any) -> None:
    with pytest.raises(VibeusageError) as caught:
        page_series(payload)
    assert caught.value.category is ErrorCategory.PARSE


def test_time_series_that_are_not_a_list_are_a_parse_error() -> None:
    with pytest.raises(VibeusageError):
        page_series({"timeSeries": {"a": 1}})


def test_codexbar_exact_named_limits_smallest_binds_against_rate_usage() -> None:
    limits = load_fixture("vertexai/cb-exact-named-limits.json")["timeSeries"]
    usage = [usage_series({minutes_ago(3)[0]: 25}, location="global")]
    snapshot = parse_quotas(usage, limits, NOW)
    assert rows(snapshot) == [
        ("Generate content requests per minute (global)", 50, "session", None)
    ]


@pytest.mark.parametrize(
    "usage_file, limits_file",
    [
        ("cb-exact-named-usage.json", "cb-exact-named-limits.json"),
        (
            "cb-issue-2958-usage-without-limit-name.json",
            "cb-issue-2958-regional-and-global-limits.json",
        ),
        ("cb-issue-2958-usage-without-limit-name.json", "cb-ambiguous-regional-limits.json"),
    ],
)
def test_codexbar_allocation_fixtures_are_not_rate_limits_and_give_no_period(
    usage_file: str, limits_file: str
) -> None:
    usage = load_fixture(f"vertexai/{usage_file}")["timeSeries"]
    limits = load_fixture(f"vertexai/{limits_file}")["timeSeries"]
    snapshot = parse_quotas(usage, limits, NOW)
    assert snapshot.periods == ()
    assert snapshot.notes == (NO_RECENT_USE_NOTE,)


def test_allocation_limits_without_minute_or_day_never_join_rate_usage() -> None:
    limits = load_fixture("vertexai/cb-issue-2958-regional-and-global-limits.json")["timeSeries"]
    usage = [
        usage_series(
            {minutes_ago(2)[0]: 5},
            quota="aiplatform.googleapis.com/reasoning_engine_service_entities",
            location="us-west1",
        )
    ]
    snapshot = parse_quotas(usage, limits, NOW)
    assert snapshot.periods == ()
    assert any("no per-minute or per-day limit" in note for note in snapshot.notes)


# --- windows ------------------------------------------------------------------------------------


def test_minute_window_is_the_peak_minute_of_the_last_hour_only() -> None:
    old, recent, latest = minutes_ago(61, 30, 1)
    usage = [usage_series({old: 90, recent: 20, latest: 10})]
    snapshot = parse_quotas(
        usage, [limit_series("GenerateContentRequestsPerMinutePerProject", 100)], NOW
    )
    assert rows(snapshot) == [
        ("Generate content requests per minute (us-central1)", 20, "session", None)
    ]


def test_day_window_sums_from_pacific_midnight_and_resets_at_the_next() -> None:
    midnight = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)  # 00:00 PST
    usage = [
        usage_series(
            {midnight: 500, midnight + timedelta(minutes=1): 300, NOW.replace(second=0): 200}
        )
    ]
    snapshot = parse_quotas(
        usage, [limit_series("GenerateContentRequestsPerDayPerProject", 1000)], NOW
    )
    period = snapshot.periods[0]
    assert (period.period_type, period.utilization) == (PeriodType.DAILY, 50)  # 500 was yesterday's
    assert period.resets_at == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert period.name == "Generate content requests per day (us-central1)"


def test_day_window_in_summer_uses_pacific_daylight_time() -> None:
    now = datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    usage = [usage_series({now - timedelta(hours=6): 10})]  # 06:00Z = 23:00 PDT the day before
    usage.append(usage_series({now - timedelta(hours=4): 7}, method="Stream"))  # 01:00 PDT today
    snapshot = parse_quotas(usage, [limit_series("XPerDayPerProject", 100)], now)
    assert snapshot.periods[0].utilization == 7
    assert snapshot.periods[0].resets_at == datetime(2026, 7, 2, 7, 0, tzinfo=UTC)


def test_quota_without_use_in_its_window_is_not_shown() -> None:
    usage = [usage_series({m: 0 for m in minutes_ago(1, 2, 3)})]
    snapshot = parse_quotas(
        usage, [limit_series("GenerateContentRequestsPerMinutePerProject", 10)], NOW
    )
    assert snapshot.periods == ()
    assert snapshot.notes == (NO_RECENT_USE_NOTE,)


def test_utilization_is_floored_and_clamped_in_exact_arithmetic() -> None:
    usage = [usage_series({minutes_ago(1)[0]: 29})]
    limits = [
        limit_series("APerMinute", 100, quota="a"),
        limit_series("BPerMinute", 3, quota="b"),
        limit_series("CPerMinute", 29, quota="c"),
    ]
    usage += [
        usage_series({minutes_ago(1)[0]: 1000}, quota="b"),
        usage_series({minutes_ago(1)[0]: 29}, quota="c"),
    ]
    usage[0]["metric"]["labels"]["quota_metric"] = "a"
    by_name = {
        p.name.split(" ")[0]: p.utilization for p in parse_quotas(usage, limits, NOW).periods
    }
    assert by_name == {"A": 29, "B": 100, "C": 100}


def test_double_values_and_numbers_sent_as_numbers_are_read() -> None:
    series = usage_series({minutes_ago(1)[0]: 12.5})
    series["points"].append(
        {"interval": {"endTime": minutes_ago(2)[0].isoformat()}, "value": {"int64Value": 30}}
    )
    snapshot = parse_quotas([series], [limit_series("XPerMinute", 40)], NOW)
    assert snapshot.periods[0].utilization == 75


def test_regional_and_global_limits_of_one_quota_stay_apart() -> None:
    usage = [usage_series({minutes_ago(1)[0]: 10}, location="us-central1")]
    usage.append(usage_series({minutes_ago(1)[0]: 30}, location=None))  # no location: global
    limits = [
        limit_series(
            "GenerateContentRequestsPerMinutePerProjectPerRegion", 20, location="us-central1"
        ),
        limit_series("GenerateContentRequestsPerMinutePerProject", 60, location="global"),
    ]
    assert rows(parse_quotas(usage, limits, NOW)) == [
        ("Generate content requests per minute (global)", 50, "session", None),
        ("Generate content requests per minute (us-central1)", 50, "session", None),
    ]


def test_usage_naming_its_own_limit_counts_only_against_that_limit() -> None:
    usage = [usage_series({minutes_ago(1)[0]: 40}, limit_name="BigPerMinute")]
    limits = [limit_series("BigPerMinute", 100), limit_series("SmallPerMinute", 50)]
    snapshot = parse_quotas(usage, limits, NOW)
    assert [p.utilization for p in snapshot.periods] == [40]


def test_base_model_label_becomes_the_model_and_keeps_models_apart() -> None:
    usage = [
        usage_series({minutes_ago(1)[0]: 5}, base_model="gemini-2.0-flash"),
        usage_series({minutes_ago(1)[0]: 9}, base_model="claude-sonnet"),
    ]
    limits = [
        limit_series(
            "GenerateContentRequestsPerMinutePerProjectPerBaseModel",
            10,
            base_model="gemini-2.0-flash",
        ),
        limit_series(
            "GenerateContentRequestsPerMinutePerProjectPerBaseModel", 10, base_model="claude-sonnet"
        ),
    ]
    periods = parse_quotas(usage, limits, NOW).periods
    assert [(p.model, p.utilization) for p in periods] == [
        ("claude-sonnet", 90),
        ("gemini-2.0-flash", 50),
    ]
    assert periods[0].name == "Generate content requests per minute (us-central1, claude-sonnet)"


def test_limits_at_or_above_2_pow_53_or_not_positive_are_skipped() -> None:
    usage = [usage_series({minutes_ago(1)[0]: 5})]
    for value in (2**53, 9223372036854775807, 0, -1):
        assert parse_quotas(usage, [limit_series("XPerMinute", value)], NOW).periods == ()
    assert parse_quotas(usage, [limit_series("XPerMinute", 2**53 - 1)], NOW).periods


def test_the_newest_limit_point_is_used() -> None:
    limit = limit_series("XPerMinute", 10)
    limit["points"] = [
        {"interval": {"endTime": "2026-11-23T18:00:00Z"}, "value": {"int64Value": "10"}},
        {"interval": {"endTime": "2026-11-24T18:00:00Z"}, "value": {"int64Value": "20"}},
    ]
    usage = [usage_series({minutes_ago(1)[0]: 5})]
    assert parse_quotas(usage, [limit], NOW).periods[0].utilization == 25


def test_at_most_twenty_periods_the_most_used_and_a_note_for_the_rest() -> None:
    usage, limits = [], []
    for index in range(25):
        quota = f"aiplatform.googleapis.com/quota_{index:02d}"
        usage.append(usage_series({minutes_ago(1)[0]: index + 1}, quota=quota))
        limits.append(limit_series("QPerMinute", 100, quota=quota))
    snapshot = parse_quotas(usage, limits, NOW)
    assert len(snapshot.periods) == 20
    assert min(p.utilization for p in snapshot.periods) == 6
    assert "5 more used Vertex AI quotas are not shown" in snapshot.notes[0]


def test_unreadable_values_are_left_out_and_counted_in_a_note() -> None:
    series = usage_series({minutes_ago(1)[0]: 5})
    series["points"] += [
        {"interval": {"endTime": "2026-11-24T17:59:00Z"}, "value": {"int64Value": "many"}},
        {"interval": {"endTime": "soon"}, "value": {"int64Value": "7"}},
        {"value": {"doubleValue": "NaN"}},
        "junk",
    ]
    snapshot = parse_quotas([series, "junk", {"metric": {}}], [limit_series("XPerMinute", 10)], NOW)
    assert snapshot.periods[0].utilization == 50
    assert snapshot.notes == (
        "6 Cloud Monitoring values could not be read and were left out "
        "(aiplatform.googleapis.com/generate_content_requests)",
    )


def test_unknown_fields_are_ignored_and_identity_and_source_are_passed_on() -> None:
    series = copy.deepcopy(all_usage())
    for item in series:
        item["newField"] = {"x": [1]}
        item["metric"]["labels"]["method"] += "V2"
    identity = ProviderIdentity(email="dev@example.com", organization="example-project")
    snapshot = parse_quotas(
        series, all_limits(), NOW, identity=identity, source="gcloud", notes=["n"]
    )
    assert rows(snapshot) == FIXTURE_PERIODS
    assert (snapshot.identity, snapshot.source, snapshot.notes) == (identity, "gcloud", ("n",))


# --- names --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "metric, title",
    [
        ("aiplatform.googleapis.com/generate_content_requests", "Generate content requests"),
        (
            "aiplatform.googleapis.com/online_prediction_input_tokens_per_minute_per_base_model",
            "Online prediction input tokens per minute per base model",
        ),
        ("plain", "Plain"),
        ("a/__double__under", "Double under"),
        ("x/", "x/"),
    ],
)
def test_quota_titles_are_the_humanised_last_segment(metric: str, title: str) -> None:
    assert quota_title(metric) == title


@pytest.mark.parametrize(
    "limit_name, window",
    [
        ("GenerateContentRequestsPerMinutePerProject", "minute"),
        ("GenerateContentRequestsPerDayPerProject", "day"),
        ("ReasoningEngineEntitiesPerProjectPerRegion", None),
        ("generatecontentrequestsperminute", None),  # Google's words are case-sensitive
        (None, None),
    ],
)
def test_the_window_comes_from_the_limit_name(
    limit_name: Optional[str], window: Optional[str]
) -> None:
    assert limit_window(limit_name) == window


def test_a_quota_named_per_day_is_not_named_per_day_twice() -> None:
    quota = "aiplatform.googleapis.com/generate_content_requests_per_day_per_project_per_base_model"
    usage = [usage_series({minutes_ago(1)[0]: 1}, quota=quota)]
    snapshot = parse_quotas(
        usage,
        [limit_series("GenerateContentRequestsPerDayPerProjectPerBaseModel", 10, quota=quota)],
        NOW,
    )
    assert snapshot.periods[0].name == (
        "Generate content requests per day per project per base model (us-central1)"
    )


# --- Pacific midnight ---------------------------------------------------------------------------


def test_pacific_midnights_in_winter_and_summer() -> None:
    assert pacific_midnights(NOW) == (
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 25, 8, tzinfo=UTC),
    )
    assert pacific_midnights(datetime(2026, 7, 1, 3, tzinfo=UTC)) == (
        datetime(2026, 6, 30, 7, tzinfo=UTC),
        datetime(2026, 7, 1, 7, tzinfo=UTC),
    )


def test_days_of_the_clock_changes_are_23_and_25_hours_long() -> None:
    start, end = pacific_midnights(datetime(2026, 3, 8, 20, tzinfo=UTC))
    assert end - start == timedelta(hours=23)
    start, end = pacific_midnights(datetime(2026, 11, 1, 20, tzinfo=UTC))
    assert end - start == timedelta(hours=25)


def test_the_rule_without_tzdata_agrees_with_zoneinfo_every_hour_for_two_years() -> None:
    moment = datetime(2025, 1, 1, tzinfo=UTC)
    while moment < datetime(2027, 1, 1, tzinfo=UTC):
        assert rule_midnights(moment) == pacific_midnights(moment), moment
        moment += timedelta(minutes=59)


def test_offset_changes_at_two_in_the_morning_local() -> None:
    assert utc_offset(datetime(2026, 3, 8, 9, 59, tzinfo=UTC)) == timedelta(hours=-8)
    assert utc_offset(datetime(2026, 3, 8, 10, 0, tzinfo=UTC)) == timedelta(hours=-7)
    assert utc_offset(datetime(2026, 11, 1, 8, 59, tzinfo=UTC)) == timedelta(hours=-7)
    assert utc_offset(datetime(2026, 11, 1, 9, 0, tzinfo=UTC)) == timedelta(hours=-8)


def test_pacific_midnights_fall_back_to_the_rule_without_a_tz_database(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("vibeusage.providers.vertexai.pacific._zone", lambda: None)
    assert pacific_midnights(NOW) == (
        datetime(2026, 11, 24, 8, tzinfo=UTC),
        datetime(2026, 11, 25, 8, tzinfo=UTC),
    )


# --- damaged input ------------------------------------------------------------------------------


def test_huge_values_are_unreadable_not_an_arithmetic_error() -> None:
    series = usage_series({minutes_ago(1)[0]: 1})
    series["points"][0]["value"] = {"int64Value": "1" + "0" * 400}
    extra = usage_series({minutes_ago(2)[0]: 1e308})
    with pytest.raises(VibeusageError) as caught:  # no use could be read at all
        parse_quotas([series, extra], [limit_series("XPerMinute", 10)], NOW)
    assert caught.value.category is ErrorCategory.PARSE
    assert "no quota use could be read" in caught.value.message
