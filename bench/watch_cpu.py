"""Measure the CPU ``vibeusage watch`` uses while it redraws (Linux).

Run: ``python bench/watch_cpu.py [--seconds 60] [--providers N]`` from the checkout. The
watch runs in a 120x40 pseudo-terminal against a Claude login in a temporary home whose
usage endpoint is a ``responses`` mock (no network), with ``--interval 600``: after the
first fetch, only redraws remain. Prints the CPU time the process used between its first
frame and the end, as a share of one core (target: under 2 %).
"""

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import fcntl, sys, termios
fcntl.ioctl(0, termios.TIOCSCTTY, 0)
import responses
from vibeusage.cli import main
from vibeusage.providers.claude.oauth import ACCOUNT_URL, USAGE_URL

with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
    mock.add(responses.GET, USAGE_URL, body=sys.argv[1], content_type="application/json")
    mock.add(responses.GET, ACCOUNT_URL, json={})
    sys.exit(main(sys.argv[2:]))
"""


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of ``pid`` so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    from vibeusage.kit.terminal.pty import open_terminal, terminal_environment

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        (home / ".claude").mkdir()
        credentials = {"claudeAiOauth": {"accessToken": "sk-ant-oat01-bench", "scopes": []}}
        (home / ".claude" / ".credentials.json").write_text(json.dumps(credentials))
        now = datetime.now(timezone.utc)
        payload = json.dumps(
            {
                "five_hour": {
                    "utilization": 42,
                    "resets_at": (now + timedelta(hours=2)).isoformat(),
                },
                "seven_day": {
                    "utilization": 17,
                    "resets_at": (now + timedelta(days=3)).isoformat(),
                },
            }
        )
        script = home / "child.py"
        script.write_text(CHILD)
        env = {
            "HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(ROOT),
            "VIBEUSAGE_CONFIG_DIR": str(home / "config"),
            "VIBEUSAGE_CACHE_DIR": str(home / "cache"),
            "VIBEUSAGE_STATE_DIR": str(home / "state"),
            "LANG": "C.UTF-8",
        }
        env = terminal_environment(env, rows=40, columns=120)
        argv = [sys.executable, str(script), payload, "watch", "claude", "--interval", "600"]
        with open_terminal(argv, env=env, rows=40, columns=120, total=args.seconds + 30) as s:
            if not s.wait_for(lambda view: "next fetch in" in view, limit=20):
                raise SystemExit(f"watch did not draw:\n{s.view()}")
            before, started = cpu_seconds(s.process.pid), time.monotonic()
            s.pause(args.seconds)
            used, elapsed = cpu_seconds(s.process.pid) - before, time.monotonic() - started
            frames = s.result().output.count("\x1b[H")
    share = 100 * used / elapsed
    print(f"{frames} frames over {elapsed:.1f} s; CPU {used:.2f} s = {share:.2f} % of one core")


if __name__ == "__main__":
    main()
