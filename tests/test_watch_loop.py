"""``vibeusage watch`` in-process with a fake timer: fetches per interval, redraws, exits (§6)."""

import gc
import os
import signal
import tracemalloc

import pytest

from tests.alert_helpers import Scripted, weekly
from tests.fakes import FakeStrategy, fake_provider
from tests.watch_helpers import FakeTimer
from vibeusage.errors import ErrorCategory, VibeusageError
from vibeusage.pipeline import RunOptions
from vibeusage.terminal import Terminated
from vibeusage.watch import loop
from vibeusage.watch.screen import ENTER, HOME, LEAVE

#: tracemalloc's own allocations (the first snapshot) are not the watch's.
OWN = [tracemalloc.Filter(False, tracemalloc.__file__)]


def register(monkeypatch, *providers):
    monkeypatch.setattr("vibeusage.providers.all_providers", lambda: tuple(providers))


@pytest.fixture
def timer(monkeypatch):
    def make(stop_after, stop=KeyboardInterrupt):
        fake = FakeTimer(stop_after, stop)
        monkeypatch.setattr(loop, "TIMER", fake)
        return fake

    return make


@pytest.fixture
def zeta(monkeypatch, home):
    scripted = Scripted("zeta", weekly(42))
    register(monkeypatch, scripted.provider)
    return scripted


# -- off a terminal ---------------------------------------------------------------------------


def test_off_a_terminal_a_table_is_printed_after_each_fetch(cli, zeta, timer):
    fake = timer(300)
    result = cli("watch", "--interval", "60", clock=fake.clock)
    assert result.code == 130
    assert "interrupted" in result.err
    assert zeta.strategy.calls == 5  # at 0, 60, 120, 180 and 240 s
    blocks = result.out.split("\n\n")
    assert result.out.count("Zeta\n") == 5
    assert blocks[0].startswith("Zeta\n  Weekly")
    assert result.out.endswith("\n\n")
    assert "\x1b" not in result.out


def test_off_a_terminal_it_sleeps_until_the_next_fetch_not_every_second(cli, zeta, timer):
    fake = timer(300)
    cli("watch", "--interval", "60", clock=fake.clock)
    assert fake.sleeps == [60.0] * 5


def test_a_reader_closing_the_pipe_ends_the_watch_quietly(zeta, timer):
    import io

    from vibeusage.cli import Terminal, run

    class Pipe(io.StringIO):
        def write(self, text):
            if self.getvalue():
                raise BrokenPipeError()
            return super().write(text)

    fake = timer(3600)
    out, err = Pipe(), io.StringIO()
    code = run(["watch", "--interval", "60"], Terminal(out, err), os.environ, clock=fake.clock)
    assert (code, err.getvalue()) == (0, "")
    assert out.getvalue().startswith("Zeta\n")
    assert zeta.strategy.calls == 2


def test_the_fresh_cache_is_honoured_below_its_ttl(cli, zeta, timer):
    fake = timer(125)
    result = cli("watch", "--interval", "5", clock=fake.clock)
    assert zeta.strategy.calls == 3  # 0, 60, 120: fetch.fresh_ttl is 60 s
    assert result.out.count("Zeta\n") == 5  # 0, 5 (cached), 60, 65 (cached), 120


def test_a_rate_limited_provider_is_not_asked_before_retry_after(cli, home, monkeypatch, timer):
    limited = FakeStrategy(
        "zeta",
        error=VibeusageError("slow down", ErrorCategory.RATE_LIMITED, retry_after=300),
    )
    register(monkeypatch, fake_provider("zeta", [limited]))
    fake = timer(330)
    result = cli("watch", "--interval", "60", clock=fake.clock)
    assert limited.calls == 2  # at 0 s, then once the gate reopens at 300 s
    assert "paused after failures" in result.out


def test_two_providers_keep_their_own_schedules(cli, home, monkeypatch, timer):
    claude = FakeStrategy("claude", name="oauth")
    other = FakeStrategy("zeta")
    register(monkeypatch, fake_provider("claude", [claude]), fake_provider("zeta", [other]))
    fake = timer(400)
    cli("watch", "--interval", "60", clock=fake.clock)
    assert (claude.calls, other.calls) == (3, 7)  # Claude's OAuth at most every 180 s


# -- on a terminal ----------------------------------------------------------------------------


def test_on_a_terminal_redraws_every_second_and_fetches_once_per_interval(
    cli, home, monkeypatch, timer
):
    oauth = FakeStrategy("claude", name="oauth")
    register(monkeypatch, fake_provider("claude", [oauth]))
    fake = timer(400)
    result = cli("watch", "--interval", "60", tty=True, clock=fake.clock)
    assert result.code == 130
    assert oauth.calls == 3  # 0, 180 and 360 s: Claude's OAuth floor
    redraws = result.out.count(HOME)
    assert redraws >= 400
    assert all(s <= 1.0 for s in fake.sleeps)


def test_a_statusline_capture_is_read_every_tick_and_oauth_is_left_alone(
    cli, home, monkeypatch, timer
):
    from datetime import timedelta

    from tests.alert_helpers import snapshot
    from vibeusage.providers.base import FetchResult

    def capture(ctx):
        observed = ctx.now() - timedelta(minutes=5)  # when Claude Code last saw a response
        return FetchResult.ok(snapshot("claude", [weekly(42)], observed, source="statusline"))

    statusline = FakeStrategy("claude", name="statusline", behaviour=capture)
    oauth = FakeStrategy("claude", name="oauth")
    register(monkeypatch, fake_provider("claude", [statusline, oauth]))
    fake = timer(10)
    cli("watch", tty=True, clock=fake.clock)
    assert statusline.calls == 10
    assert oauth.calls == 0


def test_on_a_terminal_the_screen_is_entered_and_restored(cli, zeta, timer):
    fake = timer(3)
    result = cli("watch", tty=True, clock=fake.clock)
    assert result.out.startswith(ENTER)
    assert result.out.endswith(LEAVE)
    assert "updated 2s ago · next fetch in 58s · Ctrl-C to quit" in result.out


def test_sigterm_restores_the_screen_and_exits_143(cli, zeta, timer):
    fake = timer(5, stop=Terminated)
    result = cli("watch", tty=True, clock=fake.clock)
    assert result.code == 143
    assert result.out.endswith(LEAVE)
    assert "terminated" in result.err


def test_a_countdown_ticks_between_fetches(cli, zeta, timer):
    fake = timer(4)
    result = cli("watch", "--interval", "60", tty=True, clock=fake.clock)
    for left in ("1m 00s", "59s", "58s", "57s"):
        assert f"next fetch in {left} ·" in result.out
    assert zeta.strategy.calls == 1


@pytest.mark.skipif(not hasattr(signal, "SIGWINCH"), reason="no SIGWINCH here")
def test_a_resize_redraws_at_once_without_waiting_for_the_tick(zeta, home):
    from vibeusage.cli import Terminal
    from vibeusage.commands.app import App

    fake = FakeTimer(3)
    frames = []

    class Screen:
        def open(self):
            pass

        def draw(self, frame):
            frames.append(fake.now)

        def close(self):
            pass

    def resize_once(timer):
        if timer.now == 1.0 and frames.count(1.0) == 1:
            os.kill(os.getpid(), signal.SIGWINCH)

    fake.on_sleep = resize_once
    app = App(Terminal(open(os.devnull, "w"), open(os.devnull, "w")), os.environ, fake.clock)
    watch = loop.Watch(app, [zeta.provider], 60, RunOptions(), fake, on_terminal=True)
    view = loop.TerminalView(watch, Screen(), lambda w, fetching: "")
    with pytest.raises(KeyboardInterrupt):
        view.run()
    assert frames.count(1.0) == 2  # the tick's frame, then the resize's
    assert signal.getsignal(signal.SIGWINCH) in (signal.SIG_DFL, None, signal.default_int_handler)


def test_memory_stays_bounded_over_hours_of_redraws(zeta, home):
    from vibeusage.cli import Terminal
    from vibeusage.commands.app import App
    from vibeusage.watch.context import RenewedPipelines

    fake = FakeTimer(8 * 3600 + 1, record=False)
    marks = []

    class Screen:
        def open(self):
            pass

        def draw(self, frame):
            zeta.strategy.threads.clear()  # the fake's own record of its calls
            if fake.now in (3 * 3600.0, 8 * 3600.0):  # after the warm-up, then 5 h later
                gc.collect()
                marks.append(tracemalloc.take_snapshot().filter_traces(OWN))

        def close(self):
            pass

    app = App(Terminal(open(os.devnull, "w"), open(os.devnull, "w")), os.environ, fake.clock)
    watch = loop.Watch(RenewedPipelines(app), [zeta.provider], 5, RunOptions(), fake, True)
    view = loop.TerminalView(watch, Screen(), lambda w, fetching: "x" * 2000)
    tracemalloc.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            view.run()
    finally:
        tracemalloc.stop()
    early, late = marks[0], marks[-1]
    # One big block is a table of the interpreter's own growing (interned path names of
    # the whole test session), not something the watch keeps.
    diff = [s for s in late.compare_to(early, "lineno") if not (s.count == 1 and s.size > 2**18)]
    grown = sum(stat.size_diff for stat in diff)
    assert watch.collections > 900
    assert grown < 32 * 1024, grown  # well under 1 KB an hour of 120 fetches


# -- arguments --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["4", "4.99", "0", "-60", "soon", "nan", "inf", "86401"])
def test_a_bad_interval_is_exit_4(cli, zeta, value):
    result = cli("watch", "--interval", value)
    assert result.code == 4
    assert "--interval" in result.err
    assert zeta.strategy.calls == 0


def test_nothing_to_watch_says_so(cli, home, monkeypatch, timer):
    register(monkeypatch, fake_provider("zeta", [FakeStrategy("zeta", available=False)]))
    timer(10)
    result = cli("watch")
    assert result.code == 1
    assert "Nothing to watch" in result.err
