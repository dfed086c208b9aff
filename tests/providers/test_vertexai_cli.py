"""``vibeusage vertexai`` from the outside: JSON and table output, the errors people meet with
their exit codes, the fallback adc -> gcloud in ``--verbose``, ``--help``/``auth``/``doctor``,
and the fault-injection and hostile-value suites applied to each of Vertex AI's three
requests (token, usage listing, limits listing). Google is ``responses``; gcloud is absent
or a fake.
"""

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Dict

import pytest

from tests.conftest import SNAPSHOT_KEYS, CliResult, Home, load_fixture
from tests.providers.test_vertexai_gcloud import FakeGcloud, posix_only
from tests.providers.vertexai_support import (
    EMAIL,
    FIXTURE_PERIODS,
    LIMIT_METRIC,
    NOW,
    PROJECT,
    REFRESHED,
    SECRETS,
    TOKEN_URL,
    USAGE_METRIC,
    FakeMonitoring,
    token_cache_path,
    untouched,
    write_user_adc,
)
from tests.test_fault_injection import (
    FAULT_IDS,
    FAULTS,
    HOSTILE,
    Fault,
    _no_constants,
    run_strict,
)

Cli = Callable[..., CliResult]


@pytest.fixture
def user_adc(home: Home, monkeypatch: pytest.MonkeyPatch) -> Any:
    path = write_user_adc(home)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    with untouched(path):
        yield path


def google(mocked: Any) -> FakeMonitoring:
    mocked.post(TOKEN_URL, json=load_fixture("vertexai/token-refresh.json"))
    return FakeMonitoring(mocked)


def clean(result: CliResult) -> None:
    text = result.out + result.err
    assert "Traceback" not in text
    for secret in SECRETS:
        assert secret not in text, secret[:8]


def now() -> datetime:
    return NOW


# --- success ------------------------------------------------------------------------------------


def test_json_is_the_bare_snapshot_with_contract_keys(
    cli: Cli, mocked: Any, user_adc: Path
) -> None:
    google(mocked)
    result = cli("vertexai", "--json", clock=now)
    assert result.code == 0, result.err
    document = result.json()
    assert list(document) == SNAPSHOT_KEYS
    assert (document["provider"], document["source"], document["cached"]) == (
        "vertexai",
        "adc",
        False,
    )
    assert [
        (p["name"], p["utilization"], p["period_type"], p["resets_at"]) for p in document["periods"]
    ] == FIXTURE_PERIODS
    assert document["identity"] == {
        "email": EMAIL,
        "organization": PROJECT,
        "plan": None,
        "login": None,
    }
    assert (document["overage"], document["status"]) == (None, None)
    clean(result)


def test_table_shows_the_quota_windows(cli: Cli, mocked: Any, user_adc: Path) -> None:
    google(mocked)
    result = cli("vertexai", clock=now)
    assert result.code == 0, result.err
    assert "Vertex AI" in result.out
    for name, _, _, _ in FIXTURE_PERIODS:
        assert name in result.out
    clean(result)


def test_verbose_names_the_strategy_and_shows_no_token(
    cli: Cli, mocked: Any, home: Home, user_adc: Path
) -> None:
    google(mocked)
    result = cli("vertexai", "--verbose", "--refresh", clock=now)
    assert result.code == 0, result.err
    assert "adc" in result.out + result.err
    clean(result)
    assert REFRESHED in token_cache_path(home).read_text()  # the only place it is kept


def test_no_quota_use_is_exit_0_with_no_periods_and_the_note(
    cli: Cli, mocked: Any, user_adc: Path
) -> None:
    mocked.post(TOKEN_URL, json=load_fixture("vertexai/token-refresh.json"))
    monitoring = FakeMonitoring(mocked, usage=[load_fixture("vertexai/timeseries-empty.json")])
    result = cli("vertexai", "--json", clock=now)
    assert result.code == 0
    assert result.json()["periods"] == []
    assert "Dynamic Shared Quota" in result.json()["notes"][0]
    assert [m for m, _ in monitoring.metrics()] == [USAGE_METRIC]
    table = cli("vertexai", "--verbose", "--refresh", clock=now)  # notes show in verbose
    assert table.code == 0 and "Dynamic Shared Quota" in table.out + table.err


# --- errors -------------------------------------------------------------------------------------


def test_without_adc_the_error_is_the_setup_hint_and_nothing_is_asked(
    cli: Cli, mocked: Any, home: Home
) -> None:
    result = cli("vertexai", "--json", clock=now)
    assert result.code == 2
    error = result.json()["error"]
    assert error["category"] == "authentication"
    assert "gcloud auth application-default login" in error["remediation"]
    assert "GOOGLE_APPLICATION_CREDENTIALS" in error["remediation"]
    assert list(mocked.calls) == []


@posix_only
def test_an_installed_gcloud_without_adc_keeps_vertex_out_of_the_default_view(
    cli: Cli, mocked: Any, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeGcloud(tmp_path)
    monkeypatch.setenv("PATH", fake.environ()["PATH"])
    result = cli("--json", clock=now)
    assert "vertexai" not in json.dumps(result.json())
    assert fake.calls() == []


def test_no_project_is_exit_4_naming_the_three_ways(cli: Cli, mocked: Any, home: Home) -> None:
    write_user_adc(home, quota_project_id=None)
    result = cli("vertexai", "--json", clock=now)
    assert result.code == 4
    error = result.json()["error"]
    assert (error["category"], error["message"]) == (
        "configuration",
        "No Google Cloud project for Vertex AI",
    )
    assert list(mocked.calls) == []


def test_project_from_the_config_file_is_used(
    cli: Cli, mocked: Any, home: Home, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_user_adc(home)
    home.write_config('[providers.vertexai]\nproject = "example-project"\nquota_project = "qp"\n')
    monitoring = google(mocked)
    result = cli("vertexai", "--json", clock=now)
    assert result.code == 0, result.err
    assert {h["x-goog-user-project"] for _, _, h in monitoring.requests} == {"qp"}


def test_a_project_option_of_the_wrong_type_is_a_config_error(cli: Cli, home: Home) -> None:
    home.write_config("[providers.vertexai]\nproject = 12\n")
    assert cli("vertexai", "--json", clock=now).code == 4


def test_invalid_grant_is_exit_2_with_the_login_command(
    cli: Cli, mocked: Any, user_adc: Path
) -> None:
    mocked.post(TOKEN_URL, status=400, json=load_fixture("vertexai/token-invalid-grant.json"))
    result = cli("vertexai", clock=now)
    assert result.code == 2
    assert "gcloud auth application-default login" in result.out + result.err
    clean(result)


@pytest.mark.parametrize(
    "fixture, code, words",
    [
        ("error-403-service-disabled.json", 2, "set-quota-project example-project"),
        ("error-403-permission-denied.json", 2, "roles/monitoring.viewer"),
    ],
)
def test_monitoring_refusals_are_explained_in_the_table(
    cli: Cli, mocked: Any, user_adc: Path, fixture: str, code: int, words: str
) -> None:
    monitoring = google(mocked)
    monitoring.answers = [(403, load_fixture(f"vertexai/{fixture}"))]
    result = cli("vertexai", clock=now)
    assert result.code == code
    assert words in result.out + result.err
    clean(result)


@posix_only
def test_an_adc_type_for_gcloud_falls_back_to_gcloud_in_verbose(
    cli: Cli, mocked: Any, home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_user_adc(home, type="external_account")
    fake = FakeGcloud(tmp_path)
    for key, value in fake.environ().items():
        monkeypatch.setenv(key, value)
    FakeMonitoring(mocked)
    result = cli("vertexai", "--verbose", "--json", clock=now)
    assert result.code == 0, result.out + result.err
    assert result.json()["source"] == "gcloud"
    text = cli("vertexai", "--verbose", "--refresh", clock=now)
    assert "ADC type external_account is used through gcloud" in text.out + text.err
    assert len(fake.calls()) == 2


def test_auth_source_gcloud_without_gcloud_says_so(cli: Cli, home: Home, user_adc: Path) -> None:
    home.write_config('[providers.vertexai]\nauth_source = "gcloud"\n')
    result = cli("vertexai", "--json", clock=now)
    assert result.code == 2


# --- help, auth, doctor -------------------------------------------------------------------------


def test_provider_help_lists_strategies_and_config_keys(cli: Cli, home: Home) -> None:
    result = cli("vertexai", "--help")
    assert result.code == 0
    for text in ("Vertex AI", "adc", "gcloud", "project (str)", "quota_project (str)"):
        assert text in result.out


def test_auth_overview_shows_how_vertex_is_connected(
    cli: Cli, home: Home, user_adc: Path, mocked: Any
) -> None:
    result = cli("auth", "--json")
    assert result.code == 0
    entry = result.json()["vertexai"]
    assert (entry["connected"], entry["strategy"]) == (True, "adc")
    assert any("Application Default Credentials in" in d for d in entry["details"])
    assert list(mocked.calls) == []
    clean(result)


def test_doctor_runs_with_vertex_registered(cli: Cli, home: Home, user_adc: Path) -> None:
    result = cli("doctor")
    assert "Traceback" not in result.out + result.err
    clean(result)


def test_status_points_at_google_clouds_page(cli: Cli, home: Home, mocked: Any) -> None:
    result = cli("status", "vertexai", "--json")
    assert result.code == 0
    assert "status.cloud.google.com" in result.json()["vertexai"]["description"]
    assert list(mocked.calls) == []


# --- every fault on every request ---------------------------------------------------------------


def faulted_run(cli: Cli, mocked: Any, home: Home, where: str, fault: Fault) -> CliResult:
    home.write_config('[providers.vertexai]\nauth_source = "adc"\n')
    if where == "token":
        mocked.add("POST", TOKEN_URL, **fault.answer())
        FakeMonitoring(mocked)
    else:
        monitoring = google(mocked)
        monitoring.faults[USAGE_METRIC if where == "usage" else LIMIT_METRIC] = fault.answer()
    return cli("vertexai", "--json", "--refresh")


@pytest.mark.parametrize("fault", FAULTS, ids=FAULT_IDS)
@pytest.mark.parametrize("where", ["token", "usage", "limits"])
def test_fault_gives_the_documented_category_and_exit_code(
    cli: Cli, mocked: Any, home: Home, user_adc: Path, where: str, fault: Fault
) -> None:
    result = faulted_run(cli, mocked, home, where, fault)
    clean(result)
    document = result.json()
    assert set(document) == {"error"}, document
    error = document["error"]
    assert (error["category"], result.code) == (fault.category, fault.code), error
    assert error["provider"] == "vertexai" and error["message"] and error["remediation"]
    cache = Path(os.environ["VIBEUSAGE_CACHE_DIR"])
    for path in cache.rglob("*"):
        if path.is_file() and path.name != "token.json":
            for secret in SECRETS:
                assert secret.encode() not in path.read_bytes()


@pytest.mark.parametrize("hostile", list(HOSTILE))
@pytest.mark.parametrize("where", ["usage", "limits"])
def test_hostile_values_give_data_or_a_parse_error(
    home: Home, mocked: Any, user_adc: Path, where: str, hostile: str
) -> None:
    home.write_config('[providers.vertexai]\nauth_source = "adc"\n')
    mocked.post(TOKEN_URL, json=load_fixture("vertexai/token-refresh.json"))
    poison = HOSTILE[hostile]
    usage = [poison(p) if where == "usage" else p for p in _usage_pages()]
    limits = (
        [poison(load_fixture("vertexai/timeseries-limits.json"))] if where == "limits" else None
    )
    FakeMonitoring(mocked, usage=usage, limits=limits)
    result = run_strict(["vertexai", "--json", "--refresh"])
    clean(result)
    assert result.code in (0, 1), result.err
    parsed = json.loads(result.out, parse_constant=_no_constants)
    if result.code == 1:
        error = parsed["error"]
        # 100 000 characters added to every string of the limits page pass the 5 MiB cap.
        oversized = hostile == "strings-huge" and "oversized" in error["message"]
        assert error["category"] == "parse" or oversized, parsed
    else:
        for period in parsed["periods"]:
            assert 0 <= period["utilization"] <= 100
    text = run_strict(["vertexai", "--verbose"])
    clean(text)
    assert text.code == result.code


def _usage_pages() -> Any:
    return [
        load_fixture("vertexai/timeseries-net-usage-page1.json"),
        load_fixture("vertexai/timeseries-net-usage-page2.json"),
    ]


def test_a_run_of_two_pages_each_takes_little_time(cli: Cli, mocked: Any, user_adc: Path) -> None:
    """Two usage pages, two limit pages, one refresh: the whole CLI run, mocked."""
    import time

    limits = load_fixture("vertexai/timeseries-limits.json")
    half = len(limits["timeSeries"]) // 2
    pages: Dict[str, Any] = {
        "first": {"timeSeries": limits["timeSeries"][:half]},
        "second": {"timeSeries": limits["timeSeries"][half:]},
    }
    mocked.post(TOKEN_URL, json=load_fixture("vertexai/token-refresh.json"))
    monitoring = FakeMonitoring(mocked, limits=[pages["first"], pages["second"]])
    started = time.perf_counter()
    result = cli("vertexai", "--json", "--refresh", clock=now)
    elapsed = time.perf_counter() - started
    assert result.code == 0, result.err
    assert [m for m, _ in monitoring.metrics()] == [USAGE_METRIC] * 2 + [LIMIT_METRIC] * 2
    assert elapsed < 5.0


# --- bad local files and --debug ----------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"", b"\x89PNG\r\n\x1a\n\xff\xfe", b"[1, 2]", b'{"type": "authorized_user"}']
)
def test_a_broken_adc_file_is_exit_2_naming_the_file(
    cli: Cli, mocked: Any, home: Home, monkeypatch: pytest.MonkeyPatch, content: bytes
) -> None:
    path = write_user_adc(home)
    path.write_bytes(content)
    monkeypatch.setenv("GOOGLE_CLOUD_PROJECT", PROJECT)
    result = cli("vertexai", "--json", clock=now)
    assert result.code == 2
    assert str(path) in result.json()["error"]["message"]
    assert list(mocked.calls) == []
    clean(result)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_adc_file_is_exit_2(cli: Cli, home: Home) -> None:
    path = write_user_adc(home)
    path.chmod(0)
    try:
        result = cli("vertexai", "--json", clock=now)
    finally:
        path.chmod(0o600)
    assert result.code == 2


def test_debug_output_shows_no_secret(cli: Cli, mocked: Any, user_adc: Path) -> None:
    google(mocked)
    result = cli("vertexai", "--debug", "--refresh", clock=now)
    assert result.code == 0, result.err
    text = result.out + result.err
    for secret in SECRETS:
        assert secret not in text, secret[:8]
