"""The README's recipes, pasted: a bash prompt and a tmux status line show the one-line output."""

import json
import os
import pty
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.statusline_helpers import cache_snapshot, payload
from vibeusage.timeparse import utcnow

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.rst").read_text(encoding="utf-8")
ESCAPES = re.compile(rb"\x1b(\[[0-9;?]*[ -/]*[@-~]|[()][0-9A-Za-z]|[=>])")


def recipe(start: str) -> str:
    """The README's literal line that starts with ``start`` (stripped)."""
    for line in README.splitlines():
        if line.strip().startswith(start):
            return line.strip()
    raise AssertionError(f"no README line starts with {start!r}")


@pytest.fixture
def on_path(home, tmp_path, monkeypatch):
    """``vibeusage`` on PATH (this checkout), with Claude's capture and a cached Codex."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    script = bin_dir / "vibeusage"
    script.write_text(f'#!/bin/sh\nPYTHONPATH={ROOT} exec {sys.executable} -m vibeusage "$@"\n')
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    linked = home.root / ".local" / "bin"  # where the README's operators section links it
    linked.mkdir(parents=True)
    (linked / "vibeusage").symlink_to(script)
    data = payload()
    now = int(time.time())
    data["rate_limits"]["five_hour"]["resets_at"] = now + 3600
    data["rate_limits"]["seven_day"]["resets_at"] = now + 5 * 86400
    done = subprocess.run(
        [str(script), "statusline"], input=json.dumps(data), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    moment = utcnow()
    cache_snapshot(home, "codex", 12, fetched=moment, resets=moment + timedelta(days=3))
    return bin_dir


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_the_bash_prompt_recipe(on_path, tmp_path):
    line = recipe("PS1='$(vibeusage statusline")
    done = subprocess.run(
        ["bash", "--norc", "-c", f'{line}\nprintf "%s" "${{PS1@P}}"'],
        capture_output=True,
        text=True,
        cwd=str(tmp_path),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Claude 5h 57% 7d 14% | Codex 7d 12% ")


@pytest.mark.skipif(shutil.which("tmux") is None or os.name != "posix", reason="needs tmux")
def test_the_tmux_recipe(on_path, tmp_path):
    conf = tmp_path / "tmux.conf"
    right = recipe("set -g status-right '#($HOME/.local/bin/vibeusage")
    lines = [recipe("set -g status-interval"), right]
    conf.write_text("\n".join(lines + ["set -g status-right-length 80"]) + "\n")
    socket = f"vibeusage-test-{os.getpid()}"
    env = dict(os.environ, TERM="xterm-256color")
    pid, fd = pty.fork()
    if pid == 0:  # the child: a tmux client drawing its status line on our terminal
        os.execvpe("tmux", ["tmux", "-L", socket, "-f", str(conf), "new", "sleep 20"], env)
    screen = b""
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and b"Codex" not in ESCAPES.sub(b"", screen):
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    screen += os.read(fd, 65536)
                except OSError:
                    break
    finally:
        subprocess.run(["tmux", "-L", socket, "kill-server"], capture_output=True)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    text = ESCAPES.sub(b"", screen).decode("utf-8", "replace")
    assert "Claude 5h 57% 7d 14% | Codex 7d 12%" in text
