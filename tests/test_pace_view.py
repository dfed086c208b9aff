"""The forecast in the usage view from outside: ``pace`` in ``--json``, the table's pace line."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Optional

import pytest

from tests.conftest import SNAPSHOT_KEYS
from tests.fakes import FakeStrategy, fake_provider
from vibeusage.models import OverageUsage, PeriodType, UsagePeriod, UsageSnapshot
from vibeusage.providers.base import FetchResult

NOW = datetime(2026, 9, 22, 14, 0, tzinfo=timezone.utc)
HOUR = 3600


def provider_with(*periods: UsagePeriod, overage: Optional[OverageUsage] = None):
    def behaviour(ctx):
        snapshot = UsageSnapshot("alpha", ctx.now(), periods, overage=overage, source="fake")
        return FetchResult.ok(snapshot)

    return fake_provider("alpha", [FakeStrategy("alpha", behaviour=behaviour)])


def at(hours: float) -> datetime:
    return NOW + timedelta(hours=hours)


#: The contract's worked example: weekly, 88 % used, resets in 67 h (101 h elapsed).
WORKED = UsagePeriod("Weekly", 88, PeriodType.WEEKLY, at(67))
#: Claude's idle five-hour window: nothing used, no reset time.
IDLE = UsagePeriod("Session (5h)", 0, PeriodType.SESSION, None)


@pytest.fixture
def registered(monkeypatch):
    def register(*periods: UsagePeriod, overage: Optional[OverageUsage] = None) -> None:
        provider = provider_with(*periods, overage=overage)
        monkeypatch.setattr("vibeusage.providers.all_providers", lambda: (provider,))

    return register


def test_json_periods_carry_the_pace_object_of_the_contract(cli, registered):
    registered(IDLE, WORKED)
    snapshot = cli("alpha", "--json", clock=lambda: NOW).json()
    assert list(snapshot) == SNAPSHOT_KEYS
    idle, weekly = snapshot["periods"]
    assert list(weekly)[-3:] == ["pace_ratio", "reset_elapsed", "pace"]
    assert idle["pace"] is None
    assert weekly["pace"] == {
        "elapsed_fraction": 0.601,
        "expected_used_percent": 60.1,
        "delta_percent": 27.9,
        "stage": "far_deficit",
        "pace_ratio": 1.46,
        "rate_percent_per_hour": 0.871,
        "will_last_to_reset": False,
        "eta_seconds": 49582,
        "exhausts_at": (NOW + timedelta(seconds=49582)).isoformat(),
        "pause_to_on_pace_seconds": 168624,
        "safe_rate_percent_per_hour": 0.179,
        "summary": "28% in deficit · runs out in 13h 46m",
    }
    assert snapshot["binding_period"] == "Weekly"
    assert snapshot["available_again_at"] is None


def test_all_providers_json_has_the_snapshot_keys_too(cli, registered):
    registered(UsagePeriod("Weekly", 100, PeriodType.WEEKLY, at(30)))
    snapshot = cli("--json", clock=lambda: NOW).json()["providers"]["alpha"]
    assert snapshot["binding_period"] == "Weekly"
    assert snapshot["available_again_at"] == at(30).isoformat()
    assert snapshot["periods"][0]["pace"]["summary"] == "Exhausted · available again in 1d 6h"


def test_table_has_one_pace_line_for_the_binding_window_before_the_overage(cli, registered):
    overage = OverageUsage(used=Decimal("5.00"), limit=Decimal("20.00"))
    registered(UsagePeriod("Session (5h)", 10, PeriodType.SESSION, at(4)), WORKED, overage=overage)
    lines = cli("alpha", clock=lambda: NOW).out.splitlines()
    assert lines[0] == "Alpha"
    assert lines[1].startswith("  Session (5h)") and lines[2].startswith("  Weekly")
    assert lines[3] == "  Pace (Weekly): 28% in deficit · runs out in 13h 46m (resets in 2d 19h)"
    assert "5.00" in lines[4] and len(lines) == 5


def test_a_window_that_lasts_has_no_reset_in_its_pace_line(cli, registered):
    registered(UsagePeriod("Weekly", 30, PeriodType.WEEKLY, at(84)))
    lines = cli("alpha", clock=lambda: NOW).out.splitlines()
    assert lines[-1] == "  Pace (Weekly): 20% in reserve · lasts until reset"


def test_no_pace_line_when_the_binding_window_has_no_pace(cli, registered):
    registered(IDLE)
    assert "Pace" not in cli("alpha", clock=lambda: NOW).out


def test_quiet_is_unchanged_by_the_forecast(cli, registered):
    registered(WORKED)
    assert cli("alpha", "--quiet", clock=lambda: NOW).out == "alpha Weekly: 88%, resets in 2d 19h\n"


def test_verbose_shows_every_windows_summary(cli, registered):
    registered(UsagePeriod("Session (5h)", 50, PeriodType.SESSION, at(2.5)), WORKED, IDLE)
    out = cli("alpha", "--verbose", clock=lambda: NOW).out.splitlines()
    assert out[1].endswith("resets in 2h 30m  On pace · lasts until reset")
    assert out[2].endswith("resets in 2d 19h  28% in deficit · runs out in 13h 46m")
    assert out[3].rstrip().endswith("0%")


def test_ascii_output_uses_an_ascii_separator(cli, registered, monkeypatch):
    registered(WORKED)
    from vibeusage.views import style

    monkeypatch.setattr(style, "unicode_supported", lambda encoding: False)
    lines = cli("alpha", clock=lambda: NOW).out.splitlines()
    assert lines[-1] == "  Pace (Weekly): 28% in deficit - runs out in 13h 46m (resets in 2d 19h)"
