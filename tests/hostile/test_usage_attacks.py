"""``vibeusage --json claude`` against hostile TLS servers: bounded, classified, nothing leaks."""

import pytest

from .net import Action
from .scenarios import (
    SLACK,
    TIMEOUT,
    claude_api,
    echo,
    ok_usage,
    plant_claude_login,
    statuspage,
)

API = ["api.anthropic.com"]


def usage(attack, *extra: str):
    return attack("--json", "--timeout", str(TIMEOUT), *extra, "claude")


def test_a_healthy_server_through_the_harness_gives_fresh_data(attack, home, network):
    plant_claude_login(home)
    network.serve(API, claude_api(ok_usage()))
    outcome = usage(attack)
    assert outcome.code == 0, outcome.err
    document = outcome.json()
    assert document["stale"] is False
    assert outcome.stuck == []


@pytest.mark.parametrize(
    "mode",
    ["trickle", "silence_after_tls", "silence_after_accept", "slow_dns", "many_headers"],
)
def test_a_usage_endpoint_that_stalls_is_a_network_error_within_the_timeout(
    attack, home, network, mode
):
    plant_claude_login(home)
    if mode == "slow_dns":
        network.slow_dns("api.anthropic.com")
        network.serve(API, claude_api(ok_usage()))
    elif mode == "silence_after_accept":
        network.serve(API, claude_api(ok_usage()), handshake=False)
    else:
        action = {
            "trickle": Action(kind="trickle", body=b" " * 400, interval=0.3),
            "silence_after_tls": Action(kind="silence"),
            "many_headers": Action(kind="many_headers"),
        }[mode]
        network.serve(API, claude_api(action))
    outcome = usage(attack)
    assert outcome.took < TIMEOUT + SLACK, f"{mode}: took {outcome.took:.1f} s"
    assert outcome.code in (1, 3), outcome.out + outcome.err
    error = outcome.json()["error"]
    assert error["category"] in ("network", "provider"), error
    assert outcome.stuck == []


def test_an_endless_header_line_is_refused_quickly(attack, home, network):
    plant_claude_login(home)
    network.serve(API, claude_api(Action(kind="long_header")))
    outcome = usage(attack)
    assert outcome.took < TIMEOUT + SLACK
    assert outcome.code != 0
    assert "Traceback" not in outcome.err


@pytest.mark.parametrize("leaf", ["stranger", "wrong_name"])
def test_a_wrong_certificate_always_fails_as_tls(attack, home, network, leaf):
    plant_claude_login(home)
    server = network.serve(API, claude_api(ok_usage()), leaf=leaf)
    outcome = usage(attack)
    assert outcome.code == 3, outcome.out
    error = outcome.json()["error"]
    assert "TLS" in error["message"], error
    assert server.requests == []  # not one request went over the untrusted connection
    assert outcome.took < TIMEOUT + SLACK


def test_an_error_echoing_every_secret_shows_none_of_them(attack, home, network):
    plant_claude_login(home)
    network.serve(API, lambda request: echo(request))
    outcome = usage(attack)
    assert outcome.code == 2, outcome.out
    debug = attack("--json", "--debug", "--timeout", str(TIMEOUT), "claude")
    assert debug.code == 2


def test_a_redirect_to_another_host_never_carries_the_token(attack, home, network):
    token = plant_claude_login(home)
    network.serve(API, claude_api(Action.redirect("https://elsewhere.example/collect")))
    elsewhere = network.serve(["elsewhere.example"], lambda request: echo(request, 200))
    outcome = usage(attack)
    assert outcome.code != 0
    for request in elsewhere.requests:
        assert token.encode() not in request.raw
        assert b"authorization" not in request.head.lower()


def test_a_redirect_from_https_to_http_is_refused_and_nothing_is_cached(attack, home, network):
    plant_claude_login(home)
    network.serve(API, claude_api(Action.redirect("http://api.anthropic.com/api/oauth/usage")))
    plain = network.serve(API, claude_api(ok_usage()), plain=True)
    outcome = usage(attack)
    assert outcome.code != 0, outcome.out
    assert plain.requests == []
    assert not (home.cache_dir / "snapshots" / "claude.json").exists()


def test_a_slow_account_endpoint_never_costs_the_usage_data(attack, home, network):
    plant_claude_login(home)
    network.serve(API, claude_api(ok_usage(), account=Action(kind="silence")))
    outcome = usage(attack)
    assert outcome.code == 0, outcome.out
    assert outcome.json()["stale"] is False
    assert outcome.took < TIMEOUT + SLACK


@pytest.mark.parametrize("mode", ["trickle", "silence", "slow_dns"])
def test_a_slow_status_page_never_marks_fresh_data_stale(attack, home, network, mode):
    plant_claude_login(home)
    network.serve(API, claude_api(ok_usage()))
    if mode == "slow_dns":
        network.slow_dns("status.claude.com")
        network.serve(["status.claude.com"], lambda request: statuspage())
    else:
        page = Action(kind=mode, body=statuspage().body, interval=0.5)
        network.serve(["status.claude.com"], lambda request: page)
    outcome = usage(attack, "--verbose")
    assert outcome.code == 0, outcome.out
    claude = outcome.json()
    assert claude["stale"] is False
    assert outcome.took < TIMEOUT + SLACK, f"took {outcome.took:.1f} s"
    assert outcome.stuck == []


def test_a_gzip_bomb_is_cut_at_the_body_cap(attack, home, network):
    import gzip

    plant_claude_login(home)
    bomb = gzip.compress(b"0" * (64 * 1024 * 1024), compresslevel=9)
    headers = [("Content-Type", "application/json"), ("Content-Encoding", "gzip")]
    network.serve(API, claude_api(Action(body=bomb, headers=headers)))
    outcome = usage(attack)
    assert outcome.code != 0
    assert "oversized" in outcome.json()["error"]["message"]
    assert outcome.took < TIMEOUT + SLACK
