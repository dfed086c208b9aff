"""kit.run: one run of a tool, output collected and bounded, stopped with its group at the cap."""

import os
import sys
import time
from pathlib import Path

import pytest

from vibeusage.kit import processes
from vibeusage.kit.run import run_captured

pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX process groups")


def script(tmp_path: Path, body: str) -> list:
    path = tmp_path / "tool.py"
    path.write_text("import os, sys, time, subprocess\n" + body, encoding="utf-8")
    return [sys.executable, str(path)]


def test_output_and_exit_code_are_collected(tmp_path):
    argv = script(tmp_path, "print('out'); sys.stderr.write('err'); sys.exit(3)")
    done = run_captured(argv, env=dict(os.environ), timeout=10)
    assert (done.returncode, done.stdout.strip(), done.stderr, done.timed_out) == (
        3,
        b"out",
        b"err",
        False,
    )


def test_stdin_is_closed_and_the_folder_and_environment_are_the_callers(tmp_path):
    argv = script(tmp_path, "print(repr(sys.stdin.read()), os.getcwd(), os.environ['X_TEST'])")
    done = run_captured(argv, env=dict(os.environ, X_TEST="yes"), timeout=10, cwd=str(tmp_path))
    assert done.stdout.split() == [b"''", str(tmp_path.resolve()).encode(), b"yes"]


def test_a_hanging_tool_and_its_children_are_killed_at_the_cap(tmp_path):
    pid_file = tmp_path / "grandchild.pid"
    argv = script(
        tmp_path,
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)'])\n"
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))\n"
        "print('started', flush=True)\ntime.sleep(60)\n",
    )
    started = time.monotonic()
    done = run_captured(argv, env=dict(os.environ), timeout=1.0)
    assert time.monotonic() - started < 6
    assert done.timed_out and done.returncode is None
    assert done.stdout.strip() == b"started"
    grandchild = int(pid_file.read_text())
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.05)
    else:
        pytest.fail("the grandchild outlived the run")
    assert not processes._LIVE  # nothing left on the kill list


def test_a_flood_of_output_is_cut_at_the_limit_without_blocking(tmp_path):
    argv = script(tmp_path, "sys.stdout.write('x' * 3_000_000); sys.stderr.write('y' * 10)")
    done = run_captured(argv, env=dict(os.environ), timeout=10, max_output=1000)
    assert done.returncode == 0
    assert done.stdout == b"x" * 1000 and done.stderr == b"y" * 10 and done.truncated


def test_a_missing_program_raises_oserror(tmp_path):
    with pytest.raises(OSError):
        run_captured([str(tmp_path / "missing")], env=dict(os.environ), timeout=1)
