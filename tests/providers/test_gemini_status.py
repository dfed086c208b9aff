"""Gemini's status from Google's incidents feed: the pure parser and its fetcher.

The payloads are built here in the feed's shape (a JSON list of incidents with ``begin``,
``end``, ``external_desc``, ``severity``, ``status_impact``, ``service_name``,
``affected_products`` and ``most_recent_update``); they are not captured responses.
"""

import copy
import random
from datetime import datetime, timedelta
from typing import Any, Dict, List, Optional

import pytest
import requests

from tests.providers.test_gemini_support import NOW, UTC
from vibeusage.http import make_session
from vibeusage.models import ProviderStatus, StatusLevel
from vibeusage.providers.gemini.status import (
    INCIDENTS_URL,
    OPERATIONAL,
    fetch_incidents_status,
    parse_incidents,
)

GEMINI = {"title": "Gemini", "id": "npdyhgECDJ6tB66MxXyo"}
GMAIL = {"title": "Gmail", "id": "NzeNAbcdefGhij"}


def iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def incident(
    desc: str = "Users may be unable to access Gemini",
    *,
    products: Optional[List[Dict[str, str]]] = None,
    begin: Optional[datetime] = None,
    end: Optional[datetime] = None,
    impact: str = "SERVICE_DISRUPTION",
    update_status: Optional[str] = "SERVICE_DISRUPTION",
    severity: str = "medium",
    modified: Optional[datetime] = None,
    service_name: str = "Gemini",
) -> Dict[str, Any]:
    begin = begin or NOW - timedelta(hours=2)
    modified = modified or begin + timedelta(minutes=30)
    entry: Dict[str, Any] = {
        "id": f"inc-{random.Random(desc).randint(1000, 9999)}",
        "number": "1234567890",
        "begin": iso(begin),
        "created": iso(begin),
        "modified": iso(modified),
        "external_desc": desc,
        "updates": [],
        "severity": severity,
        "status_impact": impact,
        "service_key": "gemini",
        "service_name": service_name,
        "affected_products": products if products is not None else [GEMINI],
        "uri": "incidents/abc",
    }
    if update_status is not None:
        entry["most_recent_update"] = {
            "created": iso(modified),
            "modified": iso(modified),
            "when": iso(modified),
            "text": "We are investigating.",
            "status": update_status,
        }
    if end is not None:
        entry["end"] = iso(end)
    return entry


def test_no_incidents_is_operational() -> None:
    status = parse_incidents([], NOW)
    assert status == ProviderStatus(StatusLevel.OPERATIONAL, OPERATIONAL)


def test_open_gemini_disruption_is_a_partial_outage_with_its_description_and_time() -> None:
    modified = NOW - timedelta(minutes=20)
    status = parse_incidents(
        [incident("Gemini responses are slow\n\nMore detail below", modified=modified)], NOW
    )
    assert status.level is StatusLevel.PARTIAL_OUTAGE
    assert status.description == "Gemini responses are slow"
    assert status.updated_at == modified


def test_closed_incidents_are_ignored() -> None:
    closed = incident(end=NOW - timedelta(minutes=5), update_status="AVAILABLE")
    closed_still_disrupted = incident(end=NOW - timedelta(days=1))
    assert parse_incidents([closed, closed_still_disrupted], NOW).level is StatusLevel.OPERATIONAL


def test_incidents_of_other_products_are_ignored() -> None:
    gmail = incident("Gmail delays", products=[GMAIL], service_name="Gmail")
    assert parse_incidents([gmail], NOW).level is StatusLevel.OPERATIONAL


@pytest.mark.parametrize(
    "products, service_name",
    [
        ([{"title": "Gemini Code Assist", "id": "x"}], "Cloud"),
        ([{"title": "Google AI Studio", "id": "y"}], "Cloud"),
        ([GMAIL, GEMINI], "Gmail"),
        ([], "Gemini"),
    ],
)
def test_gemini_related_products_or_service_count(
    products: List[Dict[str, str]], service_name: str
) -> None:
    status = parse_incidents([incident(products=products, service_name=service_name)], NOW)
    assert status.level is StatusLevel.PARTIAL_OUTAGE


def test_several_open_incidents_report_the_worst_and_how_many_more() -> None:
    minor = incident("Minor issue", impact="SERVICE_INFORMATION", update_status=None)
    outage = incident(
        "Gemini is down", impact="SERVICE_OUTAGE", update_status="SERVICE_OUTAGE",
        modified=NOW - timedelta(hours=1),
    )  # fmt: skip
    newest = incident("Slow answers", modified=NOW - timedelta(minutes=1))
    status = parse_incidents([minor, outage, newest], NOW)
    assert status.level is StatusLevel.MAJOR_OUTAGE
    assert status.description == "Gemini is down (+2 more)"
    assert status.updated_at == NOW - timedelta(minutes=1)


@pytest.mark.parametrize(
    "update_status, impact, severity, level",
    [
        ("SERVICE_OUTAGE", "SERVICE_INFORMATION", "low", StatusLevel.MAJOR_OUTAGE),
        (None, "SERVICE_INFORMATION", "high", StatusLevel.DEGRADED),
        (None, "", "high", StatusLevel.MAJOR_OUTAGE),
        (None, "", "medium", StatusLevel.PARTIAL_OUTAGE),
        (None, "", "low", StatusLevel.DEGRADED),
        (None, "NEW_KIND", "unheard", StatusLevel.DEGRADED),
    ],
)
def test_level_comes_from_the_latest_update_then_impact_then_severity(
    update_status: Optional[str], impact: str, severity: str, level: StatusLevel
) -> None:
    entry = incident(impact=impact, update_status=update_status, severity=severity)
    assert parse_incidents([entry], NOW).level is level


def test_latest_update_available_means_over_even_without_an_end() -> None:
    entry = incident(update_status="AVAILABLE")
    assert parse_incidents([entry], NOW).level is StatusLevel.OPERATIONAL


def test_an_end_in_the_future_is_still_open_and_a_begin_in_the_future_is_not_yet() -> None:
    ending_later = incident(end=NOW + timedelta(hours=1))
    scheduled = incident(begin=NOW + timedelta(hours=3))
    assert parse_incidents([ending_later], NOW).level is StatusLevel.PARTIAL_OUTAGE
    assert parse_incidents([scheduled], NOW).level is StatusLevel.OPERATIONAL


def test_null_or_empty_end_means_open() -> None:
    for end in (None, ""):
        entry = incident()
        entry["end"] = end
        assert parse_incidents([entry], NOW).level is StatusLevel.PARTIAL_OUTAGE


def test_long_or_markdown_descriptions_are_cut_to_one_line() -> None:
    entry = incident("**Summary**\n" + "x" * 400)
    description = parse_incidents([entry], NOW).description or ""
    assert description.startswith("Summary")
    entry = incident("y" * 400)
    description = parse_incidents([entry], NOW).description or ""
    assert len(description) == 160
    assert description.endswith("…")


def test_missing_description_falls_back_to_the_service_name() -> None:
    entry = incident()
    entry["external_desc"] = None
    assert parse_incidents([entry], NOW).description == "Gemini"


@pytest.mark.parametrize("payload", [None, "x", 3, {"page": {}}, True])
def test_feed_that_is_not_a_list_is_unknown(payload: Any) -> None:
    assert parse_incidents(payload, NOW).level is StatusLevel.UNKNOWN


def test_a_wrapped_incidents_list_is_read_too() -> None:
    assert parse_incidents({"incidents": [incident()]}, NOW).level is StatusLevel.PARTIAL_OUTAGE


def test_junk_entries_and_damaged_fields_never_raise() -> None:
    rng = random.Random(11)
    junk: List[Any] = [None, "", 0, [], {}, "garbage", float("nan"), 10**400, [None], {"x": 1}]
    base = [incident(), incident("Gmail", products=[GMAIL], service_name="Gmail")]
    keys = [
        "begin", "end", "modified", "external_desc", "severity", "status_impact",
        "service_name", "affected_products", "most_recent_update",
    ]  # fmt: skip
    for _ in range(300):
        payload: List[Any] = copy.deepcopy(base) + [rng.choice(junk)]
        for _ in range(rng.randint(1, 4)):
            target = rng.choice(payload[:2])
            target[rng.choice(keys)] = rng.choice(junk)
        status = parse_incidents(payload, NOW)
        assert isinstance(status.level, StatusLevel)
        status.to_dict()


# --- fetching the feed --------------------------------------------------------------------------


def test_fetch_reads_the_feed_and_parses_it(mocked: Any) -> None:
    mocked.get(INCIDENTS_URL, json=[incident("Gemini errors")])
    status = fetch_incidents_status(make_session(5), NOW)
    assert status.level is StatusLevel.PARTIAL_OUTAGE
    assert status.description == "Gemini errors"


@pytest.mark.parametrize(
    "kwargs",
    [{"status": 503, "json": {}}, {"body": "<html>"}, {"body": requests.ConnectionError()}],
)
def test_fetch_failures_are_an_unknown_status_not_an_error(
    mocked: Any, kwargs: Dict[str, Any]
) -> None:
    mocked.get(INCIDENTS_URL, **kwargs)
    status = fetch_incidents_status(make_session(5), NOW)
    assert status.level is StatusLevel.UNKNOWN
    assert status.description


def test_incident_time_is_utc_aware() -> None:
    status = parse_incidents([incident(modified=datetime(2026, 2, 28, 11, 0, tzinfo=UTC))], NOW)
    assert status.updated_at is not None
    assert status.updated_at.utcoffset() == timedelta(0)
