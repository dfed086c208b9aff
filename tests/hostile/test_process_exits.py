"""The whole process exits on time: real child interpreters behind a proxy that stalls.

In-process checks see the threads; only a child shows that the interpreter's exit (which
joins every thread that is not a daemon) is not held by a request. ``HTTPS_PROXY`` points
at a local proxy that accepts and then says nothing, or answers ``CONNECT`` and then says
nothing: every request of the child goes there and nowhere else.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .net import Action, Server
from .scenarios import SLACK, TIMEOUT, plant_claude_login

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["silent_accept", "silent_after_connect"])
def stalling_proxy(request):
    if request.param == "silent_accept":
        proxy = Server(lambda r: Action(kind="silence"), handshake=False)
    else:
        proxy = Server(lambda r: Action(body=b"", headers=[("Connection", "keep-alive")]))
    try:
        yield f"http://127.0.0.1:{proxy.port}"
    finally:
        proxy.close()


def child(home, proxy: str, *argv: str, stdin: str = ""):
    env = dict(os.environ, PYTHONPATH=str(ROOT), HTTPS_PROXY=proxy, HTTP_PROXY=proxy)
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        env.pop(name, None)
    home.write_config(f"[fetch]\ntimeout = {TIMEOUT}\n")
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "vibeusage", *argv],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return proc, time.monotonic() - started


@pytest.mark.parametrize(
    "argv",
    [("status", "--json"), ("--json", "--verbose", "claude")],
    ids=["status", "usage-with-status"],
)
def test_a_command_behind_a_stalling_proxy_exits_on_time(home, stalling_proxy, argv):
    plant_claude_login(home)
    proc, took = child(home, stalling_proxy, *argv)
    assert took < TIMEOUT + SLACK + 2, f"{argv}: the process took {took:.1f} s to exit"
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_piped_key_behind_a_stalling_proxy_exits_on_time(home, stalling_proxy):
    proc, took = child(home, stalling_proxy, "auth", "claude", stdin="sk-ant-sid01-" + "k" * 40)
    assert took < TIMEOUT + SLACK + 2, f"the process took {took:.1f} s to exit"
    assert proc.returncode == 3, proc.stdout + proc.stderr
