"""Antigravity's ``cli`` strategy with a fake ``agy``: every version's output, failures, kills."""

import time
from pathlib import Path
from typing import Any, Callable, Dict, Iterator

import pytest

from tests.conftest import FIXTURES, CliResult, Home, make_ctx
from tests.providers.antigravity_env import FAKE_AGY, NOW
from tests.providers.fake_tools import all_gone, kill_leftovers, posix_only, records, write_tool
from vibeusage.errors import ErrorCategory
from vibeusage.providers.antigravity.cli import AntigravityCli
from vibeusage.providers.base import FetchResult

pytestmark = posix_only


class Agy:
    def __init__(self, home: Home, tmp_path: Path) -> None:
        import os

        self.home = home.root
        self.bin = tmp_path / "bin"
        self.out = tmp_path / "out"
        self.out.mkdir()
        self.program = write_tool(self.bin, "agy", FAKE_AGY)
        (home.root / ".gemini" / "antigravity-cli").mkdir(parents=True)
        self.env: Dict[str, str] = dict(os.environ)
        self.env.update(PATH=f"{self.bin}:{self.env['PATH']}", FAKE_OUT=str(self.out))
        self.answer("agy-usage-1.3.1.json")

    def answer(self, fixture: Any, mode: str = "print", **more: str) -> None:
        self.env["FAKE_AGY_QUOTA"] = str(FIXTURES / "antigravity" / fixture) if fixture else ""
        self.env["FAKE_AGY_QUOTA_MODE"] = mode
        for name, value in more.items():
            self.env[f"FAKE_AGY_QUOTA_{name.upper()}"] = value

    def fetch(self, timeout: float = 10.0, **kwargs: Any) -> FetchResult:
        ctx = make_ctx("antigravity", self.home, self.env, timeout=timeout, clock=lambda: NOW)
        return AntigravityCli(**{"grace": 0.2, **kwargs}).fetch(ctx)


@pytest.fixture
def agy(home: Home, tmp_path: Path) -> Iterator[Agy]:
    fake = Agy(home, tmp_path)
    try:
        yield fake
    finally:
        kill_leftovers(fake.out)


@pytest.mark.parametrize(
    ("fixture", "count"),
    [
        ("agy-quota-1.2.12.json", 2),
        ("agy-usage-1.3.1.json", 3),
        ("agy-quota-camel-command.json", 3),
    ],
)
def test_each_versions_output_gives_a_cli_snapshot(agy: Agy, fixture: str, count: int) -> None:
    agy.answer(fixture)
    result = agy.fetch()
    assert result.snapshot is not None, result.error
    assert result.snapshot.source == "cli" and len(result.snapshot.periods) == count
    (run,) = records(agy.out, "agy")
    assert run["argv"] == ["-p", "/quota", "--output-format", "json"]
    assert run["env"]["AGY_CLI_DISABLE_AUTO_UPDATE"] == "true"
    assert run["stdin_closed"] and run["pgid"] == run["pid"]
    assert not Path(run["cwd"]).exists()
    assert all_gone(agy.out)


def test_signed_out_with_exit_3_is_authentication(agy: Agy) -> None:
    agy.answer("agy-signed-out.json", exit="3")
    result = agy.fetch()
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION
    assert result.error.exit_code == 2


def test_agy_error_on_stderr_is_rate_limited(agy: Agy) -> None:
    agy.answer(None, exit="3", stderr=str(FIXTURES / "antigravity" / "agy-error-stderr.txt"))
    result = agy.fetch()
    assert result.error is not None and result.error.category is ErrorCategory.RATE_LIMITED


def test_a_hung_agy_ignoring_sigterm_is_killed_at_the_cap(agy: Agy) -> None:
    agy.answer(None, mode="ignore-term")
    started = time.monotonic()
    result = agy.fetch(cap=0.8)
    assert time.monotonic() - started < 3.0
    assert result.error is not None and result.error.category is ErrorCategory.NETWORK
    assert result.error.exit_code == 3
    assert all_gone(agy.out, seconds=0.5)


def test_a_hung_agy_with_a_helper_leaves_nothing_behind(agy: Agy) -> None:
    agy.answer(None, mode="hang-helper")
    result = agy.fetch(cap=0.6)
    assert result.error is not None and result.error.category is ErrorCategory.NETWORK
    assert all_gone(agy.out)


def test_the_cap_never_passes_the_budget(agy: Agy) -> None:
    agy.answer(None, mode="hang")
    started = time.monotonic()
    result = agy.fetch(timeout=2.8)
    assert time.monotonic() - started < 2.8
    assert result.error is not None and result.error.category is ErrorCategory.NETWORK


def test_garbage_output_is_a_parse_error(agy: Agy) -> None:
    agy.answer("ls-cmdlines.txt")
    result = agy.fetch()
    assert result.error is not None and result.error.category is ErrorCategory.PARSE


def test_availability_needs_agy_and_its_data_folder(agy: Agy, tmp_path: Path) -> None:
    ctx = make_ctx("antigravity", agy.home, agy.env, clock=lambda: NOW)
    assert AntigravityCli().available(ctx)
    (agy.home / ".gemini" / "antigravity-cli").rmdir()
    assert not AntigravityCli().available(ctx)
    assert "has not run here" in AntigravityCli().explain(ctx)
    (agy.home / ".gemini" / "antigravity-cli").mkdir()
    agy.program.rename(tmp_path / "agy-elsewhere")
    assert not AntigravityCli().available(ctx)
    env = {**agy.env, "ANTIGRAVITY_CLI_PATH": str(tmp_path / "agy-elsewhere")}
    ctx = make_ctx("antigravity", agy.home, env, clock=lambda: NOW)
    assert AntigravityCli().available(ctx)
    assert records(agy.out, "agy") == []


def test_through_the_cli_when_no_server_runs(
    agy: Agy, cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in agy.env.items():
        if key != "HOME":
            monkeypatch.setenv(key, value)
    result = cli("antigravity", "--json", clock=lambda: NOW)
    assert result.code == 0, result.err
    snapshot = result.json()
    assert snapshot["source"] == "cli"
    assert [p["name"] for p in snapshot["periods"]] == [
        "Session (Gemini Models)",
        "Weekly (Gemini Models)",
        "Weekly (Claude and GPT models)",
    ]
    table = cli("antigravity", clock=lambda: NOW)
    assert table.code == 0 and "Gemini Models" in table.out
    doctor = cli("doctor")
    assert str(agy.program) in doctor.out
