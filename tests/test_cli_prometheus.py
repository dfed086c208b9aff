"""``vibeusage --format prometheus`` end to end: the exposition of a real run, line by line."""

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, Optional

import pytest

from tests.fakes import FakeStrategy, fake_provider
from tests.test_prometheus import parse_exposition
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.models import OverageUsage, PeriodType, ProviderIdentity, UsagePeriod, UsageSnapshot
from vibeusage.providers.base import FetchResult

NOW = datetime(2026, 9, 20, 10, 15, tzinfo=timezone.utc)
NOW_UNIX = 1789899300
ODD_MODEL = 'o"p\\us\nx'
#: Provider text has its newlines turned into spaces where it enters the model; the
#: renderer's escaping of a newline itself is checked in test_prometheus.
SHOWN_MODEL = ODD_MODEL.replace("\n", " ")
EMAIL = "person@example.com"
TOKEN = "sk-ant-oat01-SECRETtokenVALUEthatMUSTneverLEAK0123456789"


def clock() -> datetime:
    return NOW


class Account:
    """A fake provider answering with three windows and extra usage, or with an error."""

    def __init__(self, provider_id: str) -> None:
        self.id = provider_id
        self.error: Optional[VibeusageError] = None

    def answer(self, ctx: Any) -> FetchResult:
        if self.error is not None:
            return FetchResult.fail(self.error)
        periods = (
            # 3 h of 5 elapsed at 80 %: runs out in (100 - 80) * 10800 / 80 = 2700 s
            UsagePeriod("Session (5h)", 80, PeriodType.SESSION, NOW + timedelta(hours=2)),
            UsagePeriod("Weekly", 10, PeriodType.WEEKLY, NOW + timedelta(days=3)),
            UsagePeriod(f"Weekly {ODD_MODEL}", 7, PeriodType.WEEKLY, None, model=ODD_MODEL),
        )
        return FetchResult.ok(
            UsageSnapshot(
                self.id,
                ctx.now() - timedelta(seconds=1, microseconds=500000),
                periods,
                overage=OverageUsage(Decimal("5.5"), Decimal("100"), "USD"),
                identity=ProviderIdentity(EMAIL, "Acme Corp", "Max 5x"),
                source="fake",
            )
        )

    @property
    def provider(self) -> Any:
        return fake_provider(self.id, [FakeStrategy(self.id, behaviour=self.answer)])


def register(monkeypatch: pytest.MonkeyPatch, *accounts: Account) -> None:
    providers = tuple(a.provider for a in accounts)
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: providers)


@pytest.fixture
def two(monkeypatch: pytest.MonkeyPatch, home: Any) -> "tuple[Account, Account]":
    alpha, beta = Account("alpha"), Account("beta")
    beta.error = VibeusageError("beta is down", ErrorCategory.NETWORK)
    register(monkeypatch, alpha, beta)
    return alpha, beta


def window(name: str, period_type: str) -> Any:
    return {"provider": "alpha", "window": name, "period_type": period_type, "model": ""}


def by_provider(samples: Any) -> Any:
    return [(labels["provider"], value) for labels, value in samples]


def test_the_exposition_of_a_partial_run(cli, two):
    result = cli("--format", "prometheus", clock=clock)
    assert result.code == 5  # as the table would exit: beta failed
    assert result.err == ""
    families = parse_exposition(result.out)
    assert families["vibeusage_window_used_percent"] == [
        (window("Session (5h)", "session"), "80"),
        (window("Weekly", "weekly"), "10"),
        (
            {
                "provider": "alpha",
                "window": f"Weekly {SHOWN_MODEL}",
                "period_type": "weekly",
                "model": SHOWN_MODEL,
            },
            "7",
        ),
    ]
    resets = families["vibeusage_window_resets_at_seconds"]
    assert [(s[0]["window"], s[1]) for s in resets] == [
        ("Session (5h)", str(NOW_UNIX + 7200)),
        ("Weekly", str(NOW_UNIX + 3 * 86400)),
    ]
    eta = families["vibeusage_window_eta_seconds"]
    assert [(s[0]["window"], s[1]) for s in eta] == [("Session (5h)", "2700")]
    assert by_provider(families["vibeusage_provider_up"]) == [("alpha", "1"), ("beta", "0")]
    assert by_provider(families["vibeusage_provider_stale"]) == [("alpha", "0"), ("beta", "0")]
    assert by_provider(families["vibeusage_snapshot_age_seconds"]) == [("alpha", "1.5")]
    assert families["vibeusage_overage_used"] == [
        ({"provider": "alpha", "currency": "USD"}, "5.50")
    ]
    assert families["vibeusage_overage_limit"] == [
        ({"provider": "alpha", "currency": "USD"}, "100.00")
    ]
    assert families["vibeusage_run_timestamp_seconds"] == [({}, str(NOW_UNIX))]
    assert 'model="o\\"p\\\\us x"' in result.out


def test_values_are_those_of_the_json(cli, two):
    document = cli("--json", clock=clock).json()
    families = parse_exposition(cli("--format", "prometheus", clock=clock).out)
    periods = document["providers"]["alpha"]["periods"]
    used = [value for _, value in families["vibeusage_window_used_percent"]]
    assert used == [str(p["utilization"]) for p in periods]
    resets = [value for _, value in families["vibeusage_window_resets_at_seconds"]]
    assert resets == [
        str(int(datetime.fromisoformat(p["resets_at"]).timestamp()))
        for p in periods
        if p["resets_at"]
    ]
    overage = document["providers"]["alpha"]["overage"]
    assert families["vibeusage_overage_used"][0][1] == overage["used"]


def test_no_email_organisation_plan_or_token_in_the_exposition(cli, two, home):
    home.write_claude_credentials(accessToken=TOKEN)  # a login on the machine
    text = cli("--format", "prometheus", clock=clock).out
    for private in (EMAIL, "example.com", "Acme", "Max 5x", "sk-ant", TOKEN):
        assert private not in text


def test_a_stale_provider_is_down_and_stale_with_its_windows(cli, monkeypatch, home):
    alpha = Account("alpha")
    register(monkeypatch, alpha)
    cli("--json", clock=clock)
    alpha.error = VibeusageError("alpha is down", ErrorCategory.NETWORK)
    later = NOW + timedelta(minutes=10)
    result = cli("--format", "prometheus", clock=lambda: later)
    assert result.code == 5
    families = parse_exposition(result.out)
    assert by_provider(families["vibeusage_provider_up"]) == [("alpha", "0")]
    assert by_provider(families["vibeusage_provider_stale"]) == [("alpha", "1")]
    assert by_provider(families["vibeusage_snapshot_age_seconds"]) == [("alpha", "601.5")]
    assert len(families["vibeusage_window_used_percent"]) == 3


def test_all_failed_still_writes_the_file_and_exits_with_the_failure(cli, monkeypatch, home):
    beta = Account("beta")
    beta.error = VibeusageError("beta is down", ErrorCategory.NETWORK)
    register(monkeypatch, beta)
    target = home.root / "vibeusage.prom"
    result = cli("--format", "prometheus", "-o", str(target), clock=clock)
    assert result.code == 3 and result.out == ""
    families = parse_exposition(target.read_text(encoding="utf-8"))
    assert families["vibeusage_provider_up"] == [({"provider": "beta"}, "0")]
    assert families["vibeusage_window_used_percent"] == []


def test_output_file_is_written_atomically_with_the_same_text(cli, two, home):
    target = home.root / "textfile" / "vibeusage.prom"
    target.parent.mkdir()
    printed = cli("--format", "prometheus", clock=clock).out
    result = cli("--format", "prometheus", "--output", str(target), clock=clock)
    assert result.out == ""
    assert target.read_text(encoding="utf-8") == printed
    assert [p.name for p in target.parent.iterdir()] == ["vibeusage.prom"]


def test_nothing_connected_is_an_exposition_not_the_guide(cli, home):
    result = cli("--format", "prometheus", clock=clock)
    assert result.code == 2  # nothing connected is exit 2 in every mode (issue 13 #7)
    families = parse_exposition(result.out)
    assert families["vibeusage_provider_up"] == []
    assert families["vibeusage_run_timestamp_seconds"] == [({}, str(NOW_UNIX))]


def test_format_json_and_table_are_the_existing_outputs(cli, two):
    cli("--json", clock=clock)  # warm the cache: every run below answers from it alike
    assert cli("--format", "json", clock=clock).out == cli("--json", clock=clock).out
    assert cli("--json", "--format", "json", clock=clock).code == 5
    assert cli("--format", "table", clock=clock).out == cli(clock=clock).out


def test_prometheus_with_record_records_too(cli, two, home):
    result = cli("--format", "prometheus", "--record", clock=clock)
    assert result.code == 5 and result.err == ""
    assert list((home.state_dir / "history").glob("*/2026-09.jsonl"))


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--json", "--format", "prometheus"], "--json means --format json"),
        (["--json", "--format", "table"], "--json means --format json"),
        (["--format", "prometheus", "--quiet"], "--quiet cannot be used with --format prometheus"),
        (["--format", "prometheus", "-v"], "--verbose cannot be used with --format prometheus"),
        (["--format", "yaml"], "invalid choice"),
    ],
)
def test_conflicting_formats_are_usage_errors(cli, two, argv, message):
    result = cli(*argv, clock=clock)
    assert result.code == 4
    assert message in result.err and result.out == ""


def test_format_may_come_after_the_provider_names(cli, two):
    result = cli("alpha", "--format", "prometheus", clock=clock)
    assert result.code == 0
    up = parse_exposition(result.out)["vibeusage_provider_up"]
    assert by_provider(up) == [("alpha", "1")]
