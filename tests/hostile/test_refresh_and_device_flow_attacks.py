"""Token refresh (Gemini's Google login) and Copilot's device-flow polling, attacked.

A refresh POST carries a refresh token and a client secret: it must never be re-sent to the
host a 307 names, and a trickling token endpoint must not hold the run past its timeout.
"""

import functools
import json

import pytest

from vibeusage.providers import base as providers_base

from .fakes import PATTERN_SHAPED, UNKNOWN_SHAPED
from .net import Action
from .scenarios import SLACK, TIMEOUT, echo

TOKEN_HOST = ["oauth2.googleapis.com"]
REFRESH = PATTERN_SHAPED["google_refresh"]
CLIENT_SECRET = UNKNOWN_SHAPED["opaque_client_secret"]
GITHUB = ["github.com"]


@pytest.fixture
def expired_gemini_login(home, monkeypatch):
    folder = home.root / ".gemini"
    folder.mkdir()
    login = {
        "access_token": PATTERN_SHAPED["google_access"],
        "refresh_token": REFRESH,
        "token_type": "Bearer",
        "expiry_date": 1_000_000_000_000,  # 2001
    }
    (folder / "oauth_creds.json").write_text(json.dumps(login))
    monkeypatch.setenv("GEMINI_OAUTH_CLIENT_ID", "12345-hostile.apps.googleusercontent.com")
    monkeypatch.setenv("GEMINI_OAUTH_CLIENT_SECRET", CLIENT_SECRET)


def gemini(attack):
    return attack("--json", "--timeout", str(TIMEOUT), "gemini")


@pytest.mark.parametrize("status", [307, 308])
def test_a_refresh_redirected_to_another_host_sends_nothing_there(
    attack, network, expired_gemini_login, status
):
    network.serve(TOKEN_HOST, lambda r: Action.redirect("https://elsewhere.example/t", status))
    elsewhere = network.serve(["elsewhere.example"], lambda request: echo(request, 200))
    outcome = gemini(attack)
    assert outcome.code != 0, outcome.out
    assert elsewhere.requests == []
    assert "redirected" in outcome.json()["error"]["message"]


def test_a_refresh_redirected_to_http_is_refused(attack, network, expired_gemini_login):
    network.serve(TOKEN_HOST, lambda r: Action.redirect("http://oauth2.googleapis.com/token", 307))
    plain = network.serve(TOKEN_HOST, lambda request: echo(request, 200), plain=True)
    outcome = gemini(attack)
    assert outcome.code != 0
    assert plain.requests == []


@pytest.mark.parametrize("mode", ["trickle", "silence", "many_headers", "slow_dns"])
def test_a_stalling_token_endpoint_is_bounded(attack, network, expired_gemini_login, mode):
    if mode == "slow_dns":
        network.slow_dns(TOKEN_HOST[0])
    network.serve(TOKEN_HOST, lambda request: Action(kind=mode, body=b" " * 200, interval=0.3))
    outcome = gemini(attack)
    assert outcome.took < TIMEOUT + SLACK, f"{mode}: took {outcome.took:.1f} s"
    assert outcome.code == 3, outcome.out
    assert outcome.stuck == []


def test_a_token_endpoint_echoing_the_form_shows_no_secret(attack, network, expired_gemini_login):
    network.serve(TOKEN_HOST, lambda request: echo(request, 400))
    outcome = gemini(attack)
    assert outcome.code != 0
    debug = attack("--json", "--debug", "--timeout", str(TIMEOUT), "gemini")
    assert debug.code != 0


# --- Copilot's device flow ------------------------------------------------------------------


@pytest.fixture
def quick_login(monkeypatch, home):
    """Polling waits a tenth of a second; the configured timeout is the scenarios' own."""
    monkeypatch.setattr(
        providers_base, "LoginIO", functools.partial(providers_base.LoginIO, sleep=_nap)
    )
    for name in ("COPILOT_GITHUB_TOKEN", "GH_TOKEN", "GITHUB_TOKEN", "GH_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    home.write_config(f"[fetch]\ntimeout = {TIMEOUT}\n")


def _nap(seconds: float) -> None:
    import time

    time.sleep(0.1)


DEVICE_CODE = {
    "device_code": "3584d83530557fdd1f46af8289938c8ef79f9dc5",
    "user_code": "WDJB-MJHT",
    "verification_uri": "https://github.com/login/device",
    "expires_in": 900,
    "interval": 1,
}


def device_flow(poll: Action):
    def route(request):
        if request.path.startswith("/login/device/code"):
            return Action.json(DEVICE_CODE)
        return poll

    return route


@pytest.mark.parametrize("mode", ["trickle", "silence", "many_headers", "slow_dns"])
def test_device_flow_polling_that_stalls_is_bounded(attack, network, quick_login, mode):
    if mode == "slow_dns":
        network.slow_dns("github.com")
        network.serve(GITHUB, device_flow(Action.json({"error": "authorization_pending"})))
    else:
        network.serve(GITHUB, device_flow(Action(kind=mode, body=b" " * 200, interval=0.3)))
    outcome = attack("auth", "copilot", tty=True)
    assert outcome.took < TIMEOUT + SLACK, f"{mode}: took {outcome.took:.1f} s"
    assert outcome.code == 3, outcome.out + outcome.err
    assert outcome.stuck == []


def test_device_flow_polling_redirected_elsewhere_sends_no_device_code(
    attack, network, quick_login
):
    network.serve(GITHUB, device_flow(Action.redirect("https://elsewhere.example/t", 307)))
    elsewhere = network.serve(["elsewhere.example"], lambda request: echo(request, 200))
    outcome = attack("auth", "copilot", tty=True)
    assert outcome.code != 0
    assert elsewhere.requests == []


def test_a_login_that_succeeded_is_not_held_by_the_account_check(
    attack, home, network, quick_login
):
    token = PATTERN_SHAPED["github_oauth"]
    granted = Action.json({"access_token": token, "token_type": "bearer", "scope": ""})
    network.serve(GITHUB, device_flow(granted))
    network.slow_dns("api.github.com")
    outcome = attack("auth", "copilot", tty=True)
    assert outcome.code == 0, outcome.err
    assert outcome.took < TIMEOUT + SLACK, f"took {outcome.took:.1f} s"
    assert (home.config_dir / "credentials" / "copilot").is_dir()
