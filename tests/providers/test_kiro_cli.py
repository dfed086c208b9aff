"""Kiro's ``cli`` strategy with a fake ``kiro-cli``: whoami, /usage, caps, kills, the PTY retry.

The fake is a Python script on the context's PATH that records how it was started and then
prints a fixture screen, hangs, lingers after printing, ignores SIGTERM or starts a helper
that does. Every test checks that nothing it started is left running.
"""

import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.conftest import CliResult, Home, load_fixture, make_ctx
from tests.providers.fake_tools import all_gone, kill_leftovers, posix_only, records
from tests.providers.kiro_env import (
    ACCESS,
    EU_URL,
    NOW,
    KiroEnv,
    make_kiro_env,
    token_document,
    write_state,
)
from vibeusage.errors import ErrorCategory
from vibeusage.providers.base import FetchResult
from vibeusage.providers.kiro.cli import KiroCli
from vibeusage.providers.kiro.screen import MANAGED_NOTE

pytestmark = posix_only

#: Short caps so that the tests do not wait out the real 5 s / 20 s / 4 s.
FAST = dict(whoami_cap=2.0, usage_cap=3.0, idle=0.3, grace=0.2)


@pytest.fixture
def kiro(home: Home, tmp_path: Path) -> Iterator[KiroEnv]:
    env = make_kiro_env(home.root, tmp_path)
    env.base_env.pop("TERM", None)  # kiro-cli gets xterm-256color when the caller has none
    env.install()
    write_state(env.state_path, token_document())
    env.screen("WHOAMI", "whoami-2.7.1.txt")
    env.screen("USAGE", "usage-v2-free-bonus.ansi.txt")
    try:
        yield env
    finally:
        kill_leftovers(env.out)


def fetch(kiro: KiroEnv, timeout: float = 10.0, **caps: float) -> FetchResult:
    ctx = make_ctx("kiro", kiro.home, kiro.environ(), timeout=timeout, clock=lambda: NOW)
    from datetime import timezone

    return KiroCli(**{**FAST, **caps}, zone=timezone.utc).fetch(ctx)


# --- the happy path ---------------------------------------------------------------------------


def test_whoami_then_usage_give_a_cli_snapshot_with_the_email(kiro: KiroEnv) -> None:
    result = fetch(kiro)
    assert result.snapshot is not None, result.error
    snapshot = result.snapshot
    assert snapshot.source == "cli"
    assert [p.name for p in snapshot.periods] == ["Monthly credits", "Bonus credits"]
    assert snapshot.identity is not None and snapshot.identity.email == "dev@example.com"
    assert snapshot.identity.plan == "Kiro Free"
    runs = records(kiro.out, "kiro")
    assert [r["argv"] for r in runs] == [
        ["whoami", "--format", "json"],
        ["chat", "--no-interactive", "/usage"],
    ]
    for run in runs:
        assert run["stdin_closed"] and not run["tty"]
        assert run["pgid"] == run["pid"]  # a process group of its own
        assert run["env"]["TERM"] == "xterm-256color"
        assert not Path(run["cwd"]).exists()  # a throw-away directory, removed
    assert all_gone(kiro.out)


def test_kiro_api_key_and_term_are_passed_through_as_given(kiro: KiroEnv) -> None:
    kiro.env.update(KIRO_API_KEY="ksk_headless_key_for_kiro_cli", TERM="screen")
    assert fetch(kiro).success
    run = records(kiro.out, "kiro")[-1]
    assert run["env"]["KIRO_API_KEY"] == "ksk_headless_key_for_kiro_cli"
    assert run["env"]["TERM"] == "screen"


def test_a_managed_plan_is_a_success_without_periods(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", "usage-managed-plan.txt")
    result = fetch(kiro)
    assert result.snapshot is not None and result.snapshot.periods == ()
    assert MANAGED_NOTE in result.snapshot.notes


@pytest.mark.parametrize(
    "fixture",
    ["usage-v2-pro-overage.txt", "usage-legacy-box.txt", "usage-legacy-simple-bonus.txt"],
)
def test_every_usage_screen_of_the_fixtures_is_read_through_the_strategy(
    kiro: KiroEnv, fixture: str
) -> None:
    kiro.screen("USAGE", fixture)
    result = fetch(kiro)
    assert result.snapshot is not None and result.snapshot.periods, result.error


# --- whoami ---------------------------------------------------------------------------------


def test_a_null_account_ends_the_strategy_before_usage_even_with_exit_0(kiro: KiroEnv) -> None:
    kiro.screen("WHOAMI", "whoami-logged-out.txt")
    result = fetch(kiro)
    assert result.error is not None
    assert result.error.category is ErrorCategory.AUTHENTICATION and result.error.exit_code == 2
    assert "kiro-cli login" in result.error.remediation
    assert [r["argv"][0] for r in records(kiro.out, "kiro")] == ["whoami"]


def test_a_hung_whoami_costs_only_the_identity(kiro: KiroEnv) -> None:
    kiro.screen("WHOAMI", None, mode="hang")
    started = time.monotonic()
    result = fetch(kiro, whoami_cap=0.5)
    assert time.monotonic() - started < 4.0
    assert result.snapshot is not None and result.snapshot.periods
    assert result.snapshot.identity is not None and result.snapshot.identity.email is None
    assert all_gone(kiro.out)


def test_a_failing_whoami_costs_only_the_identity(kiro: KiroEnv) -> None:
    kiro.screen("WHOAMI", "version.txt", exit="1")
    result = fetch(kiro)
    assert result.snapshot is not None and result.snapshot.periods


# --- caps and kills -------------------------------------------------------------------------


def test_a_hung_usage_is_a_network_error_at_the_total_cap(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", None, mode="hang-helper")
    started = time.monotonic()
    result = fetch(kiro, usage_cap=1.0)
    elapsed = time.monotonic() - started
    assert result.error is not None
    assert result.error.category is ErrorCategory.NETWORK and result.error.exit_code == 3
    assert result.error.remediation == (
        "kiro-cli did not answer /usage in time; check the network and retry."
    )
    assert 1.0 <= elapsed < 4.0
    assert all_gone(kiro.out)  # the fake and the helper in its group


def test_a_usage_ignoring_sigterm_is_killed_after_the_grace(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", None, mode="ignore-term")
    result = fetch(kiro, usage_cap=0.8)
    assert result.error is not None and result.error.category is ErrorCategory.NETWORK
    assert all_gone(kiro.out, seconds=0.5)


def test_a_usage_that_lingers_after_printing_is_cut_at_the_idle_limit(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", "usage-v2-pro-overage.txt", mode="linger-ignore-term")
    started = time.monotonic()
    result = fetch(kiro, usage_cap=10.0, idle=0.4)
    assert time.monotonic() - started < 4.0
    assert result.snapshot is not None and result.snapshot.periods[0].utilization == 100
    assert all_gone(kiro.out)


def test_output_that_keeps_dripping_is_read_to_the_end(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", "usage-v2-free-bonus.ansi.txt", mode="drip")
    kiro.env["FAKE_SLOW"] = "0.05"
    result = fetch(kiro, idle=0.5)
    assert result.snapshot is not None
    assert result.snapshot.overage is not None  # the last lines were read too


def test_the_usage_cap_never_passes_the_budget_minus_the_cleanup_reserve(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", None, mode="hang")
    kiro.screen("WHOAMI", "whoami-2.7.1.txt")
    started = time.monotonic()
    result = fetch(kiro, timeout=3.0, usage_cap=20.0)
    elapsed = time.monotonic() - started
    assert result.error is not None and result.error.category is ErrorCategory.NETWORK
    assert elapsed < 3.0  # done, children reaped, before the pipeline's budget
    assert all_gone(kiro.out, seconds=0.1)


def test_a_silent_pipe_run_is_retried_once_in_a_terminal(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", "usage-v2-pro-overage.txt", mode="tty-only")
    result = fetch(kiro)
    assert result.snapshot is not None, result.error
    usage_runs = [r for r in records(kiro.out, "kiro") if r["argv"][0] == "chat"]
    assert [r["tty"] for r in usage_runs] == [False, True]
    assert all_gone(kiro.out)


def test_a_pipe_run_with_output_is_not_retried(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", "context.txt")
    result = fetch(kiro)
    assert result.error is not None and result.error.category is ErrorCategory.PARSE
    assert len([r for r in records(kiro.out, "kiro") if r["argv"][0] == "chat"]) == 1


def test_nothing_written_anywhere_is_a_parse_error_naming_the_exit_status(kiro: KiroEnv) -> None:
    kiro.screen("USAGE", None, exit="7")
    result = fetch(kiro)
    assert result.error is not None and result.error.category is ErrorCategory.PARSE
    assert "exit status 7" in result.error.message


# --- screens that are errors ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "category", "code"),
    [
        ("usage-login-required.txt", ErrorCategory.AUTHENTICATION, 2),
        ("usage-backend-error.ansi.txt", ErrorCategory.PROVIDER, 1),
        ("context.txt", ErrorCategory.PARSE, 1),
    ],
)
def test_error_screens_carry_their_category(
    kiro: KiroEnv, fixture: str, category: ErrorCategory, code: int
) -> None:
    kiro.screen("USAGE", fixture)
    result = fetch(kiro)
    assert result.error is not None
    assert (result.error.category, result.error.exit_code) == (category, code)


def test_the_login_screen_on_stderr_is_seen_too(kiro: KiroEnv) -> None:
    from tests.conftest import FIXTURES

    kiro.screen("USAGE", None, stderr=str(FIXTURES / "kiro" / "usage-login-required.txt"))
    result = fetch(kiro)
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION


# --- finding kiro-cli and availability -------------------------------------------------------


def ctx_of(kiro: KiroEnv) -> Any:
    return make_ctx("kiro", kiro.home, kiro.environ(), clock=lambda: NOW)


def test_an_installed_kiro_cli_alone_is_not_available(kiro: KiroEnv) -> None:
    kiro.state_path.unlink()
    assert not KiroCli().available(ctx_of(kiro))
    assert "never logged in" in KiroCli().explain(ctx_of(kiro))
    kiro.env["KIRO_API_KEY"] = "ksk_headless"
    assert KiroCli().available(ctx_of(kiro))
    assert "KIRO_API_KEY set" in KiroCli().explain(ctx_of(kiro))
    assert records(kiro.out, "kiro") == []  # availability starts nothing


def test_state_without_kiro_cli_is_not_available(kiro: KiroEnv) -> None:
    (kiro.bin / "kiro-cli").unlink()
    assert not KiroCli().available(ctx_of(kiro))
    assert "not on PATH" in KiroCli().explain(ctx_of(kiro))
    result = KiroCli().fetch(ctx_of(kiro))
    assert result.error is not None and result.error.category is ErrorCategory.NOT_FOUND
    assert "KIRO_CLI_PATH" in result.error.remediation


def test_kiro_cli_path_wins_and_a_wrong_one_is_said(kiro: KiroEnv, tmp_path: Path) -> None:
    program = kiro.bin / "kiro-cli"
    elsewhere = tmp_path / "opt" / "kiro"
    elsewhere.parent.mkdir()
    program.rename(elsewhere)
    kiro.env["KIRO_CLI_PATH"] = str(elsewhere)
    assert KiroCli().available(ctx_of(kiro))
    assert fetch(kiro).success
    kiro.env["KIRO_CLI_PATH"] = str(tmp_path / "nope")
    assert not KiroCli().available(ctx_of(kiro))
    assert "is not a file" in KiroCli().explain(ctx_of(kiro))


def test_the_installers_location_is_found_without_path(kiro: KiroEnv) -> None:
    local_bin = kiro.home / ".local" / "bin"
    local_bin.mkdir(parents=True)
    (kiro.bin / "kiro-cli").rename(local_bin / "kiro-cli")
    assert KiroCli().available(ctx_of(kiro))
    assert fetch(kiro).success


def test_a_kiro_cli_that_cannot_start_is_not_found(kiro: KiroEnv, tmp_path: Path) -> None:
    broken = tmp_path / "broken-kiro"
    broken.write_text("not a program")
    broken.chmod(0o644)
    kiro.env["KIRO_CLI_PATH"] = str(broken)
    result = fetch(kiro)
    assert result.error is not None and result.error.category is ErrorCategory.NOT_FOUND


def test_the_cli_strategy_makes_no_http_request(kiro: KiroEnv, mocked: Any) -> None:
    assert fetch(kiro).success
    assert len(mocked.calls) == 0


def test_wall_time_of_the_whole_strategy_with_the_fake_tool(kiro: KiroEnv) -> None:
    """Measured (printed with -s): whoami + /usage with a fake that answers and exits."""
    timings = []
    for _ in range(3):
        started = time.monotonic()
        assert fetch(kiro).success
        timings.append(time.monotonic() - started)
    print(f"\nkiro cli strategy wall time: {', '.join(f'{t * 1000:.0f} ms' for t in timings)}")
    assert min(timings) < 2.0


# --- through the command line -----------------------------------------------------------------


@pytest.fixture
def kiro_on_path(kiro: KiroEnv, monkeypatch: pytest.MonkeyPatch) -> KiroEnv:
    for key, value in kiro.environ().items():
        if key != "HOME":
            monkeypatch.setenv(key, value)
    return kiro


def test_json_through_the_cli_is_the_cli_snapshot(
    kiro_on_path: KiroEnv, cli: Callable[..., CliResult], home: Home
) -> None:
    home.write_config('[providers.kiro]\nauth_source = "cli"\n')
    result = cli("kiro", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    snapshot = result.json()
    assert snapshot["source"] == "cli"
    assert [p["name"] for p in snapshot["periods"]] == ["Monthly credits", "Bonus credits"]
    assert snapshot["overage"]["is_enabled"] is False
    assert snapshot["identity"] == {
        "email": "dev@example.com",
        "organization": None,
        "plan": "Kiro Free",
        "login": None,
    }
    assert all_gone(kiro_on_path.out)


def test_table_through_the_cli_shows_the_credits(
    kiro_on_path: KiroEnv, cli: Callable[..., CliResult]
) -> None:
    result = cli("kiro", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert "Monthly credits" in result.out and "Bonus credits" in result.out


def test_a_cli_failure_falls_back_to_the_api_with_the_token_never_shown(
    kiro_on_path: KiroEnv, cli: Callable[..., CliResult], mocked: Any, monkeypatch: Any
) -> None:
    kiro_on_path.screen("USAGE", "context.txt")
    monkeypatch.setenv("FAKE_KIRO_USAGE", kiro_on_path.env["FAKE_KIRO_USAGE"])
    mocked.post(EU_URL, json=load_fixture("kiro/get-usage-limits-power-overage.json"))
    result = cli("kiro", "--json", "--verbose", clock=lambda: NOW)
    assert result.code == 0, result.err
    assert result.json()["source"] == "api"
    assert ACCESS not in result.out + result.err


def test_logged_out_through_the_cli_is_exit_2_naming_kiro_cli_login(
    kiro_on_path: KiroEnv, cli: Callable[..., CliResult], home: Home, monkeypatch: Any
) -> None:
    home.write_config('[providers.kiro]\nauth_source = "cli"\n')
    kiro_on_path.screen("WHOAMI", "whoami-logged-out.txt")
    monkeypatch.setenv("FAKE_KIRO_WHOAMI", kiro_on_path.env["FAKE_KIRO_WHOAMI"])
    result = cli("kiro", "--json", clock=lambda: NOW)
    assert result.code == 2
    error = result.json()["error"]
    assert error["category"] == "authentication" and "kiro-cli login" in error["remediation"]


def test_auth_and_doctor_say_which_tool_and_state_were_found(
    kiro_on_path: KiroEnv, cli: Callable[..., CliResult]
) -> None:
    auth = cli("auth", "kiro")
    assert auth.code == 0, auth.err
    doctor = cli("doctor")
    assert doctor.code == 0, doctor.err
    assert str(kiro_on_path.bin / "kiro-cli") in doctor.out
    assert str(kiro_on_path.state_path) in doctor.out
    assert records(kiro_on_path.out, "kiro") == []  # neither ran kiro-cli


def test_help_names_kiro(cli: Callable[..., CliResult]) -> None:
    result = cli("kiro", "--help")
    assert result.code == 0 and "Kiro" in result.out
