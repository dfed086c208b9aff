"""Vertex AI's ``gcloud`` strategy with a fake ``gcloud`` (a Python script in ``tmp_path`` on the
context's PATH): the exact command, stdin closed, a throw-away cwd, the environment passed
through, the token used once and never cached, gcloud's errors explained, and a hanging
gcloud killed with its process group at the cap. The real gcloud is never run.
"""

import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

from tests.conftest import Home
from tests.providers.vertexai_support import (
    FIXTURE_PERIODS,
    PROJECT,
    SECRETS,
    FakeMonitoring,
    token_cache_path,
    untouched,
    vertex_ctx,
    write_gcloud_config,
    write_sa_key,
    write_user_adc,
)
from vibeusage.errors import ErrorCategory
from vibeusage.providers.base import FetchContext, FetchResult
from vibeusage.providers.vertexai import gcloud as gcloud_module
from vibeusage.providers.vertexai.gcloud import VertexGcloud, find_gcloud, gcloud_error

posix_only = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="the fake gcloud is a #! script; groups are POSIX"
)
GCLOUD_TOKEN = "ya29.a0FAKEgcloudPRINTEDtoken0123456789"

FAKE_GCLOUD = r"""
import json, os, signal, subprocess, sys, time

out = os.environ["FAKE_OUT"]
mode = os.environ.get("FAKE_MODE", "ok")
with open(os.path.join(out, "calls.jsonl"), "a", encoding="utf-8") as handle:
    handle.write(json.dumps({
        "argv": sys.argv[1:],
        "cwd": os.getcwd(),
        "stdin": sys.stdin.read() if sys.stdin else None,
        "marker": os.environ.get("FAKE_MARKER"),
        "pid": os.getpid(),
    }) + "\n")
if mode == "ok":
    print(os.environ["FAKE_TOKEN"])
elif mode == "relogin":
    sys.stderr.write(
        "ERROR: (gcloud.auth.application-default.print-access-token) There was a problem "
        "refreshing your current auth tokens: ('invalid_grant: Bad Request')\n"
        "Please run:\n\n  $ gcloud auth application-default login\n\nto obtain new credentials.\n"
    )
    sys.exit(1)
elif mode == "reauth":
    sys.stderr.write("ERROR: (gcloud...) Reauthentication failed. cannot prompt now.\n")
    sys.exit(1)
elif mode == "other":
    sys.stderr.write(
        "ERROR: (gcloud.auth.application-default.print-access-token) Your default credentials "
        "were not found.\n"
    )
    sys.exit(1)
elif mode == "silent-failure":
    sys.exit(3)
elif mode == "empty":
    pass
elif mode == "junk":
    print("Updates are available for some Google Cloud CLI components.")
    print(os.environ["FAKE_TOKEN"])
elif mode == "hang":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with open(os.path.join(out, "child.pid"), "w") as handle:
        handle.write(str(child.pid))
    time.sleep(120)
"""


class FakeGcloud:
    def __init__(self, tmp_path: Path) -> None:
        self.bin = tmp_path / "bin"
        self.out = tmp_path / "gcloud-out"
        self.bin.mkdir()
        self.out.mkdir()
        script = self.bin / "gcloud"
        script.write_text(f"#!{sys.executable}\n{FAKE_GCLOUD}", encoding="utf-8")
        script.chmod(0o755)
        self.path = str(script)

    def environ(self, mode: str = "ok", **extra: str) -> Dict[str, str]:
        environ = {
            "PATH": f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}",
            "FAKE_OUT": str(self.out),
            "FAKE_MODE": mode,
            "FAKE_TOKEN": GCLOUD_TOKEN,
            "FAKE_MARKER": "passed-through",
            "GOOGLE_CLOUD_PROJECT": PROJECT,
        }
        environ.update(extra)
        return environ

    def calls(self) -> List[Dict[str, Any]]:
        path = self.out / "calls.jsonl"
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines()]

    def child_pid(self) -> int:
        return int((self.out / "child.pid").read_text())


@pytest.fixture
def gcloud(tmp_path: Path) -> Iterator[FakeGcloud]:
    fake = FakeGcloud(tmp_path)
    yield fake
    for pid in [c["pid"] for c in fake.calls()]:
        _kill(pid)
    if (fake.out / "child.pid").exists():
        _kill(fake.child_pid())


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


@pytest.fixture
def user_adc(home: Home) -> Iterator[Path]:
    path = write_user_adc(home)
    with untouched(path):
        yield path


def ctx_for(home: Home, gcloud: FakeGcloud, mode: str = "ok", **kwargs: Any) -> FetchContext:
    environ = gcloud.environ(mode, **kwargs.pop("environ", {}))
    return vertex_ctx(home, environ, **kwargs)


def run(ctx: FetchContext) -> FetchResult:
    return VertexGcloud().fetch(ctx)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


# --- availability -------------------------------------------------------------------------------


@posix_only
def test_available_only_with_gcloud_and_an_adc_file(home: Home, gcloud: FakeGcloud) -> None:
    ctx = ctx_for(home, gcloud)
    assert VertexGcloud().available(ctx) is False  # gcloud alone is not a login
    assert "no Application Default Credentials" in VertexGcloud().explain(ctx)
    write_user_adc(home)
    assert VertexGcloud().available(ctx) is True
    no_gcloud = vertex_ctx(home, {"PATH": str(home.root)})
    assert VertexGcloud().available(no_gcloud) is False
    assert VertexGcloud().explain(no_gcloud) == "gcloud not found on PATH"
    assert gcloud.calls() == []  # availability never runs it


def test_windows_default_install_is_found_when_not_on_path(
    home: Home, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    installed = tmp_path / "gcloud.cmd"
    installed.write_text("@echo off\n")
    monkeypatch.setattr(gcloud_module, "WINDOWS_GCLOUD", installed)
    assert find_gcloud(vertex_ctx(home, {"PATH": str(home.root)}, platform="win32")) == str(
        installed
    )
    assert find_gcloud(vertex_ctx(home, {"PATH": str(home.root)}, platform="linux")) is None


def test_no_path_at_all_finds_no_gcloud(home: Home) -> None:
    ctx = vertex_ctx(home)
    ctx.environ = {k: v for k, v in ctx.environ.items() if k != "PATH"}
    assert find_gcloud(ctx) is None


# --- a token from gcloud ------------------------------------------------------------------------


@posix_only
def test_gcloud_runs_exactly_print_access_token_with_stdin_closed_in_a_temp_dir(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path
) -> None:
    monitoring = FakeMonitoring(mocked)
    write_gcloud_config(home)

    result = run(ctx_for(home, gcloud))

    assert result.snapshot is not None, result.error
    assert [(p.name, p.utilization) for p in result.snapshot.periods] == [
        (name, used) for name, used, _, _ in FIXTURE_PERIODS
    ]
    (call,) = gcloud.calls()
    assert call["argv"] == ["auth", "application-default", "print-access-token"]
    assert call["stdin"] == ""
    assert call["marker"] == "passed-through"
    assert call["cwd"] != os.getcwd() and not Path(call["cwd"]).exists()
    assert set(monitoring.bearers()) == {f"Bearer {GCLOUD_TOKEN}"}
    assert result.snapshot.source == "gcloud"
    assert result.snapshot.identity is not None
    assert result.snapshot.identity.email == "dev@example.com"  # gcloud's [core] account
    assert result.snapshot.identity.organization == PROJECT


@posix_only
def test_gcloud_tokens_are_not_cached_across_runs(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path
) -> None:
    FakeMonitoring(mocked)
    run(ctx_for(home, gcloud))
    run(ctx_for(home, gcloud))
    assert len(gcloud.calls()) == 2
    assert not token_cache_path(home).exists()


@posix_only
def test_user_adc_through_gcloud_bills_its_quota_project(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path
) -> None:
    monitoring = FakeMonitoring(mocked)
    run(ctx_for(home, gcloud))
    assert {h["x-goog-user-project"] for _, _, h in monitoring.requests} == {"billing-proj-123"}


@posix_only
def test_a_service_account_through_gcloud_sends_no_quota_project(
    home: Home, gcloud: FakeGcloud, mocked: Any, tmp_path: Path
) -> None:
    key = write_sa_key(tmp_path)
    monitoring = FakeMonitoring(mocked)
    environ = {"GOOGLE_APPLICATION_CREDENTIALS": str(key)}
    assert run(ctx_for(home, gcloud, environ=environ)).snapshot is not None
    assert all("x-goog-user-project" not in h for _, _, h in monitoring.requests)


@posix_only
def test_a_401_with_a_gcloud_token_is_not_retried(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path
) -> None:
    monitoring = FakeMonitoring(mocked)
    monitoring.answers = [(401, {"error": {"code": 401}})]
    result = run(ctx_for(home, gcloud))
    assert result.error is not None and result.error.category is ErrorCategory.AUTHENTICATION
    assert len(gcloud.calls()) == 1 and len(monitoring.requests) == 1


@posix_only
def test_no_project_is_fatal_before_gcloud_runs(
    home: Home, gcloud: FakeGcloud, mocked: Any
) -> None:
    write_user_adc(home, quota_project_id=None)
    result = run(ctx_for(home, gcloud, environ={"GOOGLE_CLOUD_PROJECT": ""}))
    assert result.error is not None and result.should_fallback is False
    assert result.error.category is ErrorCategory.CONFIGURATION
    assert gcloud.calls() == [] and list(mocked.calls) == []


# --- gcloud's failures --------------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("mode", ["relogin", "reauth"])
def test_a_login_problem_is_an_authentication_error_with_the_login_command(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path, mode: str
) -> None:
    result = run(ctx_for(home, gcloud, mode))
    error = result.error
    assert error is not None
    assert (error.category, error.exit_code) == (ErrorCategory.AUTHENTICATION, 2)
    assert error.remediation == "Run `gcloud auth application-default login`, then retry."
    assert list(mocked.calls) == []


@posix_only
def test_the_first_line_of_gclouds_error_is_shown_without_its_prefix(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path
) -> None:
    error = run(ctx_for(home, gcloud, "other")).error
    assert error is not None
    assert error.message == (
        "gcloud could not print an access token: Your default credentials were not found."
    )
    assert error.category is ErrorCategory.PROVIDER


@posix_only
@pytest.mark.parametrize(
    "mode, category, text",
    [
        ("silent-failure", ErrorCategory.PROVIDER, "(exit code 3)"),
        ("empty", ErrorCategory.PROVIDER, "printed no access token"),
        ("junk", ErrorCategory.PARSE, "printed no access token"),
    ],
)
def test_odd_output_is_an_error_that_shows_none_of_it(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path, mode: str, category: Any, text: str
) -> None:
    error = run(ctx_for(home, gcloud, mode)).error
    assert error is not None and error.category is category
    assert text in error.message
    assert GCLOUD_TOKEN not in error.message + error.remediation


def test_gcloud_error_lines_are_redacted_and_cut() -> None:
    error = gcloud_error(1, f"token {GCLOUD_TOKEN} " + "x" * 500 + "\nsecond line\n")
    assert GCLOUD_TOKEN not in error.message
    assert len(error.message) < 260 and "second line" not in error.message


@posix_only
def test_a_hanging_gcloud_is_killed_with_its_group_at_the_cap(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path
) -> None:
    started = time.monotonic()
    result = run(ctx_for(home, gcloud, "hang", timeout=2.5))
    elapsed = time.monotonic() - started

    error = result.error
    assert error is not None and error.category is ErrorCategory.NETWORK
    assert "within 2 s" in error.message
    assert 1.4 < elapsed < 6.0
    (call,) = gcloud.calls()
    deadline = time.monotonic() + 5
    while (alive(call["pid"]) or alive(gcloud.child_pid())) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not alive(call["pid"]) and not alive(gcloud.child_pid())
    assert list(mocked.calls) == []


def test_the_cap_is_twenty_seconds_at_most() -> None:
    assert gcloud_module.TIMEOUT == 20.0


@posix_only
def test_no_secret_reaches_an_error(
    home: Home, gcloud: FakeGcloud, mocked: Any, user_adc: Path
) -> None:
    for mode in ("relogin", "other", "junk"):
        error = run(ctx_for(home, gcloud, mode)).error
        assert error is not None
        text = json.dumps(error.to_dict())
        for secret in SECRETS + (GCLOUD_TOKEN,):
            assert secret not in text
