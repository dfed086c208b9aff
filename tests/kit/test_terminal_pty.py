"""The terminal kit's PTY driver against small fake programs, with tiny timings.

Each fake is one mode of ``fake_program.py``, written to ``tmp_path``: it draws with escape
sequences, echoes what is typed, goes silent, hangs with a child of its own, ignores SIGTERM
or floods its terminal.
"""

import os
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, Dict, List

import pytest

from vibeusage.kit.terminal.pty import (
    EXITED,
    IDLE,
    OVERFLOW,
    STOPPED,
    TIMEOUT,
    StartError,
    TerminalSession,
    Timings,
    open_terminal,
    terminal_environment,
)

pytestmark = pytest.mark.skipif(
    sys.platform.startswith("win"), reason="pseudo-terminals and process groups are POSIX"
)

TINY = Timings(tick=0.01, quiet=0.05, type_delay=0.02, reap=0.2)

FAKE_PROGRAM = r"""
import os, signal, sys, time, tty

mode = sys.argv[1]


def say(text):
    os.write(1, text.encode("utf-8"))


def sleep_forever():
    while True:
        time.sleep(60)


if mode == "draw":
    columns, rows = os.get_terminal_size(0)
    say("\x1b[2J\x1b[H\x1b[1mhello\x1b[0m\x1b[10Gworld\r\n")
    say(f"size {columns}x{rows} tty {os.isatty(0)} term {os.environ.get('TERM')}\r\n")
    say(f"group {os.getpgid(0)} pid {os.getpid()}\r\n")
    while True:
        say("ready> ")
        line = sys.stdin.readline().strip()
        if line == "quit":
            sys.exit(7)
        say(f"echo: {line}\r\n")
elif mode == "pieces":
    say("one\r\n")
    time.sleep(float(sys.argv[2]))
    say("two\r\n")
    sleep_forever()
elif mode == "ticker":
    for n in range(8):
        say(f"tick {n}\r\n")
        time.sleep(0.03)
elif mode == "silent":
    say("hello, then nothing\r\n")
    sleep_forever()
elif mode == "hang":
    child = os.fork()
    if child == 0:
        sleep_forever()
    with open(sys.argv[2] + ".tmp", "w") as handle:
        handle.write(str(child))
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])
    sleep_forever()
elif mode == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    say("ready\r\n")
    sleep_forever()
elif mode == "orphan":
    child = os.fork()
    if child == 0:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        say(f"child {os.getpid()} ready\r\n")
        sleep_forever()
    sleep_forever()
elif mode == "flood":
    while True:
        os.write(1, b"x" * 65536)
elif mode == "deaf":
    tty.setraw(0)
    say("ready\r\n")
    sleep_forever()
elif mode == "exit":
    say("bye\r\n")
    sys.exit(int(sys.argv[2]))
"""


#: Builds the command running one mode of the fake program.
Fake = Callable[..., List[str]]


@pytest.fixture
def fake(tmp_path: Path) -> Fake:
    """The command running one mode of the fake program."""
    script = tmp_path / "fake_program.py"
    script.write_text(FAKE_PROGRAM, encoding="utf-8")

    def command(mode: str, *args: str) -> List[str]:
        return [sys.executable, str(script), mode, *args]

    return command


def start(argv: List[str], **options: object) -> TerminalSession:
    settings: Dict[str, Any] = {"env": {"PATH": os.environ.get("PATH", "")}, "total": 10.0}
    settings["timings"] = TINY
    settings.update(options)
    return open_terminal(argv, **settings)


def alive(pid: int) -> bool:
    """Whether a process exists and is not a zombie (an unreaped zombie has stopped)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            state = handle.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state not in ("Z", "X")


def group_alive(pgid: int) -> bool:
    """Whether any process of the group still runs (zombies do not count)."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
            return True
    return False


def gone_within(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# --- starting, reading, typing ----------------------------------------------------------------


def test_program_sees_a_terminal_of_the_given_size_in_a_group_of_its_own(fake: Fake) -> None:
    env = terminal_environment({"PATH": os.environ.get("PATH", "")}, rows=12, columns=50)
    with start(fake("draw"), env=env, rows=12, columns=50) as session:
        assert session.wait_for(lambda view: "ready>" in view)
        view = session.view()
        pid = session.process.pid
    assert "hello    world" in view  # the cursor move drew the gap
    assert "size 50x12 tty True term xterm-256color" in view
    assert f"group {pid} pid {pid}" in view
    assert os.getpgid(0) != pid
    assert not alive(pid)


def test_typed_text_reaches_the_program_and_its_answer_the_screen(fake: Fake) -> None:
    with start(fake("draw")) as session:
        assert session.wait_for(lambda view: "ready>" in view)
        started = time.monotonic()
        assert session.type("hello", "\r", delay=0.1)
        assert time.monotonic() - started >= 0.1  # the delay between the two chunks
        assert session.wait_for(lambda view: "echo: hello" in view, limit=5)
        assert session.type("quit\r")
        assert not session.wait_quiet(limit=5)  # it exits instead
        result = session.result()
    assert (result.ended, result.returncode, result.exited) == (EXITED, 7, True)
    assert "echo: hello" in result.screen and "\x1b[1m" in result.output


def test_wait_quiet_waits_out_a_pause_shorter_than_the_quiet_period(fake: Fake) -> None:
    with start(fake("pieces", "0.03")) as session:
        started = time.monotonic()
        assert session.wait_quiet(quiet=0.2)
        elapsed = time.monotonic() - started
        assert "one\ntwo" in session.view()
    assert elapsed >= 0.2 + 0.03


def test_wait_quiet_gives_up_at_its_limit_while_output_goes_on(fake: Fake) -> None:
    with start(fake("ticker")) as session:
        assert not session.wait_quiet(quiet=0.2, limit=0.1)
        assert session.ended is None


def test_wait_for_returns_once_the_screen_shows_it_and_false_at_its_limit(fake: Fake) -> None:
    with start(fake("pieces", "0.1")) as session:
        started = time.monotonic()
        assert session.wait_for(lambda view: "two" in view, limit=5)
        assert 0.1 <= time.monotonic() - started < 3
        assert not session.wait_for(lambda view: "three" in view, limit=0.1)


def test_run_calls_the_step_after_every_read_until_it_is_done(fake: Fake) -> None:
    seen: List[str] = []

    def step(session: TerminalSession) -> bool:
        seen.append(session.view())
        return "tick 3" in session.view()

    with start(fake("ticker")) as session:
        result = session.run(step)
    assert result.ended == STOPPED and not result.timed_out and result.returncode is None
    assert "tick 3" in result.screen and "tick 5" not in result.screen
    assert len(seen) > 1


# --- the limits -------------------------------------------------------------------------------


def test_total_cap_stops_a_silent_program_and_kills_what_it_started(
    fake: Fake, tmp_path: Path
) -> None:
    child_file = tmp_path / "child.pid"
    started = time.monotonic()
    with start(fake("hang", str(child_file)), total=0.5) as session:
        result = session.run(lambda session: False)
        pid = session.process.pid
    elapsed = time.monotonic() - started
    assert (result.ended, result.timed_out, result.output) == (TIMEOUT, True, "")
    assert 0.5 <= elapsed < 1.5
    child = int(child_file.read_text(encoding="utf-8"))
    assert not alive(pid) and gone_within(lambda: alive(child), 1.0)
    assert gone_within(lambda: group_alive(pid), 1.0)


def test_idle_cut_off_ends_a_program_that_stopped_talking(fake: Fake) -> None:
    started = time.monotonic()
    with start(fake("silent"), idle=0.2) as session:
        result = session.run(lambda session: False)
    assert (result.ended, result.cut_off, result.timed_out) == (IDLE, True, False)
    assert 0.2 <= time.monotonic() - started < 1.5
    assert "hello, then nothing" in result.screen


def test_idle_cut_off_spares_a_program_that_keeps_talking(fake: Fake) -> None:
    with start(fake("ticker"), idle=0.3) as session:
        result = session.run(lambda session: False)
    assert (result.ended, result.returncode) == (EXITED, 0)
    assert "tick 7" in result.screen


def test_output_cap_stops_a_flood_and_kills_the_program(fake: Fake) -> None:
    started = time.monotonic()
    with start(fake("flood"), max_output=200_000) as session:
        result = session.run(lambda session: False)
        pid = session.process.pid
    assert (result.ended, result.cut_off) == (OVERFLOW, True)
    assert 200_000 <= len(result.output) < 200_000 + 65536
    assert time.monotonic() - started < 3
    assert not alive(pid)


def test_typing_into_a_program_that_reads_nothing_stops_at_the_deadline(fake: Fake) -> None:
    sent: List[bool] = []
    with start(fake("deaf"), total=0.5) as session:
        assert session.wait_for(lambda view: "ready" in view)
        # More than its terminal can hold; in a thread, so that a blocking write fails the
        # test instead of hanging it (closing the session then unblocks the write).
        typist = threading.Thread(target=lambda: sent.append(session.send(b"y" * 100_000)))
        typist.start()
        typist.join(1.5)
        assert not typist.is_alive()
        assert sent == [False] and session.ended == TIMEOUT
    typist.join(5)


def test_exit_status_is_reported_with_the_last_output(fake: Fake) -> None:
    with start(fake("exit", "3")) as session:
        result = session.run(lambda session: False)
    assert (result.ended, result.returncode) == (EXITED, 3)
    assert result.screen == "bye"


# --- cleanup ----------------------------------------------------------------------------------


def test_program_ignoring_sigterm_is_killed_when_the_session_closes(fake: Fake) -> None:
    with start(fake("stubborn")) as session:
        assert session.wait_for(lambda view: "ready" in view, limit=5)
        pid = session.process.pid
    assert not alive(pid) and not group_alive(pid)


def test_member_of_the_group_ignoring_sigterm_dies_with_the_program(fake: Fake) -> None:
    with start(fake("orphan")) as session:
        assert session.wait_for(lambda view: "ready" in view, limit=5)
        match = re.search(r"child (\d+) ready", session.view())
        pid = session.process.pid
    assert match is not None
    child = int(match.group(1))
    assert not alive(pid) and gone_within(lambda: alive(child), 1.0)
    assert gone_within(lambda: group_alive(pid), 1.0)


def test_error_in_the_callers_step_propagates_and_the_program_is_killed(fake: Fake) -> None:
    def step(session: TerminalSession) -> bool:
        raise RuntimeError("the caller gave up")

    with pytest.raises(RuntimeError, match="gave up"):
        with start(fake("silent")) as session:
            session.run(step)
    assert not alive(session.process.pid)
    assert session.ended == STOPPED


def test_close_twice_is_harmless_and_a_closed_session_reads_nothing(fake: Fake) -> None:
    session = start(fake("silent"))
    session.close()
    session.close()
    assert not session.poll(0.01) and not session.send("x")
    assert not alive(session.process.pid)


# --- start errors and the environment ---------------------------------------------------------


def test_missing_program_is_a_start_error_about_the_program(tmp_path: Path) -> None:
    with pytest.raises(StartError) as caught:
        start([str(tmp_path / "no-such-program")])
    assert caught.value.what == "program" and caught.value.reason


def test_empty_command_is_a_start_error_not_a_crash() -> None:
    with pytest.raises(StartError) as caught:
        start([])
    assert caught.value.what == "program"


def test_terminal_environment_adds_term_and_size_to_a_copy() -> None:
    environ = {"PATH": "/bin", "TERM": "dumb"}
    env = terminal_environment(environ, rows=30, columns=90)
    assert env == {"PATH": "/bin", "TERM": "xterm-256color", "COLUMNS": "90", "LINES": "30"}
    assert environ["TERM"] == "dumb"
