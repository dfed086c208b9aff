"""Fake command-line tools for provider tests: Python scripts in ``tmp_path`` found on PATH.

A fake records what it was started with (argv, cwd, a few variables, whether stdin was
closed, its pid and its helper's pid) as JSON in ``$FAKE_OUT/<name>-<n>.json`` and then does
what its ``$FAKE_<NAME>_<STEP>`` variables say. Nothing real is ever run.
"""

import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

import pytest

posix_only = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="fake tools are #! scripts; process groups are POSIX"
)

#: Shared by every fake: how it records itself and the behaviours it can take.
PRELUDE = r'''
import json, os, signal, subprocess, sys, time

OUT = os.environ.get("FAKE_OUT", "")
WATCHED = ("TERM", "KIRO_API_KEY", "AGY_CLI_DISABLE_AUTO_UPDATE", "HTTPS_PROXY")


def record(name, **extra):
    if not OUT:
        return
    import select

    try:  # a closed stdin (/dev/null) reads as end of file at once; a terminal waits
        ready = select.select([sys.stdin], [], [], 0)[0]
        closed = bool(ready) and sys.stdin.read(1) == ""
    except (OSError, ValueError):
        closed = True
    data = {
        "argv": sys.argv[1:], "cwd": os.getcwd(), "pid": os.getpid(), "pgid": os.getpgid(0),
        "stdin_closed": closed, "tty": sys.stdout.isatty(),
        "env": {k: os.environ.get(k) for k in WATCHED},
    }
    data.update(extra)
    n = 0
    while os.path.exists(os.path.join(OUT, "%s-%d.json" % (name, n))):
        n += 1
    tmp = os.path.join(OUT, "%s-%d.tmp" % (name, n))
    with open(tmp, "w") as handle:
        json.dump(data, handle)
    os.replace(tmp, os.path.join(OUT, "%s-%d.json" % (name, n)))


def helper():
    """A member of the group that ignores SIGTERM (it must die with the group)."""
    code = "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)"
    return subprocess.Popen([sys.executable, "-c", code]).pid


def behave(step, name):
    mode = os.environ.get("FAKE_%s_%s_MODE" % (name, step), "print")
    text_file = os.environ.get("FAKE_%s_%s" % (name, step), "")
    text = open(text_file, "rb").read() if text_file else b""
    err_file = os.environ.get("FAKE_%s_%s_STDERR" % (name, step), "")
    code = int(os.environ.get("FAKE_%s_%s_EXIT" % (name, step), "0"))
    extra = {"step": step}
    if mode in ("ignore-term", "linger-ignore-term"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    if mode in ("hang-helper", "linger-ignore-term"):
        extra["helper"] = helper()
    record(name.lower(), **extra)
    if mode == "tty-only" and not sys.stdout.isatty():
        sys.exit(0)
    if mode in ("hang", "hang-helper", "ignore-term") and not text:
        time.sleep(60)
        sys.exit(0)
    if mode == "slow":
        time.sleep(float(os.environ.get("FAKE_SLOW", "1")))
    if mode == "drip":
        for part in text.split(b"\n"):
            sys.stdout.buffer.write(part + b"\n")
            sys.stdout.flush()
            time.sleep(float(os.environ.get("FAKE_SLOW", "0.2")))
        text = b""
    sys.stdout.buffer.write(text)
    sys.stdout.flush()
    if err_file:
        sys.stderr.buffer.write(open(err_file, "rb").read())
        sys.stderr.flush()
    if mode in ("linger", "linger-ignore-term", "hang", "ignore-term"):
        time.sleep(60)
    sys.exit(code)
'''


def write_tool(folder: Path, name: str, body: str) -> Path:
    """An executable Python script ``folder/name`` with the shared prelude and ``body``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(f"#!{sys.executable}\n{PRELUDE}\n{body}\n", encoding="utf-8")
    path.chmod(0o755)
    return path


def records(out: Path, name: str) -> List[Dict[str, Any]]:
    """What each run of fake ``name`` recorded, in start order."""
    found = []
    n = 0
    while (out / f"{name}-{n}.json").exists():
        found.append(json.loads((out / f"{name}-{n}.json").read_text(encoding="utf-8")))
        n += 1
    return found


def alive(pid: int) -> bool:
    """True while ``pid`` runs (a zombie left for a non-reaping init counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - pid reused by another user's process
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def gone_within(pid: int, seconds: float) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if not alive(pid):
            return True
        time.sleep(0.02)
    return not alive(pid)


def kill_leftovers(out: Path) -> None:
    """Test teardown: SIGKILL anything a fake recorded that is still alive."""
    import signal

    for path in out.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("pid", "helper"):
            pid = data.get(key)
            if isinstance(pid, int) and alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass


def all_gone(out: Path, seconds: float = 2.0) -> bool:
    """Every process any fake recorded (and its helpers) has exited."""
    for path in out.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        for key in ("pid", "helper"):
            pid = data.get(key)
            if isinstance(pid, int) and not gone_within(pid, seconds):
                return False
    return True
