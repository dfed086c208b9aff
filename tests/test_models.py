"""The normalised data model: percent/money conversions, period helpers, JSON round trips."""

import json
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from vibeusage.models import (
    MIN_ELAPSED_FOR_PACE,
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    ProviderStatus,
    StatusLevel,
    UsagePeriod,
    UsageSnapshot,
    cents_to_major,
    percent_used,
    percent_used_from_remaining_fraction,
    periods_tuple,
)

NOW = datetime(2026, 1, 16, 10, 30, tzinfo=timezone.utc)
HOUR = 3600
DAY = 86400


def session(utilization=45, resets_in=timedelta(hours=2, minutes=30), model=None):
    resets_at = None if resets_in is None else NOW + resets_in
    return UsagePeriod("Session (5h)", utilization, PeriodType.SESSION, resets_at, model)


# --- PeriodType.from_seconds ---------------------------------------------------------------


@pytest.mark.parametrize(
    "seconds, expected",
    [
        (0, PeriodType.SESSION),
        (5 * HOUR, PeriodType.SESSION),
        (6 * HOUR, PeriodType.SESSION),
        (6 * HOUR + 1, PeriodType.DAILY),
        (24 * HOUR, PeriodType.DAILY),
        (36 * HOUR, PeriodType.DAILY),
        (36 * HOUR + 1, PeriodType.WEEKLY),
        (7 * DAY, PeriodType.WEEKLY),
        (10 * DAY, PeriodType.WEEKLY),
        (10 * DAY + 1, PeriodType.MONTHLY),
        (30 * DAY, PeriodType.MONTHLY),
        (31 * DAY, PeriodType.MONTHLY),
    ],
)
def test_period_type_from_seconds_classifies_by_real_window_length(seconds, expected):
    assert PeriodType.from_seconds(seconds) is expected


def test_period_type_durations_match_the_design():
    assert PeriodType.SESSION.duration == timedelta(hours=5)
    assert PeriodType.DAILY.duration == timedelta(hours=24)
    assert PeriodType.WEEKLY.duration == timedelta(days=7)
    assert PeriodType.MONTHLY.duration == timedelta(days=30)


# --- percent_used -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (45, 45),
        (0, 0),
        (100, 100),
        (45.7, 45),
        (45.9999, 45),
        (0.4, 0),
        ("45.7", 45),
        ("  12 ", 12),
        ("1e1", 10),
        (Decimal("33.3"), 33),
    ],
)
def test_percent_used_floors_numbers_and_numeric_strings(value, expected):
    assert percent_used(value) == expected


@pytest.mark.parametrize(
    "value",
    [None, True, False, "", "abc", "45%", "nan", "NaN", "inf", "-inf", "Infinity", [], {}],
)
def test_percent_used_returns_none_for_non_numbers_bools_and_non_finite(value):
    assert percent_used(value) is None


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_percent_used_returns_none_for_non_finite_floats(value):
    assert percent_used(value) is None


@pytest.mark.parametrize("value, expected", [(-5, 0), (-0.5, 0), (100.5, 100), (250, 100)])
def test_percent_used_clamps_to_zero_and_hundred(value, expected):
    assert percent_used(value) == expected


@pytest.mark.parametrize("value, expected", [(1e22, 100), ("1e30", 100), (-1e30, 0)])
def test_percent_used_clamps_huge_values_instead_of_raising(value, expected):
    # BUG: quantizing to 6 decimals needs more than the 28 digits of the default Decimal
    # context, so decimal.InvalidOperation escapes (and is not a ValueError).
    assert percent_used(value) == expected


def test_percent_used_floors_remaining_fraction_without_float_artefacts():
    artefact = (1 - 0.9) * 100
    assert artefact == 9.999999999999998  # the Python float the design warns about
    assert percent_used(artefact) == 10


def test_percent_used_does_not_round_up_a_genuine_fraction_below_a_whole_percent():
    assert percent_used(45.99999) == 45
    assert percent_used("99.9999") == 99


# --- percent_used_from_remaining_fraction -------------------------------------------------


@pytest.mark.parametrize(
    "remaining, expected",
    [
        (0.9, 10),
        (1.0, 0),
        (1, 0),
        (0, 100),
        (0.0, 100),
        ("0.25", 75),
        (0.333, 66),
        (0.7, 30),
        (0.1, 90),
        (Decimal("0.55"), 45),
    ],
)
def test_percent_used_from_remaining_fraction_converts_exactly(remaining, expected):
    assert percent_used_from_remaining_fraction(remaining) == expected


@pytest.mark.parametrize("remaining, expected", [(1.5, 0), (-0.2, 100)])
def test_percent_used_from_remaining_fraction_clamps_out_of_range(remaining, expected):
    assert percent_used_from_remaining_fraction(remaining) == expected


@pytest.mark.parametrize("value", [None, True, "garbage", "nan", "", {}, float("inf")])
def test_percent_used_from_remaining_fraction_returns_none_for_garbage(value):
    assert percent_used_from_remaining_fraction(value) is None


# --- cents_to_major ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cents, expected",
    [
        (550, "5.50"),
        ("963.0", "9.63"),
        (0, "0.00"),
        (1, "0.01"),
        (10000, "100.00"),
        (12345.5, "123.46"),
        ("  250 ", "2.50"),
    ],
)
def test_cents_to_major_gives_two_decimal_major_units(cents, expected):
    result = cents_to_major(cents)
    assert isinstance(result, Decimal)
    assert result == Decimal(expected)
    assert str(result) == expected


@pytest.mark.parametrize("value", [None, True, "abc", "nan", float("inf")])
def test_cents_to_major_returns_none_for_non_numbers(value):
    assert cents_to_major(value) is None


@pytest.mark.parametrize("value", [10**18, "1e30", -(10**20), 1e300])
def test_cents_to_major_returns_none_for_absurd_amounts_instead_of_raising(value):
    assert cents_to_major(value) is None


def test_cents_to_major_keeps_large_but_plausible_amounts():
    assert cents_to_major(10**18 - 1) == Decimal("9999999999999999.99")


# --- UsagePeriod helpers ------------------------------------------------------------------------


@pytest.mark.parametrize("given, stored", [(-10, 0), (150, 100), (45.9, 45), (0, 0), (100, 100)])
def test_usage_period_clamps_utilization_on_construction(given, stored):
    period = UsagePeriod("p", given, PeriodType.WEEKLY)
    assert period.utilization == stored
    assert period.remaining() == 100 - stored


def test_remaining_is_hundred_minus_utilization():
    assert session(utilization=45).remaining() == 55


def test_time_until_reset_is_the_difference_to_reset():
    assert session(resets_in=timedelta(hours=2)).time_until_reset(NOW) == timedelta(hours=2)


def test_time_until_reset_is_never_negative():
    assert session(resets_in=timedelta(minutes=-5)).time_until_reset(NOW) == timedelta(0)


def test_time_until_reset_is_none_without_reset_time():
    assert session(resets_in=None).time_until_reset(NOW) is None


def test_elapsed_ratio_is_share_of_window_elapsed():
    assert session(resets_in=timedelta(hours=2, minutes=30)).elapsed_ratio(NOW) == 0.5
    assert session(resets_in=timedelta(hours=4)).elapsed_ratio(NOW) == pytest.approx(0.2)


def test_elapsed_ratio_is_clamped_to_zero_and_one():
    assert session(resets_in=timedelta(hours=7)).elapsed_ratio(NOW) == 0.0
    assert session(resets_in=timedelta(hours=-1)).elapsed_ratio(NOW) == 1.0


def test_elapsed_ratio_uses_the_period_type_duration():
    weekly = UsagePeriod("Weekly", 10, PeriodType.WEEKLY, NOW + timedelta(days=3, hours=12))
    assert weekly.elapsed_ratio(NOW) == 0.5


def test_elapsed_ratio_is_none_without_reset_time():
    assert session(resets_in=None).elapsed_ratio(NOW) is None


def test_pace_ratio_is_none_at_zero_elapsed():
    assert session(utilization=20, resets_in=timedelta(hours=5)).pace_ratio(NOW) is None


def test_pace_ratio_is_none_just_under_ten_percent_elapsed():
    # 10 % of 5 h is 30 min; one second less is still too early to tell.
    period = session(utilization=20, resets_in=timedelta(hours=4, minutes=30, seconds=1))
    assert period.elapsed_ratio(NOW) < MIN_ELAPSED_FOR_PACE
    assert period.pace_ratio(NOW) is None


def test_pace_ratio_is_computed_at_exactly_ten_percent_elapsed():
    period = session(utilization=5, resets_in=timedelta(hours=4, minutes=30))
    assert period.pace_ratio(NOW) == pytest.approx(0.5)


def test_pace_ratio_is_computed_just_above_ten_percent_elapsed():
    period = session(utilization=10, resets_in=timedelta(hours=4, minutes=29))
    assert period.pace_ratio(NOW) == pytest.approx(0.1 / (31 / 300))


def test_pace_ratio_at_half_elapsed_with_45_percent_used_is_0_9():
    period = session(utilization=45, resets_in=timedelta(hours=2, minutes=30))
    assert period.pace_ratio(NOW) == pytest.approx(0.9)


def test_pace_ratio_above_one_means_running_ahead():
    period = session(utilization=80, resets_in=timedelta(hours=2, minutes=30))
    assert period.pace_ratio(NOW) == pytest.approx(1.6)


@pytest.mark.parametrize("resets_in", [timedelta(0), timedelta(minutes=-1), timedelta(days=-3)])
def test_pace_ratio_is_none_once_the_window_has_reset(resets_in):
    assert session(utilization=90, resets_in=resets_in).pace_ratio(NOW) is None


def test_pace_ratio_is_none_without_reset_time():
    assert session(resets_in=None).pace_ratio(NOW) is None


# --- UsagePeriod.to_dict / from_dict ------------------------------------------------------------


def test_usage_period_to_dict_has_exact_contract_keys_and_values():
    period = session(utilization=55, resets_in=timedelta(hours=2, minutes=30))
    assert period.to_dict(NOW) == {
        "name": "Session (5h)",
        "utilization": 55,
        "remaining": 45,
        "period_type": "session",
        "resets_at": "2026-01-16T13:00:00+00:00",
        "model": None,
        "pace_ratio": 1.1,
        "reset_elapsed": False,
    }


def test_a_period_whose_reset_has_passed_is_marked_and_counts_as_unused():
    period = session(utilization=62, resets_in=timedelta(hours=-6))
    assert period.reset_elapsed(NOW) is True
    assert period.as_of(NOW).utilization == 0
    assert period.to_dict(NOW)["reset_elapsed"] is True
    assert period.to_dict(NOW)["utilization"] == 62  # the last reading, before the reset
    running = session(utilization=62, resets_in=timedelta(minutes=1))
    assert running.reset_elapsed(NOW) is False and running.as_of(NOW) is running
    assert session(utilization=62, resets_in=None).reset_elapsed(NOW) is False


def test_usage_period_to_dict_rounds_pace_ratio_to_two_decimals():
    # 30 % of the window elapsed (1.5 h of 5 h), 10 % used -> 0.3333...
    period = session(utilization=10, resets_in=timedelta(hours=3, minutes=30))
    assert period.to_dict(NOW)["pace_ratio"] == 0.33


def test_usage_period_to_dict_writes_null_for_unknown_reset_and_pace():
    period = UsagePeriod("Opus", 7, PeriodType.WEEKLY, None, model="opus")
    data = period.to_dict(NOW)
    assert data["resets_at"] is None
    assert data["pace_ratio"] is None
    assert data["model"] == "opus"
    assert data["period_type"] == "weekly"


def test_usage_period_to_dict_resets_at_carries_an_offset():
    period = session()
    resets_at = datetime.fromisoformat(period.to_dict(NOW)["resets_at"])
    assert resets_at.utcoffset() == timedelta(0)
    assert resets_at == NOW + timedelta(hours=2, minutes=30)


def test_usage_period_from_dict_round_trips():
    period = UsagePeriod("Weekly Opus", 12, PeriodType.WEEKLY, NOW + timedelta(days=2), "opus")
    assert UsagePeriod.from_dict(period.to_dict(NOW)) == period


# --- OverageUsage -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount, text",
    [
        (Decimal("5"), "5.00"),
        (Decimal("5.5"), "5.50"),
        (Decimal("0"), "0.00"),
        (Decimal("0.005"), "0.01"),
        (Decimal("1234.567"), "1234.57"),
        (Decimal("1E+2"), "100.00"),
    ],
)
def test_overage_money_is_a_string_with_two_decimals(amount, text):
    data = OverageUsage(used=amount, limit=amount).to_dict()
    assert data["used"] == text
    assert data["limit"] == text


def test_overage_to_dict_exact_keys_and_null_limit():
    overage = OverageUsage(Decimal("5.5"), None, "EUR", False)
    assert overage.to_dict() == {
        "used": "5.50",
        "limit": None,
        "currency": "EUR",
        "is_enabled": False,
        "balance": None,
        "unlimited": False,
    }


# --- UsageSnapshot ------------------------------------------------------------------------------


def full_snapshot():
    return UsageSnapshot(
        provider="claude",
        fetched_at=NOW,
        periods=(
            session(utilization=45),
            UsagePeriod("Weekly", 20, PeriodType.WEEKLY, NOW + timedelta(days=3)),
            UsagePeriod("Weekly Opus", 3, PeriodType.WEEKLY, None, model="opus"),
        ),
        overage=OverageUsage(Decimal("5.50"), None, "USD", True),
        identity=ProviderIdentity("user@example.com", "Personal", "Max 5x"),
        status=ProviderStatus(StatusLevel.DEGRADED, "Elevated errors", NOW - timedelta(hours=1)),
        source="oauth",
    )


def test_snapshot_to_dict_has_contract_keys():
    data = full_snapshot().to_dict(NOW)
    assert set(data) == {
        "provider",
        "fetched_at",
        "source",
        "periods",
        "overage",
        "identity",
        "status",
        "notes",
        "rate_limit_resets_available",
    }
    assert data["provider"] == "claude"
    assert data["fetched_at"] == "2026-01-16T10:30:00+00:00"
    assert data["source"] == "oauth"
    assert [p["name"] for p in data["periods"]] == ["Session (5h)", "Weekly", "Weekly Opus"]
    assert data["overage"] == {
        "used": "5.50",
        "limit": None,
        "currency": "USD",
        "is_enabled": True,
        "balance": None,
        "unlimited": False,
    }
    assert data["identity"] == {
        "email": "user@example.com",
        "organization": "Personal",
        "plan": "Max 5x",
        "login": None,
    }
    assert data["status"] == {
        "level": "degraded",
        "description": "Elevated errors",
        "updated_at": "2026-01-16T09:30:00+00:00",
    }


def test_snapshot_to_dict_uses_null_for_missing_optional_parts():
    data = UsageSnapshot("codex", NOW).to_dict(NOW)
    assert data["overage"] is None
    assert data["identity"] is None
    assert data["status"] is None
    assert data["periods"] == []
    assert data["source"] == "unknown"


def test_snapshot_round_trips_through_json():
    snapshot = full_snapshot()
    text = json.dumps(snapshot.to_dict(NOW))
    assert UsageSnapshot.from_dict(json.loads(text)) == snapshot


def test_snapshot_round_trip_keeps_overage_without_limit():
    restored = UsageSnapshot.from_dict(full_snapshot().to_dict(NOW))
    assert restored.overage is not None
    assert restored.overage.limit is None
    assert restored.overage.used == Decimal("5.50")
    assert isinstance(restored.overage.used, Decimal)


def test_snapshot_round_trip_keeps_identity_and_status():
    restored = UsageSnapshot.from_dict(full_snapshot().to_dict(NOW))
    assert restored.identity == ProviderIdentity("user@example.com", "Personal", "Max 5x")
    assert restored.status is not None
    assert restored.status.level is StatusLevel.DEGRADED
    assert restored.status.updated_at == NOW - timedelta(hours=1)


def test_snapshot_from_dict_converts_fetched_at_to_aware_utc():
    data = full_snapshot().to_dict(NOW)
    data["fetched_at"] = "2026-01-16T12:30:00+02:00"
    restored = UsageSnapshot.from_dict(data)
    assert restored.fetched_at == NOW
    assert restored.fetched_at.utcoffset() == timedelta(0)


def test_snapshot_from_dict_maps_unknown_status_level_to_unknown():
    data = full_snapshot().to_dict(NOW)
    data["status"]["level"] = "on_fire"
    assert UsageSnapshot.from_dict(data).status.level is StatusLevel.UNKNOWN


@pytest.mark.parametrize("data", [None, [], "snapshot", 42])
def test_snapshot_from_dict_rejects_non_objects(data):
    with pytest.raises(ValueError):
        UsageSnapshot.from_dict(data)


def _broken(**changes):
    data = full_snapshot().to_dict(NOW)
    for key, value in changes.items():
        if value is KeyError:
            del data[key]
        else:
            data[key] = value
    return data


@pytest.mark.parametrize(
    "data",
    [
        _broken(fetched_at=KeyError),
        _broken(fetched_at="yesterday"),
        _broken(fetched_at=None),
        _broken(provider=KeyError),
        _broken(provider=7),
        _broken(periods=KeyError),
        _broken(periods={"name": "Session"}),
        _broken(periods="Session"),
        _broken(periods=None),
    ],
)
def test_snapshot_from_dict_rejects_missing_or_mistyped_fields(data):
    with pytest.raises(ValueError):
        UsageSnapshot.from_dict(data)


@pytest.mark.parametrize(
    "period",
    [
        5,
        "Session",
        None,
        {"utilization": 10, "period_type": "session"},
        {"name": "Session", "period_type": "session"},
        {"name": "Session", "utilization": "lots", "period_type": "session"},
        {"name": "Session", "utilization": 10},
        {"name": "Session", "utilization": 10, "period_type": "fortnightly"},
        {"name": 5, "utilization": 10, "period_type": "session"},
    ],
)
def test_snapshot_from_dict_rejects_a_bad_period(period):
    data = full_snapshot().to_dict(NOW)
    data["periods"].append(period)
    with pytest.raises(ValueError):
        UsageSnapshot.from_dict(data)


@pytest.mark.parametrize("field", ["used", "limit"])
def test_snapshot_with_absurd_overage_amount_is_rejected_or_serialisable(field):
    # from_dict accepts any finite Decimal, but to_dict's quantize to cents overflows the
    # 28-digit Decimal context: a snapshot that loads must also serialise.
    data = full_snapshot().to_dict(NOW)
    data["overage"][field] = "1e30"
    try:
        restored = UsageSnapshot.from_dict(data)
    except ValueError:
        return
    assert restored.to_dict(NOW)["overage"][field] is not None


def test_snapshot_from_dict_rejects_overage_without_used_amount():
    data = full_snapshot().to_dict(NOW)
    data["overage"] = {"used": "lots", "limit": None}
    with pytest.raises(ValueError):
        UsageSnapshot.from_dict(data)


# --- periods_tuple ----------------------------------------------------------------------------


def test_periods_tuple_orders_shortest_window_first_and_all_models_first():
    weekly_opus = UsagePeriod("Weekly Opus", 1, PeriodType.WEEKLY, model="opus")
    weekly = UsagePeriod("Weekly", 2, PeriodType.WEEKLY)
    monthly = UsagePeriod("Monthly", 3, PeriodType.MONTHLY)
    daily = UsagePeriod("Daily", 4, PeriodType.DAILY)
    sess = UsagePeriod("Session", 5, PeriodType.SESSION)
    weekly_sonnet = UsagePeriod("Weekly Sonnet", 6, PeriodType.WEEKLY, model="sonnet")
    ordered = periods_tuple([weekly_opus, weekly, monthly, daily, sess, weekly_sonnet])
    assert isinstance(ordered, tuple)
    assert [p.name for p in ordered] == [
        "Session",
        "Daily",
        "Weekly",
        "Weekly Opus",
        "Weekly Sonnet",
        "Monthly",
    ]


def test_periods_tuple_keeps_provider_order_for_equal_keys():
    names = ["Weekly C", "Weekly A", "Weekly B"]
    periods = [UsagePeriod(name, 1, PeriodType.WEEKLY) for name in names]
    assert [p.name for p in periods_tuple(periods)] == names
    per_model = [UsagePeriod(n, 1, PeriodType.SESSION, model=n) for n in ("z", "a", "m")]
    assert [p.model for p in periods_tuple(per_model)] == ["z", "a", "m"]
