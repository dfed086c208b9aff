"""The README's cron recipes for ``alert``, pasted as they are, and overlapping runs (§6).

Each run is a real process reading a fresh cached Claude snapshot (no request is made: a
dead proxy would catch one), so what cron would run is what is tested.
"""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.login_helpers import login_key_of
from vibeusage.cache import SnapshotCache
from vibeusage.models import PeriodType, UsagePeriod, UsageSnapshot
from vibeusage.timeparse import utcnow

posix_only = pytest.mark.skipif(os.name != "posix", reason="cron recipes are for POSIX shells")

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.rst"
DEAD_PROXY = "http://127.0.0.1:9"


def cron_lines():
    """The crontab lines of the README's ``alert`` recipes."""
    found = [
        line.strip()
        for line in README.read_text(encoding="utf-8").splitlines()
        if line.strip().startswith("*/5 ") and " alert " in line
    ]
    assert len(found) == 2, found
    return found


def command_of(cron_line: str) -> str:
    """What cron hands to ``sh -c``: the line without its five time fields."""
    assert "%" not in cron_line  # cron would turn it into a newline
    return cron_line.split(None, 5)[5]


def cron_home(tmp_path: Path, clean_path: str, weekly: int = 83):
    """A home as cron sees it: vibeusage in ~/.local/bin, a Claude login, a fresh cache."""
    home = tmp_path / "home"
    (home / ".claude").mkdir(parents=True)
    (home / ".claude" / ".credentials.json").write_text(
        json.dumps({"claudeAiOauth": {"accessToken": "sk-ant-oat01-x", "scopes": ["user:profile"]}})
    )
    config = home / ".config" / "vibeusage"
    config.mkdir(parents=True)
    (config / "config.toml").write_text('enabled_providers = ["claude"]\n')
    now = utcnow()
    period = UsagePeriod("Weekly", weekly, PeriodType.WEEKLY, now.replace(microsecond=0) + _days(3))
    login = login_key_of("claude", home, {"HOME": str(home)})
    SnapshotCache(home / ".cache" / "vibeusage" / "snapshots").save(
        UsageSnapshot("claude", now, (period,), source="oauth"), login
    )
    scripts = home / ".local" / "bin"
    scripts.mkdir(parents=True)
    shim = scripts / "vibeusage"
    shim.write_text(f'#!/bin/sh\nPYTHONPATH="{ROOT}" exec "{sys.executable}" -m vibeusage "$@"\n')
    shim.chmod(0o755)
    fakes = tmp_path / "fakes"
    fakes.mkdir()
    env = {
        "HOME": str(home),
        "PATH": f"{fakes}{os.pathsep}{clean_path}",
        "LOGNAME": "u",
        "SHELL": "/bin/sh",
        "LC_ALL": "C.UTF-8",
        "HTTPS_PROXY": DEAD_PROXY,
        "HTTP_PROXY": DEAD_PROXY,
    }
    return home, fakes, env


def _days(n):
    from datetime import timedelta

    return timedelta(days=n)


def fake(directory: Path, name: str, body: str) -> None:
    path = directory / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(0o755)


@posix_only
def test_the_notify_send_recipe_works_when_pasted(tmp_path, clean_path):
    home, fakes, env = cron_home(tmp_path, clean_path)
    fake(
        fakes,
        "notify-send",
        'printf "%s\\n" "$@" > "$HOME/notify-args"\n'
        'printf "%s\\n" "$DBUS_SESSION_BUS_ADDRESS" > "$HOME/notify-bus"\n',
    )
    line = next(x for x in cron_lines() if "--notify" in x)
    done = subprocess.run(
        ["/bin/sh", "-c", command_of(line)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr  # an alert fired
    assert done.stdout == ""  # the recipe sends the event line to /dev/null
    args = (home / "notify-args").read_text().splitlines()
    assert args[:2] == ["--app-name=vibeusage", "vibeusage"]
    assert re.fullmatch(r"Claude Weekly: 83% used \(threshold 80%\), resets in 2d 23h", args[2])
    bus = (home / "notify-bus").read_text().strip()
    assert bus == f"unix:path=/run/user/{os.getuid()}/bus"
    again = subprocess.run(
        ["/bin/sh", "-c", command_of(line)], env=env, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 0, again.stderr  # once per crossing


@posix_only
def test_the_curl_webhook_recipe_works_when_pasted(tmp_path, clean_path):
    home, fakes, env = cron_home(tmp_path, clean_path, weekly=96)
    fake(fakes, "curl", 'printf "%s\\n" "$@" > "$HOME/curl-args"\ncat > "$HOME/curl-body"\n')
    line = next(x for x in cron_lines() if "--hook" in x)
    done = subprocess.run(
        ["/bin/sh", "-c", command_of(line)], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stderr
    assert (home / "curl-args").read_text().splitlines() == [
        "-fsS",
        "-m",
        "5",
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        "@-",
        "https://hooks.example.com/vibeusage",
    ]
    body = (home / "curl-body").read_text()
    event = json.loads(body)
    assert body.endswith("}\n") and "\n" not in body[:-1]
    assert (event["provider"], event["window"], event["threshold"]) == ("claude", "Weekly", 95)
    assert event["used_percent"] == 96 and event["source"] == "oauth"


RACER = """
import sys, time
from vibeusage.cli import main
from vibeusage.commands import alert
from vibeusage.alert import run, state_file
from vibeusage import pipeline
start = float(sys.argv[1])
time.sleep(max(0.0, start - time.time()))
sys.exit(main(sys.argv[2:]))
"""


@posix_only
def test_overlapping_runs_fire_each_event_once(tmp_path, clean_path):
    home, _, env = cron_home(tmp_path, clean_path, weekly=96)
    env["PYTHONPATH"] = str(ROOT)
    start = time.time() + 3.0  # every process has imported everything by then
    racers = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(start), "alert", "claude", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(6)
    ]
    events = []
    for racer in racers:
        out, err = racer.communicate(timeout=60)
        assert racer.returncode in (0, 1), err
        events += json.loads(out)["events"]
    assert [(e["window"], e["threshold"]) for e in events] == [("Weekly", 95)]
