"""Hostile local data on its way to a real socket or the terminal: named, neutralised."""

import json

from .scenarios import TIMEOUT, claude_api, ok_usage, plant_claude_login

API = ["api.anthropic.com"]
EVIL = "A\x1b]0;pwned\x07\x1b[2J\r\n| forged | row |\x9b31m"


def test_a_token_that_cannot_be_sent_names_the_file_not_the_provider(attack, home, network):
    home.write_claude_credentials(accessToken="sk-ant-oat01-" + "Ж" * 24)
    server = network.serve(API, claude_api(ok_usage()))
    outcome = attack("--json", "--timeout", str(TIMEOUT), "claude")
    assert outcome.code == 2, outcome.out
    message = outcome.json()["error"]["message"]
    assert str(home.claude_credentials) in message, message
    assert server.requests == []


def test_a_gate_reason_from_a_hostile_file_reaches_the_terminal_neutralised(attack, home, network):
    from datetime import timedelta

    from vibeusage.timeparse import utcnow

    plant_claude_login(home)
    server = network.serve(API, claude_api(ok_usage()))
    gate = home.cache_dir / "gate"
    gate.mkdir(parents=True)
    until = (utcnow() + timedelta(minutes=10)).isoformat()
    from tests.login_helpers import login_key_of

    login = login_key_of("claude", home.root)
    state = {
        "failures": [],
        "closed_until": until,
        "reason": EVIL,
        "category": "provider",
        "login": login,  # the gate of this very login (another login's gate reads as open)
    }
    (gate / "claude.json").write_text(json.dumps({"oauth": state}))
    outcome = attack("--timeout", str(TIMEOUT), "claude", tty=True)
    assert server.requests == []  # the gate was honoured: its reason is what is shown
    assert "pwned" in outcome.out + outcome.err
    for control in ("\x1b]", "\x07", "\x1b[2J", "\r\n|", "\x9b"):
        assert control not in outcome.out + outcome.err
