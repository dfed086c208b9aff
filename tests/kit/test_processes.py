"""Children of a run: a child that ignores SIGTERM is still killed, and stays listed until gone."""

import os
import signal
import subprocess
import sys
import time

import pytest

from vibeusage.kit import processes
from vibeusage.kit.processes import kill_all, spawn_group, terminate_group

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX process groups")

IGNORES_TERM = (
    "import signal, sys, time\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)


def _start_stubborn() -> "subprocess.Popen[str]":
    child = spawn_group([sys.executable, "-c", IGNORES_TERM], stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline().strip() == "ready"
    return child


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace():
    child = _start_stubborn()
    started = time.monotonic()
    terminate_group(child, grace=0.2)
    assert child.poll() == -signal.SIGKILL
    assert time.monotonic() - started < 2.0
    assert child not in processes._LIVE


def test_a_child_stays_on_the_kill_list_until_it_has_exited(monkeypatch):
    child = _start_stubborn()
    # SIGKILL "lost": the child survives terminate_group and must stay listed.
    monkeypatch.setattr(processes, "_signal_group", lambda process, sig: None)
    monkeypatch.setattr(processes, "KILL_WAIT", 0.1)
    terminate_group(child, grace=0.1)
    assert child.poll() is None
    assert child in processes._LIVE
    monkeypatch.undo()
    kill_all()  # what the run's exit does
    assert child.poll() is not None
    assert child not in processes._LIVE


def test_helpers_left_in_the_group_die_with_it():
    script = (
        "import subprocess, sys, time\n"
        "helper = subprocess.Popen([sys.executable, '-c', "
        "'import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'])\n"
        "print(helper.pid, flush=True)\n"
        "time.sleep(60)\n"
    )
    leader = spawn_group([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert leader.stdout is not None
    helper = int(leader.stdout.readline())
    terminate_group(leader, grace=0.2)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            os.kill(helper, 0)
        except ProcessLookupError:
            break
        try:  # reaped by init or a zombie: gone either way
            with open(f"/proc/{helper}/stat", encoding="utf-8") as stat:
                if stat.read().split(")")[-1].split()[0] in ("Z", "X"):
                    break
        except OSError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("a helper ignoring SIGTERM outlived its group's leader")
