"""A closed, broken or full standard output: a plain message or a quiet exit, no traceback."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="POSIX shells")


def shell(home, command: str) -> "subprocess.CompletedProcess[str]":
    env = dict(os.environ, PYTHONPATH=str(ROOT), VIBEUSAGE=f"{sys.executable} -m vibeusage")
    return subprocess.run(
        ["bash", "-c", command], env=env, capture_output=True, text=True, timeout=30
    )


@pytest.mark.parametrize("argv", ["--version", "--help", "status --help"])
def test_closed_stdout_says_so_plainly(home, argv):
    result = shell(home, f"$VIBEUSAGE {argv} >&-; echo rc=$?")
    assert "rc=1" in result.stdout
    assert "cannot write the output" in result.stderr
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr


@pytest.mark.parametrize("argv", ["--version", "--help"])
def test_a_reader_that_goes_away_gets_a_quiet_exit(home, argv):
    result = shell(home, f"$VIBEUSAGE {argv} | true; echo rc=${{PIPESTATUS[0]}}")
    assert result.stderr == ""
    assert "rc=1" in result.stdout


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_full_disk_is_named(home):
    result = shell(home, "$VIBEUSAGE --help > /dev/full; echo rc=$?")
    assert "rc=1" in result.stdout
    assert "cannot write the output: No space left on device" in result.stderr
    assert "Traceback" not in result.stderr


def test_output_to_dev_stdout_writes_through_and_leaves_the_link(home, tmp_path):
    result = shell(home, "$VIBEUSAGE --offline --json -o /dev/stdout | cat; ls -l /dev/stdout")
    assert "schema_version" in result.stdout or "Nothing is cached" in result.stderr
    assert "->" in result.stdout  # still the symlink it was


def test_output_to_a_fifo_is_written_directly(tmp_path):
    import threading

    from vibeusage.store import write_output_file

    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    got = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_text()), daemon=True)
    reader.start()
    write_output_file(fifo, '{"ok": true}\n')
    reader.join(5)
    assert got == ['{"ok": true}\n']
    assert fifo.exists() and not fifo.is_file()  # still the FIFO, not replaced by a file
