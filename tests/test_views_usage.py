"""The usage views as pure functions on hand-built results: text, quiet, JSON, guides."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest

from tests.fakes import FIXED_NOW, FakeStrategy, fake_provider
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import (
    Attempt,
    OverageUsage,
    PeriodType,
    ProviderIdentity,
    ProviderStatus,
    StatusLevel,
    UsagePeriod,
    UsageSnapshot,
)
from vibeusage.pipeline import ProviderResult
from vibeusage.service.report import Report
from vibeusage.views.durations import format_age, format_countdown, format_reset
from vibeusage.views.first_run import render_first_run
from vibeusage.views.json_dump import dumps
from vibeusage.views.money import format_money, format_overage
from vibeusage.views.progress import CLEAR_LINE, progress_line
from vibeusage.views.provider_help import provider_help
from vibeusage.views.style import BOLD, GREEN, RED, RESET, YELLOW, Style, unicode_supported
from vibeusage.views.usage_json import providers_document, report_document, single_document
from vibeusage.views.usage_quiet import render_quiet
from vibeusage.views.usage_text import bar, render_results, usage_color

NOW = FIXED_NOW
ALPHA = fake_provider("alpha", [FakeStrategy("alpha", "oauth"), FakeStrategy("alpha", "web")])
BETA = fake_provider("beta", [FakeStrategy("beta")])


def session(utilization: int, left: timedelta = timedelta(hours=2, minutes=30)) -> UsagePeriod:
    """A five-hour window with ``left`` to go (2 h 30 m: half of it elapsed)."""
    return UsagePeriod("Session (5h)", utilization, PeriodType.SESSION, NOW + left)


def snapshot(*periods: UsagePeriod, **extra) -> UsageSnapshot:
    return UsageSnapshot("alpha", NOW, periods or (session(50),), source="oauth", **extra)


def error(message: str = "No Beta credentials found") -> VibeusageError:
    return VibeusageError(
        message, ErrorCategory.AUTHENTICATION, remediation="Log in to beta.", provider="beta"
    )


# --- durations and money ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=59), "<1m"),
        (timedelta(minutes=1), "1m"),
        (timedelta(minutes=59, seconds=59), "59m"),
        (timedelta(hours=1), "1h 0m"),
        (timedelta(hours=23, minutes=59), "23h 59m"),
        (timedelta(days=1), "1d 0h"),
        (timedelta(days=4, hours=12, minutes=30), "4d 12h"),
    ],
)
def test_countdown_uses_the_two_largest_units(delta, text):
    assert format_countdown(delta) == text


def test_age_shows_seconds_under_a_minute_and_never_goes_negative():
    assert format_age(timedelta(seconds=42)) == "42s"
    assert format_age(timedelta(seconds=-5)) == "0s"
    assert format_age(timedelta(hours=2)) == "2h 0m"


def test_reset_phrase_is_empty_when_unknown_and_says_how_long_ago_when_past():
    assert format_reset(UsagePeriod("W", 5, PeriodType.WEEKLY), NOW) == ""
    assert format_reset(session(5, timedelta(minutes=-1)), NOW) == "reset 1m ago, was 5%"
    assert format_reset(session(0, timedelta(hours=-6)), NOW) == "reset 6h 0m ago"
    assert format_reset(session(5), NOW) == "resets in 2h 30m"


def test_absolute_reset_is_a_local_clock_time_naming_the_zone():
    period = session(5)
    local = period.resets_at.astimezone()
    expected = f"resets {local.strftime('%a %d %b %H:%M')} {local.strftime('%Z')}"
    assert format_reset(period, NOW, "absolute") == expected


def test_money_uses_the_currency_sign_or_the_code():
    assert format_money(Decimal("1234.5"), "usd") == "$1,234.50"
    assert format_money(Decimal("3"), "CHF") == "3.00 CHF"


@pytest.mark.parametrize(
    ("overage", "text"),
    [
        (None, ""),
        (OverageUsage(Decimal("5.50"), Decimal("100")), "Extra usage: $5.50 of $100.00 used"),
        (OverageUsage(Decimal("2"), None), "Extra usage: $2.00 used (no limit)"),
        (OverageUsage(Decimal("0"), Decimal("10"), is_enabled=False), ""),
        (
            OverageUsage(Decimal("1"), Decimal("10"), is_enabled=False),
            "Extra usage: $1.00 of $10.00 used (disabled)",
        ),
        (
            OverageUsage(None, None, currency="credits", balance=Decimal("12.5")),
            "Credits: 12.50 left",
        ),
        (OverageUsage(None, None, currency="credits", unlimited=True), "Credits: unlimited"),
        (OverageUsage(None, None, balance=Decimal("8")), "Balance: $8.00 left"),
        (
            OverageUsage(Decimal("1"), Decimal("10"), balance=Decimal("9")),
            "Extra usage: $1.00 of $10.00 used, $9.00 left",
        ),
    ],
    ids=[
        "none",
        "capped",
        "uncapped",
        "idle-disabled",
        "spent-disabled",
        "credits",
        "unlimited",
        "money-left-only",
        "spent-and-left",
    ],
)
def test_overage_line(overage, text):
    assert format_overage(overage) == text


# --- text ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("utilization", "color"),
    [(50, GREEN), (60, YELLOW), (70, RED), (100, RED)],
    ids=["on-pace", "a-bit-fast", "too-fast", "full"],
)
def test_bar_colour_follows_the_pace_halfway_through_a_window(utilization, color):
    assert usage_color(session(utilization), NOW) == color


def test_bar_colour_follows_utilisation_when_pace_is_off_or_unknown():
    unknown = UsagePeriod("Monthly", 55, PeriodType.MONTHLY)
    assert usage_color(unknown, NOW) == YELLOW
    assert usage_color(UsagePeriod("Monthly", 85, PeriodType.MONTHLY), NOW) == RED
    assert usage_color(session(30), NOW, pace_colors=False) == GREEN


def test_bar_rounds_to_the_nearest_cell_and_has_an_ascii_form():
    assert bar(11, Style()) == "██" + "░" * 18
    assert bar(100, Style(unicode=False)) == "#" * 20
    assert bar(0, Style(unicode=False)) == "-" * 20


def test_text_block_has_the_name_then_one_row_per_window_then_the_pace_line():
    result = ProviderResult(ALPHA, snapshot=snapshot(session(50)))
    lines = render_results([result], NOW, Style()).splitlines()
    assert lines[0] == "Alpha"
    assert lines[1] == "  Session (5h)  " + "█" * 10 + "░" * 10 + "  50%  resets in 2h 30m"
    assert lines[2] == "  Pace (Session (5h)): On pace · lasts until reset"
    assert len(lines) == 3


def test_stale_data_says_how_old_it_is_and_its_error_follows():
    old = UsageSnapshot("alpha", NOW - timedelta(hours=1), (session(5),), source="oauth")
    result = ProviderResult(ALPHA, snapshot=old, error=error("down"), cached=True, stale=True)
    text = render_results([result], NOW, Style())
    assert text.startswith("Alpha (stale, 1h 0m old)\n")
    assert "Errors\n  Alpha: down\n    → Log in to beta." in text


def test_errors_follow_the_blocks_and_ascii_uses_an_ascii_arrow():
    results = [ProviderResult(ALPHA, snapshot=snapshot()), ProviderResult(BETA, error=error())]
    text = render_results(results, NOW, Style(unicode=False))
    blocks = text.split("\n\n")
    assert blocks[0].startswith("Alpha")
    assert blocks[1] == "Errors\n  Beta: No Beta credentials found\n    -> Log in to beta.\n"


def test_colour_only_when_asked():
    results = [ProviderResult(ALPHA, snapshot=snapshot())]
    assert "\x1b[" not in render_results(results, NOW, Style())
    coloured = render_results(results, NOW, Style(color=True))
    assert coloured.startswith(f"{BOLD}Alpha{RESET}")
    assert f"{GREEN}50%{RESET}" in coloured


def test_verbose_adds_pace_identity_source_attempts_status_and_dashboard():
    snap = snapshot(
        session(50),
        identity=ProviderIdentity(email="me@example.com", plan="Max"),
        status=ProviderStatus(StatusLevel.PARTIAL_OUTAGE, "API errors"),
        notes=("chat: unlimited",),
        reset_credits=2,
    )
    attempts = (Attempt("web", False, 12, "expired"), Attempt("oauth", True, 80))
    result = ProviderResult(ALPHA, snapshot=snap, cached=True, attempts=attempts)
    text = render_results([result], NOW + timedelta(seconds=30), Style(verbose=True))
    lines = text.splitlines()
    assert lines[0] == "Alpha (cached, 30s old)"
    assert lines[1].endswith("resets in 2h 29m  On pace · lasts until reset")
    assert "  Plan: Max · Account: me@example.com" in lines
    assert "  Attempts: web failed in 12 ms: expired; oauth ok in 80 ms" in lines
    assert "  Limit resets available: 2" in lines
    assert "  Notes: chat: unlimited" in lines
    assert "  Status: partial outage (API errors)" in lines
    assert lines[-1] == "  Dashboard: https://alpha.example/usage"


def test_a_snapshot_without_windows_says_so():
    result = ProviderResult(ALPHA, snapshot=UsageSnapshot("alpha", NOW))
    assert "  no usage windows reported" in render_results([result], NOW, Style())


def test_no_results_is_no_text():
    assert render_results([], NOW, Style()) == ""
    assert render_quiet([], NOW) == ""


def test_quiet_is_one_line_per_window_and_per_provider_without_data():
    weekly = UsagePeriod("Weekly", 9, PeriodType.WEEKLY)
    results = [
        ProviderResult(ALPHA, snapshot=snapshot(session(50), weekly), stale=True, error=error()),
        ProviderResult(BETA, error=error()),
    ]
    assert render_quiet(results, NOW) == (
        "alpha Session (5h): 50%, resets in 2h 30m "
        "(stale, 0s old, refresh failed: login missing or expired)\n"
        "alpha Weekly: 9% (stale, 0s old, refresh failed: login missing or expired)\n"
        "beta error: No Beta credentials found\n"
    )


def test_first_run_lists_every_provider_with_its_set_up_hint():
    text = render_first_run([ALPHA, BETA], Style())
    assert text.startswith("No provider is connected yet.")
    assert "  Alpha  Log in to alpha." in text and "  Beta   Log in to beta." in text
    assert text.endswith("lists every option.\n")


def test_provider_help_lists_strategies_in_order_and_config_keys():
    provider = fake_provider("alpha", [FakeStrategy("alpha", "oauth"), FakeStrategy("alpha")])
    provider = provider.replace(options={"cli_refresh": bool})
    text = provider_help(provider)
    assert "  status:     no status page\n" in text
    assert text.index("    oauth  fake oauth") < text.index("    fake   fake fake")
    assert "  config keys in [providers.alpha]:\n    cli_refresh (bool)\n" in text


def test_progress_line_redraws_over_the_previous_one():
    assert progress_line(["claude", "codex"], 1.25) == f"{CLEAR_LINE}Fetching claude, codex... 1.2s"


def test_unicode_support_depends_on_the_encoding():
    assert unicode_supported("utf-8")
    assert not unicode_supported("ascii")
    assert not unicode_supported("no-such-codec")
    assert not unicode_supported(None)


# --- JSON ------------------------------------------------------------------------------------


def test_one_named_provider_is_the_bare_snapshot_with_run_flags():
    result = ProviderResult(ALPHA, snapshot=snapshot(), cached=True)
    document = report_document(Report((result,), NOW, single=True))
    assert document["provider"] == "alpha" and document["cached"] is True
    assert document["stale"] is False and "error" not in document
    assert document["periods"][0]["pace_ratio"] == 1.0


def test_one_named_provider_without_data_is_an_error_document():
    document = single_document(ProviderResult(BETA, error=error()), NOW)
    assert list(document) == ["error"]
    assert document["error"]["category"] == "authentication"


def test_all_providers_view_separates_data_errors_and_stale():
    results = (
        ProviderResult(ALPHA, snapshot=snapshot(), stale=True, error=error("down")),
        ProviderResult(BETA, error=error()),
    )
    document = report_document(Report(results, NOW))
    assert document == providers_document(results, NOW)
    assert document["schema_version"] == 1 and document["fetched_at"] == NOW.isoformat()
    assert list(document["providers"]) == ["alpha"] and document["stale"] == ["alpha"]
    assert document["providers"]["alpha"]["error"]["message"] == "down"
    assert list(document["errors"]) == ["beta"]


def test_an_empty_report_is_the_empty_all_providers_document():
    assert report_document(Report((), NOW)) == {
        "schema_version": 1,
        "fetched_at": NOW.isoformat(),
        "providers": {},
        "errors": {},
        "stale": [],
    }


def test_json_dump_is_indented_keeps_non_ascii_and_ends_with_a_newline():
    text = dumps({"name": "Équipe", "n": [1]})
    assert text == '{\n  "name": "Équipe",\n  "n": [\n    1\n  ]\n}\n'
    assert json.loads(text) == {"name": "Équipe", "n": [1]}
