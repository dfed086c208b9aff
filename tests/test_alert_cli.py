"""``vibeusage alert`` from outside: exit codes, output, state, hooks and notifiers (§6)."""

import json
import os
import stat
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from tests.alert_helpers import NOW, Scripted, session, weekly
from tests.fakes import network_error
from vibeusage.alert.hooks import PASSED_THROUGH

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX scripts and permission bits")

EVENT_KEYS = {
    "v",
    "event",
    "provider",
    "window",
    "period_type",
    "model",
    "account",
    "threshold",
    "used_percent",
    "remaining_percent",
    "resets_at",
    "eta_seconds",
    "source",
    "observed_at",
    "timestamp",
}


def register(monkeypatch, *scripted):
    providers = tuple(s.provider for s in scripted)
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: providers)


def at(minutes=0):
    moment = NOW + timedelta(minutes=minutes)
    return lambda: moment


@pytest.fixture
def zeta(monkeypatch, home):
    provider = Scripted("zeta", weekly(83), session(40))
    register(monkeypatch, provider)
    return provider


def script(directory: Path, name: str, body: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text(body, encoding="utf-8")
    path.chmod(0o755)
    return path


# -- firing and exit codes -------------------------------------------------------------------


def test_a_crossing_prints_one_line_and_exits_1(cli, zeta):
    result = cli("alert", clock=at())
    assert result.code == 1
    assert result.out == "zeta Weekly: 83% used — crossed 80% (resets in 4d 3h)\n"


def test_the_next_run_fires_nothing_and_exits_0(cli, zeta):
    cli("alert", clock=at())
    result = cli("alert", clock=at(2))
    assert (result.code, result.out) == (0, "")


def test_a_higher_threshold_fires_on_a_later_run(cli, zeta):
    cli("alert", clock=at())
    zeta.windows = [weekly(96), session(40)]
    result = cli("alert", clock=at(2))
    assert result.code == 1
    assert "crossed 95%" in result.out


def test_at_chooses_the_thresholds(cli, zeta):
    result = cli("alert", "--at", "30,50", clock=at())
    assert result.code == 1
    assert sorted(result.out.splitlines()) == [
        "zeta Session (5h): 40% used — crossed 30% (resets in 2h 0m)",
        "zeta Weekly: 83% used — crossed 50% (resets in 4d 3h)",
    ]


@pytest.mark.parametrize("value", ["0", "101", "eighty", "80,,95", "-1", "nan"])
def test_a_bad_at_is_exit_4(cli, zeta, value):
    result = cli("alert", "--at", value, clock=at())
    assert result.code == 4
    assert "--at" in result.err
    assert zeta.strategy.calls == 0


def test_a_badly_quoted_hook_is_exit_4(cli, zeta):
    result = cli("alert", "--hook", "curl 'unclosed", clock=at())
    assert result.code == 4
    assert zeta.strategy.calls == 0


def test_some_failed_and_nothing_fired_is_partial(cli, monkeypatch, home):
    fine = Scripted("zeta", weekly(10))
    broken = Scripted("omega", weekly(90))
    broken.error = network_error("omega down")
    register(monkeypatch, fine, broken)
    result = cli("alert", clock=at())
    assert result.code == 5
    assert result.out == ""
    assert "omega down" in result.err


def test_a_crossing_wins_over_a_failure(cli, monkeypatch, home):
    fine = Scripted("zeta", weekly(85))
    broken = Scripted("omega", weekly(90))
    broken.error = network_error("omega down")
    register(monkeypatch, fine, broken)
    assert cli("alert", clock=at()).code == 1


def test_all_failed_is_the_first_failures_code(cli, monkeypatch, home):
    broken = Scripted("omega", weekly(90))
    broken.error = network_error("omega down")
    register(monkeypatch, broken)
    assert cli("alert", clock=at()).code == 3


def test_stale_data_does_not_fire(cli, monkeypatch, home):
    provider = Scripted("zeta", weekly(50))
    register(monkeypatch, provider)
    assert cli("alert", clock=at()).code == 0
    provider.error = network_error()
    provider.windows = [weekly(99)]
    result = cli("alert", clock=at(2))
    assert result.code == 5  # the cached 50 % is shown stale: nothing fires
    assert result.out == ""


# -- JSON -------------------------------------------------------------------------------------


def test_json_lists_the_events_with_every_contract_key(cli, zeta):
    result = cli("alert", "--json", clock=at())
    assert result.code == 1
    document = result.json()
    assert document["schema_version"] == 1
    assert document["errors"] == {}
    [event] = document["events"]
    assert set(event) == EVENT_KEYS
    assert event == {
        "v": 1,
        "event": "threshold",
        "provider": "zeta",
        "window": "Weekly",
        "period_type": "weekly",
        "model": None,
        "account": None,
        "threshold": 80,
        "used_percent": 83,
        "remaining_percent": 17,
        "resets_at": (NOW + timedelta(days=4, hours=3, minutes=30)).isoformat(),
        "eta_seconds": event["eta_seconds"],
        "source": "fake",
        "observed_at": NOW.isoformat(),
        "timestamp": NOW.isoformat(),
    }
    assert isinstance(event["eta_seconds"], int)  # 83 % with 4 days to go runs out


def test_json_errors_are_keyed_by_provider(cli, monkeypatch, home):
    broken = Scripted("omega", weekly(90))
    broken.error = network_error("omega down")
    register(monkeypatch, broken)
    document = cli("alert", "--json", clock=at()).json()
    assert document["events"] == []
    assert document["errors"]["omega"]["message"] == "omega down"
    assert document["errors"]["omega"]["category"] == "network"


# -- state ------------------------------------------------------------------------------------


@posix_only
def test_the_state_is_private_and_has_the_documented_shape(cli, zeta, home):
    cli("alert", clock=at())
    path = home.state_dir / "alerts.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(home.state_dir.stat().st_mode) == 0o700
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["v"] == 1
    weekly_lane = document["lanes"]["zeta|-|Weekly"]
    assert weekly_lane == {
        "resets_at": (NOW + timedelta(days=4, hours=3, minutes=30)).isoformat(),
        "used_percent": 83,
        "fired": {"80": NOW.isoformat()},
    }
    assert document["lanes"]["zeta|-|Session (5h)"]["fired"] == {}


def test_the_state_survives_between_runs_and_a_new_instance_rearms(cli, zeta):
    assert cli("alert", clock=at()).code == 1
    assert cli("alert", clock=at(5)).code == 0
    zeta.windows = [weekly(84, NOW + timedelta(days=11)), session(40)]
    result = cli("alert", clock=at(10))
    assert result.code == 1
    assert "crossed 80%" in result.out


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", '{"v": 2, "lanes": {}}', '{"v": 1, "lanes": []}', '{"lanes": {}}'],
)
def test_an_unreadable_state_counts_as_absent_and_is_replaced(cli, zeta, home, content):
    home.state_dir.mkdir(parents=True)
    (home.state_dir / "alerts.json").write_text(content, encoding="utf-8")
    assert cli("alert", clock=at()).code == 1
    document = json.loads((home.state_dir / "alerts.json").read_text(encoding="utf-8"))
    assert document["v"] == 1 and "zeta|-|Weekly" in document["lanes"]


def test_a_bad_lane_is_dropped_alone(cli, zeta, home):
    home.state_dir.mkdir(parents=True)
    lanes = {
        "zeta|-|Weekly": {"resets_at": "garbage", "used_percent": 83, "fired": {"80": "x"}},
        "zeta|-|Session (5h)": {"resets_at": None, "used_percent": 40, "fired": {}},
    }
    (home.state_dir / "alerts.json").write_text(json.dumps({"v": 1, "lanes": lanes}))
    result = cli("alert", clock=at())
    assert result.code == 1  # the unreadable Weekly lane counts as new


def test_an_unwritable_state_dir_is_a_warning_and_events_still_fire(
    cli, zeta, tmp_path, monkeypatch
):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("VIBEUSAGE_STATE_DIR", str(blocker / "state"))
    result = cli("alert", clock=at())
    assert result.code == 1
    assert "cannot save the alert state" in result.err


# -- hooks ------------------------------------------------------------------------------------

RECORDER = """#!{python} -I
import json, os, sys
out = sys.argv[1]
with open(out, "a", encoding="utf-8") as handle:
    handle.write(json.dumps({{"argv": sys.argv[2:], "stdin": sys.stdin.read(),
                             "env": dict(os.environ)}}) + "\\n")
"""


@posix_only
def test_a_hook_gets_the_event_on_stdin_and_exactly_the_documented_environment(
    cli, zeta, home, tmp_path, monkeypatch
):
    hook = script(tmp_path / "bin", "record-hook", RECORDER.format(python=sys.executable))
    out = tmp_path / "hook.jsonl"
    monkeypatch.setenv("LC_ALL", "C.UTF-8")  # no locale coercion adding LC_CTYPE
    monkeypatch.setenv("GH_TOKEN", "ghp_secretvalue")
    monkeypatch.setenv("HTTPS_PROXY", "http://user:pw@proxy:3128")
    monkeypatch.setenv("TERM", "xterm")
    result = cli("alert", "--hook", f"{hook} {out} 'two words'", clock=at())
    assert result.code == 1
    [call] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert call["argv"] == ["two words"]
    event = json.loads(call["stdin"])
    assert call["stdin"] == json.dumps(event, sort_keys=True, separators=(",", ":")) + "\n"
    assert event["threshold"] == 80 and event["window"] == "Weekly"
    allowed = {name for name in PASSED_THROUGH if name in os.environ}
    assert set(call["env"]) == allowed | {
        "VIBEUSAGE_EVENT",
        "VIBEUSAGE_PROVIDER",
        "VIBEUSAGE_WINDOW",
        "VIBEUSAGE_PERIOD_TYPE",
        "VIBEUSAGE_THRESHOLD",
        "VIBEUSAGE_USED_PERCENT",
        "VIBEUSAGE_REMAINING_PERCENT",
        "VIBEUSAGE_RESETS_AT",
        "VIBEUSAGE_TIMESTAMP",
    }
    env = call["env"]
    assert (env["VIBEUSAGE_EVENT"], env["VIBEUSAGE_PROVIDER"], env["VIBEUSAGE_WINDOW"]) == (
        "threshold",
        "zeta",
        "Weekly",
    )
    assert env["VIBEUSAGE_THRESHOLD"] == "80"
    assert env["VIBEUSAGE_USED_PERCENT"] == "83"
    assert env["VIBEUSAGE_REMAINING_PERCENT"] == "17"
    assert env["VIBEUSAGE_PERIOD_TYPE"] == "weekly"
    assert env["VIBEUSAGE_RESETS_AT"] == event["resets_at"]
    assert env["VIBEUSAGE_TIMESTAMP"] == NOW.isoformat()
    assert env["TERM"] == "xterm"


@posix_only
def test_the_first_word_of_a_hook_is_looked_up_on_path(cli, zeta, tmp_path, monkeypatch):
    script(tmp_path / "bin", "my-hook", RECORDER.format(python=sys.executable))
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    out = tmp_path / "hook.jsonl"
    assert cli("alert", "--hook", f"my-hook {out}", clock=at()).code == 1
    assert out.is_file()


@posix_only
def test_every_hook_runs_once_per_event(cli, zeta, tmp_path):
    zeta.windows = [weekly(83), session(96)]
    hook = script(tmp_path / "bin", "record-hook", RECORDER.format(python=sys.executable))
    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    cli("alert", "--hook", f"{hook} {first}", "--hook", f"{hook} {second}", clock=at())
    for out in (first, second):
        calls = [json.loads(line) for line in out.read_text().splitlines()]
        windows = [json.loads(call["stdin"])["window"] for call in calls]
        assert sorted(windows) == ["Session (5h)", "Weekly"]


@posix_only
def test_no_event_runs_no_hook(cli, zeta, tmp_path):
    zeta.windows = [weekly(10)]
    hook = script(tmp_path / "bin", "record-hook", RECORDER.format(python=sys.executable))
    assert cli("alert", "--hook", f"{hook} {tmp_path / 'out'}", clock=at()).code == 0
    assert not (tmp_path / "out").exists()


HANGING = """#!/bin/sh
echo $$ > "$1"
sleep 60 &
echo $! >> "$1"
wait
"""


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead for our purposes
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(") ")[1][0] != "Z"
    except OSError:
        return True


@posix_only
def test_a_hook_that_hangs_is_killed_at_its_limit_with_what_it_started(
    cli, zeta, tmp_path, monkeypatch
):
    monkeypatch.setattr("vibeusage.alert.hooks.HOOK_TIMEOUT", 0.5)
    hook = script(tmp_path / "bin", "hang", HANGING)
    pids = tmp_path / "pids"
    started = time.monotonic()
    result = cli("alert", "--hook", f"{hook} {pids}", clock=at())
    elapsed = time.monotonic() - started
    assert result.code == 1
    assert elapsed < 5
    assert "did not finish within 0.5 s and was killed" in result.err
    for pid in map(int, pids.read_text().split()):
        assert not alive(pid)


@posix_only
def test_a_failing_hook_is_a_warning(cli, zeta, tmp_path):
    hook = script(tmp_path / "bin", "fail", "#!/bin/sh\necho nope\nexit 7\n")
    result = cli("alert", "--hook", str(hook), clock=at())
    assert result.code == 1
    assert "warning: hook" in result.err and "exit 7" in result.err
    assert "nope" not in result.err  # the output only with --debug


@posix_only
def test_debug_shows_a_hooks_output(cli, zeta, tmp_path):
    hook = script(tmp_path / "bin", "talk", "#!/bin/sh\necho said-this\n")
    result = cli("alert", "--debug", "--hook", str(hook), clock=at())
    assert "said-this" in result.err


def test_a_missing_hook_program_is_a_warning(cli, zeta):
    result = cli("alert", "--hook", "no-such-hook-program --x", clock=at())
    assert result.code == 1
    assert "'no-such-hook-program' not found on PATH" in result.err


# -- notifiers --------------------------------------------------------------------------------

FAKE_NOTIFY_SEND = """#!/bin/sh
for arg in "$@"; do printf '%s\\n' "$arg"; done > "$NOTIFY_LOG"
"""


@posix_only
def test_notify_uses_notify_send_when_on_path(cli, zeta, tmp_path, monkeypatch):
    script(tmp_path / "bin", "notify-send", FAKE_NOTIFY_SEND)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("NOTIFY_LOG", str(tmp_path / "notify.log"))
    result = cli("alert", "--notify", clock=at())
    assert result.code == 1
    assert (tmp_path / "notify.log").read_text().splitlines() == [
        "--app-name=vibeusage",
        "vibeusage",
        "Zeta Weekly: 83% used (threshold 80%), resets in 4d 3h",
    ]


@posix_only
def test_a_failing_notifier_is_a_warning(cli, zeta, tmp_path, monkeypatch):
    script(tmp_path / "bin", "notify-send", "#!/bin/sh\necho no bus >&2\nexit 1\n")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    result = cli("alert", "--notify", clock=at())
    assert result.code == 1
    assert "notify-send failed (exit 1): no bus" in result.err


def test_without_a_notifier_notify_says_so(cli, zeta, tmp_path, monkeypatch):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = cli("alert", "--notify", clock=at())
    assert result.code == 1
    assert "notify-send is not on PATH" in result.err
    assert "no notification shown" in result.err


def test_on_a_terminal_without_a_notifier_notify_rings_and_sends_osc_9(
    cli, zeta, tmp_path, monkeypatch
):
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = cli("alert", "--notify", tty=True, clock=at())
    assert "\a\x1b]9;Zeta Weekly: 83% used (threshold 80%), resets in 4d 3h\a" in result.err


def test_notify_without_events_runs_nothing(cli, zeta, tmp_path, monkeypatch):
    zeta.windows = [weekly(10)]
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    result = cli("alert", "--notify", clock=at())
    assert (result.code, result.err) == (0, "")
