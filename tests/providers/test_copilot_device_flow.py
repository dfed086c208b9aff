"""`vibeusage auth copilot`: GitHub's device flow, driven through the CLI with a fake clock."""

import functools
import json
import os
import stat
from typing import Any, List
from urllib.parse import parse_qs

import pytest
import requests

from tests.conftest import load_fixture
from vibeusage.providers import base as providers_base
from vibeusage.providers import claude, copilot
from vibeusage.providers.base import LoginIO

DEVICE_CODE_URL = "https://github.com/login/device/code"
TOKEN_URL = "https://github.com/login/oauth/access_token"
USER_URL = "https://api.github.com/copilot_internal/user"
TOKEN = "gho_" + "D3v1c3Fl0wT0k3n" * 2 + "xyz"
DEVICE_CODE = load_fixture("copilot/device-code.json")["device_code"]


class FakeTime:
    """A monotonic clock that moves only when the flow sleeps on it."""

    def __init__(self) -> None:
        self.now = 5000.0
        self.sleeps: List[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


@pytest.fixture
def fake_time(monkeypatch) -> FakeTime:
    """The CLI's LoginIO gets the fake sleep and clock: no test ever waits."""
    fake = FakeTime()
    login_io = functools.partial(LoginIO, sleep=fake.sleep, clock=fake.clock)
    monkeypatch.setattr(providers_base, "LoginIO", login_io)
    return fake


@pytest.fixture(autouse=True)
def registered(monkeypatch, home) -> None:
    monkeypatch.setattr(
        "vibeusage.providers.all_providers", lambda: (claude.PROVIDER, copilot.PROVIDER)
    )
    for name in ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "GH_CONFIG_DIR", "APPDATA"):
        monkeypatch.delenv(name, raising=False)
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)


def token_file(home) -> Any:
    return home.config_dir / "credentials" / "copilot" / "token.json"


def device_code(mocked, url: str = DEVICE_CODE_URL, **overrides: Any) -> None:
    mocked.post(url, json={**load_fixture("copilot/device-code.json"), **overrides})


def answers(mocked, *bodies: Any, url: str = TOKEN_URL) -> None:
    """The token endpoint's answers, in order (GitHub answers 200 even for errors)."""
    for body in bodies:
        mocked.post(url, json=body)


def success() -> Any:
    return {"access_token": TOKEN, "token_type": "bearer", "scope": "read:user"}


def token_posts(mocked, url: str = TOKEN_URL) -> List[Any]:
    return [parse_qs(c.request.body) for c in mocked.calls if c.request.url == url]


def test_pending_then_slow_down_then_success_stores_the_token(cli, home, mocked, fake_time):
    device_code(mocked)
    answers(
        mocked,
        {"error": "authorization_pending"},
        {"error": "slow_down", "interval": 10},
        {"error": "authorization_pending"},
        success(),
    )
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    result = cli("auth", "copilot", tty=True)
    assert result.code == 0, result.err
    # The interval GitHub gave, then five seconds more for good after slow_down.
    assert fake_time.sleeps == [5, 5, 10, 10]
    assert "https://github.com/login/device" in result.err
    assert "WDJB-MJHT" in result.err
    assert "Logged in to GitHub as testuser (Copilot Pro)" in result.out
    stored = json.loads(token_file(home).read_text())
    assert stored["value"] == TOKEN
    assert (stored["token_type"], stored["scope"], stored["host"]) == (
        "bearer",
        "read:user",
        "github.com",
    )
    assert stored["created_at"]
    assert stat.S_IMODE(os.stat(token_file(home)).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(token_file(home).parent).st_mode) == 0o700
    assert TOKEN not in result.out + result.err


def test_requests_carry_the_copilot_client_id_scope_and_device_grant(cli, mocked, fake_time):
    device_code(mocked)
    answers(mocked, success())
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    assert cli("auth", "copilot", tty=True).code == 0
    first = mocked.calls[0].request
    assert first.url == DEVICE_CODE_URL
    assert first.headers["Accept"] == "application/json"
    assert parse_qs(first.body) == {"client_id": ["Iv1.b507a08c87ecfe98"], "scope": ["read:user"]}
    assert token_posts(mocked) == [
        {
            "client_id": ["Iv1.b507a08c87ecfe98"],
            "device_code": [DEVICE_CODE],
            "grant_type": ["urn:ietf:params:oauth:grant-type:device_code"],
        }
    ]
    check = [c.request for c in mocked.calls if c.request.url == USER_URL][0]
    assert check.headers["Authorization"] == f"token {TOKEN}"


def test_slow_down_without_an_interval_adds_five_seconds(cli, mocked, fake_time):
    device_code(mocked, interval=7)
    answers(mocked, {"error": "slow_down"}, {"error": "slow_down"}, success())
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    assert cli("auth", "copilot", tty=True).code == 0
    assert fake_time.sleeps == [7, 12, 17]


def test_expired_token_stops_with_a_clear_message_and_stores_nothing(cli, home, mocked, fake_time):
    device_code(mocked)
    answers(mocked, {"error": "authorization_pending"}, {"error": "expired_token"})
    result = cli("auth", "copilot", tty=True)
    assert result.code == 2
    assert "code expired before it was entered" in result.err
    assert "Run `vibeusage auth copilot` again" in result.err
    assert not token_file(home).exists()
    assert len(token_posts(mocked)) == 2


def test_access_denied_stops_with_a_clear_message(cli, home, mocked, fake_time):
    device_code(mocked)
    answers(mocked, {"error": "access_denied", "error_description": "The user denied it"})
    result = cli("auth", "copilot", tty=True)
    assert result.code == 2
    assert "The GitHub login was denied" in result.err
    assert "Traceback" not in result.err
    assert not token_file(home).exists()


def test_polling_stops_when_the_code_expires_on_the_clock(cli, home, mocked, fake_time):
    device_code(mocked, expires_in=12)
    answers(mocked, {"error": "authorization_pending"})
    result = cli("auth", "copilot", tty=True)
    assert result.code == 2
    assert "expired" in result.err
    # Polls at 5 s and 10 s; a third at 15 s would be past the code's 12 s lifetime.
    assert fake_time.sleeps == [5, 5]
    assert len(token_posts(mocked)) == 2
    assert not token_file(home).exists()


def test_unknown_error_is_named_without_the_description(cli, mocked, fake_time):
    device_code(mocked)
    answers(mocked, {"error": "incorrect_client_credentials", "error_description": "x" * 50})
    result = cli("auth", "copilot", tty=True)
    assert result.code == 2
    assert "GitHub refused the device login (incorrect_client_credentials)" in result.err


def test_without_a_terminal_it_refuses_at_once_and_names_the_alternatives(cli, home, mocked):
    result = cli("auth", "copilot")
    assert result.code == 2
    assert "needs a person at a terminal" in result.err
    for alternative in (
        "COPILOT_GITHUB_TOKEN",
        "GH_TOKEN",
        "GITHUB_TOKEN",
        "`gh auth login`",
        "`vibeusage key copilot set`",
    ):
        assert alternative in result.err
    assert len(mocked.calls) == 0
    assert not token_file(home).exists()


def test_ctrl_c_while_polling_exits_130_without_a_traceback(cli, home, mocked, monkeypatch):
    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(providers_base, "LoginIO", functools.partial(LoginIO, sleep=interrupted))
    device_code(mocked)
    result = cli("auth", "copilot", tty=True)
    assert result.code == 130
    assert "interrupted" in result.err
    assert "Traceback" not in result.err
    assert not token_file(home).exists()


def test_unreachable_github_is_a_network_error(cli, mocked, fake_time):
    mocked.post(DEVICE_CODE_URL, body=requests.ConnectionError("offline"))
    result = cli("auth", "copilot", tty=True)
    assert result.code == 3
    assert "Could not connect to GitHub" in result.err


def test_device_code_request_refused_is_an_error_without_polling(cli, mocked, fake_time):
    mocked.post(DEVICE_CODE_URL, status=404)
    result = cli("auth", "copilot", tty=True)
    assert result.code == 2
    assert "GitHub refused the device login request (HTTP 404)" in result.err
    assert "GH_TOKEN" in result.err
    assert fake_time.sleeps == []


def test_server_error_while_polling_is_a_provider_error(cli, mocked, fake_time):
    device_code(mocked)
    mocked.post(TOKEN_URL, status=502, body="bad gateway")
    result = cli("auth", "copilot", tty=True)
    assert result.code == 1
    assert "GitHub had a server error (HTTP 502)" in result.err


def test_browser_is_opened_only_on_a_desktop_terminal(cli, mocked, fake_time, monkeypatch):
    opened: List[str] = []
    monkeypatch.setattr("webbrowser.open", lambda url: opened.append(url) or True)
    monkeypatch.setenv("DISPLAY", ":0")
    device_code(mocked)
    answers(mocked, success(), success())
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    result = cli("auth", "copilot", tty=True)
    assert result.code == 0
    assert opened == ["https://github.com/login/device"]
    assert "opened in your browser" in result.err
    monkeypatch.delenv("DISPLAY")
    assert cli("auth", "copilot", tty=True).code == 0
    assert opened == ["https://github.com/login/device"]


def test_account_without_copilot_is_still_stored_but_said(cli, home, mocked, fake_time):
    device_code(mocked)
    answers(mocked, success())
    mocked.get(USER_URL, status=404, json={"message": "Not Found"})
    result = cli("auth", "copilot", tty=True)
    assert result.code == 0
    assert "Copilot is not enabled for this account" in result.out
    assert token_file(home).exists()


def test_json_report_of_a_login(cli, mocked, fake_time):
    device_code(mocked)
    answers(mocked, success())
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    result = cli("auth", "copilot", "--json", tty=True)
    assert result.code == 0
    assert result.json() == {"provider": "copilot", "connected": True, "source": "GitHub Copilot"}


def test_enterprise_host_runs_the_flow_against_that_host(cli, home, mocked, fake_time):
    home.write_config('[providers.copilot]\nhost = "acme.ghe.com"\n')
    device_code(mocked, url="https://acme.ghe.com/login/device/code")
    answers(mocked, success(), url="https://acme.ghe.com/login/oauth/access_token")
    mocked.get(
        "https://api.acme.ghe.com/copilot_internal/user",
        json=load_fixture("copilot/copilot-internal-user.json"),
    )
    result = cli("auth", "copilot", tty=True)
    assert result.code == 0, result.err
    assert json.loads(token_file(home).read_text())["host"] == "acme.ghe.com"


def test_the_stored_login_is_then_used_for_usage(cli, home, mocked, fake_time):
    device_code(mocked)
    answers(mocked, success())
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    assert cli("auth", "copilot", tty=True).code == 0
    result = cli("copilot", "--json")
    assert result.code == 0, result.err
    snapshot = result.json()
    assert snapshot["source"] == "device_flow"
    assert [p["name"] for p in snapshot["periods"]] == ["Premium requests", "Chat"]
    assert mocked.calls[-1].request.headers["Authorization"] == f"token {TOKEN}"
    assert TOKEN not in result.out + result.err


def test_auth_delete_removes_the_stored_login(cli, home, mocked, fake_time):
    device_code(mocked)
    answers(mocked, success())
    mocked.get(USER_URL, json=load_fixture("copilot/copilot-internal-user.json"))
    assert cli("auth", "copilot", tty=True).code == 0
    assert token_file(home).exists()
    result = cli("auth", "copilot", "--delete")
    assert result.code == 0
    assert not token_file(home).exists()
    assert "other tools' logins are untouched" in result.out
