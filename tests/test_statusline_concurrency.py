"""Several terminals run Claude Code's hook at once: the capture is always a whole file."""

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.statusline_helpers import capture_path, payload
from vibeusage.statusline.capture import read_capture

ROOT = Path(__file__).resolve().parent.parent
TERMINALS = 6
ROUNDS = 3


def hook_input(index: int) -> bytes:
    now = int(time.time())
    data = payload(session_id=f"terminal-{index}")
    data["rate_limits"]["five_hour"] = {"used_percentage": 10 + index, "resets_at": now + 3600}
    data["rate_limits"]["seven_day"] = {"used_percentage": 5, "resets_at": now + 86400}
    return json.dumps(data).encode("utf-8")


def test_concurrent_hooks_never_leave_a_partial_capture(home):
    path = capture_path(home)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    torn = []
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            try:
                text = path.read_bytes()
            except FileNotFoundError:
                continue
            if read_capture(str(path)) is None and text:
                torn.append(text)

    watcher = threading.Thread(target=reader)
    watcher.start()
    try:
        for _ in range(ROUNDS):
            processes = [
                subprocess.Popen(
                    [sys.executable, "-m", "vibeusage", "statusline"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=env,
                )
                for _ in range(TERMINALS)
            ]
            for index, process in enumerate(processes):  # all of them read, merge, write at once
                assert process.stdin is not None
                process.stdin.write(hook_input(index))
                process.stdin.close()
            for process in processes:
                assert process.stdout is not None and process.stderr is not None
                out, err = process.stdout.read(), process.stderr.read()
                assert process.wait(timeout=60) == 0, err
                assert out.startswith(b"Claude 5h "), out
    finally:
        stop.set()
        watcher.join()
    assert torn == []
    capture = read_capture(str(path))
    assert capture is not None
    assert capture["windows"]["five_hour"]["used_percent"] in {10.0 + i for i in range(TERMINALS)}
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
