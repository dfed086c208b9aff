"""kit.capture: a program over pipes under a total cap and an idle cut-off, its group killed."""

import os
import sys
import time
from pathlib import Path
from typing import Any, List

import pytest

from tests.providers.fake_tools import gone_within
from vibeusage.kit import capture, processes
from vibeusage.kit.capture import EXITED, IDLE, OVERFLOW, TIMEOUT, run_captured

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX process groups")

ENV = dict(os.environ)


def python(code: str) -> List[str]:
    return [sys.executable, "-c", code]


def test_output_of_both_streams_and_the_exit_status_are_kept() -> None:
    result = run_captured(
        python("import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"),
        env=ENV,
        total=5,
    )
    assert (result.stdout, result.stderr, result.ended, result.returncode) == (
        "out\n",
        "err\n",
        EXITED,
        3,
    )
    assert result.text == "out\n\nerr\n" and not result.silent


def test_stdin_is_closed_and_the_working_directory_is_the_callers(tmp_path: Path) -> None:
    result = run_captured(
        python("import os, sys; print(repr(sys.stdin.read()), os.getcwd())"),
        env=ENV,
        total=5,
        cwd=str(tmp_path),
    )
    assert result.stdout.split() == ["''", str(tmp_path)]


def test_total_cap_stops_a_silent_program_and_its_whole_group(tmp_path: Path) -> None:
    code = (
        "import os, signal, subprocess, sys, time\n"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
        "h = subprocess.Popen([sys.executable, '-c', 'import signal, time; "
        "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'])\n"
        "open(os.environ['PIDS'], 'w').write('%d %d' % (os.getpid(), h.pid))\n"
        "time.sleep(60)\n"
    )
    pids = tmp_path / "pids"
    started = time.monotonic()
    result = run_captured(python(code), env={**ENV, "PIDS": str(pids)}, total=0.8, grace=0.2)
    elapsed = time.monotonic() - started
    assert result.ended == TIMEOUT and result.timed_out and result.returncode is None
    assert 0.7 <= elapsed < 3.0
    leader, helper = (int(p) for p in pids.read_text().split())
    assert gone_within(leader, 2) and gone_within(helper, 2)


def test_idle_cut_off_ends_a_program_that_lingers_after_its_answer() -> None:
    started = time.monotonic()
    result = run_captured(
        python("import time; print('answer', flush=True); time.sleep(60)"),
        env=ENV,
        total=10,
        idle=0.3,
        grace=0.2,
    )
    assert result.ended == IDLE and result.stdout == "answer\n"
    assert time.monotonic() - started < 3.0


def test_idle_is_counted_only_once_output_has_started() -> None:
    result = run_captured(
        python("import time; time.sleep(0.6); print('late')"), env=ENV, total=5, idle=0.2
    )
    assert result.ended == EXITED and result.stdout == "late\n"


def test_output_cap_cuts_a_flood() -> None:
    result = run_captured(
        python("import sys\nwhile True: sys.stdout.write('x' * 65536)"),
        env=ENV,
        total=10,
        max_output=200_000,
        grace=0.2,
    )
    assert result.ended == OVERFLOW and len(result.stdout) >= 200_000


def test_undecodable_bytes_are_replaced_not_raised() -> None:
    result = run_captured(
        python("import sys; sys.stdout.buffer.write(b'ok \\xff\\xfe')"), env=ENV, total=5
    )
    assert result.stdout == "ok \ufffd\ufffd"


def test_a_missing_program_is_an_oserror(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        run_captured([str(tmp_path / "missing")], env=ENV, total=1)


def test_an_interrupt_while_reading_still_kills_the_child(monkeypatch: Any) -> None:
    started: List[Any] = []
    real_spawn = capture.spawn_group

    def spawn(*args: Any, **kwargs: Any) -> Any:
        process = real_spawn(*args, **kwargs)
        started.append(process)
        return process

    calls = {"n": 0}
    real_monotonic = time.monotonic

    def monotonic() -> float:
        calls["n"] += 1
        if calls["n"] == 2:  # the first look at the clock inside the read loop
            raise KeyboardInterrupt
        return real_monotonic()

    monkeypatch.setattr(capture, "spawn_group", spawn)
    monkeypatch.setattr(capture.time, "monotonic", monotonic)
    with pytest.raises(KeyboardInterrupt):
        run_captured(python("import time; time.sleep(60)"), env=ENV, total=10, grace=0.2)
    monkeypatch.undo()
    assert started and started[0].poll() is not None
    assert started[0] not in processes._LIVE
