"""SIGTERM and Ctrl-C during a fetch: quick exit (143 / 130), children killed, no partial files."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.hanging_run import SCRIPT
from tests.providers.fake_tools import alive

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX signals")


@pytest.mark.parametrize("sig, code", [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_during_fetch_exits_fast_and_kills_children(tmp_path, home, sig, code):
    pid_file = tmp_path / "child.pid"
    output = tmp_path / "out" / "usage.json"
    output.parent.mkdir()
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(pid_file), str(output), str(ROOT)],
        cwd=str(ROOT),
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 20
    while not pid_file.exists() or not pid_file.read_text():
        assert time.monotonic() < deadline, "the fake strategy never started its child"
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        time.sleep(0.05)
    child = int(pid_file.read_text())
    sent = time.monotonic()
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=10)
    took = time.monotonic() - sent
    assert proc.returncode == code, err
    assert took < 2.0, f"exit took {took:.2f} s"
    assert "Traceback" not in err
    gone_by = time.monotonic() + 3
    while alive(child) and time.monotonic() < gone_by:
        time.sleep(0.05)
    assert not alive(child), "the strategy's child process survived"
    assert list(output.parent.iterdir()) == [], "no partial or temporary output file"
