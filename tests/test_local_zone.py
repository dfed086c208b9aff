"""Local time for a range of moments: each gets the offset in force at that moment."""

import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from vibeusage.views.local_zone import LocalZone

pytestmark = pytest.mark.skipif(
    sys.platform.startswith("win") or not hasattr(time, "tzset"), reason="needs TZ and tzset"
)


@pytest.fixture
def berlin(monkeypatch):
    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_each_moment_gets_its_own_offset_across_summer_time(berlin):
    zone = LocalZone()
    summer = datetime(2026, 10, 24, 12, 0, tzinfo=timezone.utc).astimezone(zone)
    winter = datetime(2026, 10, 26, 12, 0, tzinfo=timezone.utc).astimezone(zone)
    assert summer.strftime("%Y-%m-%d %H:%M") == "2026-10-24 14:00"
    assert winter.strftime("%Y-%m-%d %H:%M") == "2026-10-26 13:00"
    assert summer.utcoffset() == timedelta(hours=2)
    assert winter.utcoffset() == timedelta(hours=1)
    assert winter.tzname() == "CET"


def test_a_fixed_offset_from_now_would_be_an_hour_off(berlin):
    fixed = datetime(2026, 10, 24, tzinfo=timezone.utc).astimezone().tzinfo
    winter = datetime(2026, 10, 26, 12, 0, tzinfo=timezone.utc)
    assert winter.astimezone(fixed).hour == 14
    assert winter.astimezone(LocalZone()).hour == 13
