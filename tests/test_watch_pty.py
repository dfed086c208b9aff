"""``vibeusage watch`` in a real pseudo-terminal: redraws, one OAuth request, resize, exits.

The program runs in its own session with the pseudo-terminal as its controlling terminal,
as in a terminal emulator, so typing Ctrl-C sends SIGINT and resizing sends SIGWINCH. Its
Claude endpoint is a strict ``responses`` mock inside the child that logs each request.
"""

import fcntl
import json
import os
import re
import signal
import struct
import sys
import termios
import time
from datetime import timedelta
from pathlib import Path

import pytest

from vibeusage.kit.terminal.pty import open_terminal, terminal_environment
from vibeusage.timeparse import utcnow
from vibeusage.watch.screen import ENTER, HOME, LEAVE

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="controlling terminals as on Linux"
)

ROOT = Path(__file__).resolve().parent.parent
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

CHILD = r"""
import fcntl, json, sys, termios
fcntl.ioctl(0, termios.TIOCSCTTY, 0)  # this terminal controls us: Ctrl-C and resizes arrive
import responses
from vibeusage.cli import main
from vibeusage.providers.claude.oauth import ACCOUNT_URL, USAGE_URL

log, payload = sys.argv[1], sys.argv[2]


def usage(request):
    with open(log, "a") as handle:
        handle.write("usage\n")
    return (200, {"Content-Type": "application/json"}, payload)


with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
    mock.add_callback(responses.GET, USAGE_URL, callback=usage)
    mock.add(responses.GET, ACCOUNT_URL, json={})
    code = main(sys.argv[3:])
sys.exit(code)
"""


@pytest.fixture
def child(home, tmp_path):
    home.write_claude_credentials(accessToken="sk-ant-oat01-pty", expiresAt=4102444800000)
    script = tmp_path / "child.py"
    script.write_text(CHILD, encoding="utf-8")
    now = utcnow()
    payload = json.dumps(
        {
            "five_hour": {"utilization": 42.0, "resets_at": (now + timedelta(hours=2)).isoformat()},
            "seven_day": {"utilization": 17.0, "resets_at": (now + timedelta(days=3)).isoformat()},
        }
    )
    log = tmp_path / "requests.log"
    env = terminal_environment(dict(os.environ, PYTHONPATH=str(ROOT)), rows=30, columns=100)

    def start(*argv):
        command = [sys.executable, str(script), str(log), payload, *argv]
        return open_terminal(command, env=env, rows=30, columns=100, total=30)

    start.requests = lambda: len(log.read_text().splitlines()) if log.exists() else 0
    return start


def frames(output):
    """The frames drawn, escape sequences removed (each starts with cursor home)."""
    return [ANSI.sub("", part).replace("\r\n", "\n") for part in output.split(HOME)[1:]]


def wait_exit(session, limit=10.0):
    end = time.monotonic() + limit
    while session.ended is None and time.monotonic() < end:
        session.poll(0.05)
    return session.returncode


def resize(session, rows, columns):
    fcntl.ioctl(session.master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


def test_on_a_terminal_it_redraws_each_second_asks_once_and_ctrl_c_restores(child):
    with child("watch", "--interval", "600") as session:
        assert session.wait_for(lambda view: "next fetch in" in view, limit=15), session.view()
        view = session.view()
        assert "Claude" in view and "Session (5h)" in view and "42%" in view
        assert re.search(r"updated \d+s ago · next fetch in 9m \d\ds · Ctrl-C to quit", view)
        session.pause(3.2)
        drawn = frames(session.result().output)
        assert len(drawn) >= 4  # one a second, while ...
        assert child.requests() == 1  # ... Claude's endpoint was asked once

        resize(session, 30, 40)
        deadline = time.monotonic() + 1.5
        while time.monotonic() < deadline:
            session.poll(0.05)
            last = frames(session.result().output)[-1]
            if max(len(line) for line in last.split("\n")) <= 39:
                break
        last = frames(session.result().output)[-1]
        assert max(len(line) for line in last.split("\n")) <= 39, last
        assert last.split("\n")[-1].startswith("updated ")  # the footer, cut to the width

        session.send("\x03")
        code = wait_exit(session)
        output = session.result().output
    assert code == 130
    assert output.startswith(ENTER)
    assert LEAVE in output
    assert output.rindex(LEAVE) > output.rindex(HOME)  # nothing drawn after the restore
    after = session.screen.visible_text()
    assert "Claude" not in after  # the main screen is back as it was
    assert "interrupted" in after


def test_sigterm_ends_it_with_143_and_the_screen_restored(child):
    with child("watch") as session:
        assert session.wait_for(lambda view: "next fetch in" in view, limit=15), session.view()
        started = time.monotonic()
        os.kill(session.process.pid, signal.SIGTERM)
        code = wait_exit(session)
        took = time.monotonic() - started
        output = session.result().output
    assert code == 143
    assert took < 2
    assert "terminated" in session.screen.visible_text()
    assert output.rindex(LEAVE) > output.rindex(HOME)
    assert "Claude" not in session.screen.visible_text()


def test_typing_is_not_echoed_over_the_view_and_echo_comes_back(child):
    with child("watch") as session:
        assert session.wait_for(lambda view: "next fetch in" in view, limit=15)
        session.send("zzzz")
        session.pause(1.2)
        assert "zzzz" not in session.view()
        session.send("\x03")
        assert wait_exit(session) == 130
        attributes = termios.tcgetattr(session.master)
    assert attributes[3] & termios.ECHO
