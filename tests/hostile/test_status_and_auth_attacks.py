"""``vibeusage status`` and a piped ``vibeusage auth claude`` against hostile servers.

Both used to wait on the network in threads nobody could abandon: a status page that
trickled, or a name that never resolved, held the command (and the interpreter's exit).
"""

import pytest

from .fakes import PATTERN_SHAPED
from .net import Action
from .scenarios import SLACK, TIMEOUT, echo, statuspage

STATUS = ["status.claude.com"]
WEB = ["claude.ai"]
SESSION_KEY = PATTERN_SHAPED["claude_session"]


def stall(network, hosts, mode, healthy):
    """Make ``hosts`` misbehave in ``mode`` (the server answers ``healthy`` otherwise)."""
    if mode == "slow_dns":
        for host in hosts:
            network.slow_dns(host)
        return network.serve(hosts, lambda request: healthy)
    if mode == "silence_after_accept":
        return network.serve(hosts, lambda request: healthy, handshake=False)
    action = {
        "trickle": Action(kind="trickle", body=healthy.body, interval=0.5),
        "silence_after_tls": Action(kind="silence"),
        "many_headers": Action(kind="many_headers"),
    }[mode]
    return network.serve(hosts, lambda request: action)


def short_timeout(home):
    home.write_config(f"[fetch]\ntimeout = {TIMEOUT}\n")


MODES = ["trickle", "silence_after_tls", "silence_after_accept", "slow_dns", "many_headers"]


def test_a_healthy_status_page_through_the_harness(attack, network):
    network.serve(STATUS, lambda request: statuspage())
    outcome = attack("status", "--json", "claude")
    assert outcome.code == 0, outcome.out + outcome.err
    assert outcome.json()["claude"]["level"] == "operational"


@pytest.mark.parametrize("mode", MODES)
def test_status_on_a_stalling_page_is_exit_3_in_bounded_time(attack, home, network, mode):
    short_timeout(home)
    stall(network, STATUS, mode, statuspage())
    outcome = attack("status", "--json", "claude")
    assert outcome.took < TIMEOUT + SLACK, f"{mode}: took {outcome.took:.1f} s"
    assert outcome.code == 3, outcome.out + outcome.err
    assert outcome.stuck == []


def test_status_without_a_configured_timeout_stops_at_its_own_limit(attack, network):
    stall(network, STATUS, "slow_dns", statuspage())
    outcome = attack("status", "--json", "claude")
    assert outcome.code == 3
    assert outcome.took < 10 + SLACK, f"took {outcome.took:.1f} s"


@pytest.mark.parametrize("leaf", ["stranger", "wrong_name"])
def test_a_status_page_with_a_wrong_certificate_is_unknown(attack, network, leaf):
    network.serve(STATUS, lambda request: statuspage(), leaf=leaf)
    outcome = attack("status", "--json", "claude")
    assert outcome.code == 3
    assert outcome.json()["claude"]["level"] == "unknown"


def test_a_status_page_redirected_to_http_is_not_believed(attack, network):
    network.serve(STATUS, lambda r: Action.redirect("http://status.claude.com/api/v2/status.json"))
    plain = network.serve(STATUS, lambda request: statuspage("critical"), plain=True)
    outcome = attack("status", "--json", "claude")
    assert outcome.json()["claude"]["level"] == "unknown"
    assert plain.requests == []


@pytest.mark.parametrize("mode", MODES)
def test_a_piped_key_whose_check_stalls_is_a_network_error_in_bounded_time(
    attack, home, network, mode
):
    short_timeout(home)
    stall(network, WEB, mode, Action.json([{"uuid": "o1", "name": "Org"}]))
    outcome = attack("auth", "claude", "--json", stdin=SESSION_KEY + "\n")
    assert outcome.took < TIMEOUT + SLACK, f"{mode}: took {outcome.took:.1f} s"
    assert outcome.code == 3, outcome.out + outcome.err
    assert not (home.config_dir / "credentials" / "claude").exists()  # nothing stored
    assert outcome.stuck == []


def test_a_key_check_answered_by_an_echo_shows_no_secret(attack, home, network):
    network.serve(WEB, lambda request: echo(request, 403))
    outcome = attack("auth", "claude", "--json", stdin=SESSION_KEY + "\n")
    assert outcome.code == 2, outcome.out + outcome.err


@pytest.mark.parametrize("leaf", ["stranger", "wrong_name"])
def test_a_key_check_over_a_wrong_certificate_sends_nothing(attack, network, leaf):
    server = network.serve(WEB, lambda request: echo(request, 200), leaf=leaf)
    outcome = attack("auth", "claude", "--json", stdin=SESSION_KEY + "\n")
    assert outcome.code == 3, outcome.out + outcome.err
    assert server.requests == []


def test_a_key_check_redirected_elsewhere_never_carries_the_key(attack, network):
    network.serve(WEB, lambda request: Action.redirect("https://elsewhere.example/orgs", 307))
    elsewhere = network.serve(
        ["elsewhere.example"], lambda request: Action.json([{"uuid": "o1", "name": "Org"}])
    )
    outcome = attack("auth", "claude", "--json", stdin=SESSION_KEY + "\n")
    assert outcome.code != 0, outcome.out
    assert all(SESSION_KEY.encode() not in r.raw for r in elsewhere.requests)


def test_a_status_page_moved_to_another_https_host_is_followed(attack, network):
    moved = Action.redirect("https://elsewhere.example/api/v2/status.json", 301)
    network.serve(STATUS, lambda request: moved)
    network.serve(["elsewhere.example"], lambda request: statuspage("minor"))
    outcome = attack("status", "--json", "claude")
    assert outcome.code == 0, outcome.out
    assert outcome.json()["claude"]["level"] != "unknown"
