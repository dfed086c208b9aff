"""The watch loop: fetch what is due, redraw every second on a terminal, print off one.

Time comes from a :class:`Timer` (monotonic seconds and sleep), so tests drive hours of
watching without waiting. The loop ends only by Ctrl-C or SIGTERM (their exceptions pass
through); the terminal is restored on every way out.
"""

import math
import threading
import time
from typing import Any, Callable, Dict, List, Optional, Sequence

from ..pipeline import ProviderResult, RunOptions
from ..providers.base import Provider
from ..service.context import Context
from ..service.usage import Selection, collect
from .schedule import Slot, next_slot

#: Seconds between two redraws on a terminal.
TICK = 1.0


class Timer:
    """Monotonic time and sleeping (the real ones; tests pass a fake)."""

    def monotonic(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


#: The timer every watch uses (tests put a fake one here).
TIMER = Timer()


class _Resized(Exception):
    """The terminal changed size while the loop slept: redraw now."""


class Watch:
    """The providers watched, their last results, and when each is due again."""

    def __init__(
        self,
        ctx: Context,
        providers: Sequence[Provider],
        interval: float,
        options: RunOptions,
        timer: Timer,
        on_terminal: bool,
    ) -> None:
        self.ctx = ctx
        self.providers = tuple(providers)
        self.interval = interval
        self.options = options
        self.timer = timer
        self.on_terminal = on_terminal
        self.results: Dict[str, ProviderResult] = {}
        self.slots: Dict[str, Slot] = {p.id: Slot() for p in self.providers}
        self.collected_at: Optional[float] = None
        #: Collections so far (a provider request happens in some of them only).
        self.collections = 0

    # -- fetching ------------------------------------------------------------------------------

    def due(self) -> List[Provider]:
        now = self.timer.monotonic()
        return [p for p in self.providers if self.slots[p.id].is_due(now)]

    def collect(
        self, due: Sequence[Provider], on_progress: Optional[Callable[[List[str], float], None]]
    ) -> None:
        """Ask the due providers through the pipeline and plan when each is due next."""
        report = collect(self.ctx, Selection(tuple(due)), self.options, on_progress)
        collected_at = self.timer.monotonic()
        fresh_ttl = float(self.ctx.config.fetch.fresh_ttl)
        floor = TICK if self.on_terminal else self.interval
        for result in report.results:
            snapshot = result.snapshot
            age = None
            if snapshot is not None:
                age = (report.now - snapshot.fetched_at).total_seconds()
            self.results[result.provider_id] = result
            self.slots[result.provider_id] = next_slot(
                self.slots[result.provider_id],
                result,
                collected_at,
                age,
                self.interval,
                fresh_ttl,
                floor,
            )
        self.collected_at = collected_at
        self.collections += 1

    def shown(self) -> List[ProviderResult]:
        """The latest result of each provider, in the watched order."""
        return [self.results[p.id] for p in self.providers if p.id in self.results]

    def next_fetch_in(self) -> float:
        now = self.timer.monotonic()
        return max(0.0, min(slot.due_at for slot in self.slots.values()) - now)

    def updated_ago(self) -> Optional[float]:
        if self.collected_at is None:
            return None
        return max(0.0, self.timer.monotonic() - self.collected_at)


def watch_off_terminal(watch: Watch, emit: Callable[[List[ProviderResult]], None]) -> None:
    """After each collection, the table (``emit``); between them, sleep until the next."""
    while True:
        due = watch.due()
        if due:
            watch.collect(due, None)
            emit(watch.shown())
        watch.timer.sleep(max(0.0, watch.next_fetch_in()))


class TerminalView:
    """The screen side of a watch on a terminal: a frame every tick, and after a resize."""

    def __init__(
        self,
        watch: Watch,
        screen: Any,
        render: Callable[[Watch, Sequence[str]], str],
    ) -> None:
        self.watch = watch
        self.screen = screen
        self.render = render
        self.redraws = 0
        self._start = watch.timer.monotonic()
        self._next_tick = self._start
        self._sleeping = False

    def run(self) -> None:
        """Redraw forever; the screen is restored however the loop ends."""
        previous = self._catch_resize()
        try:
            self.screen.open()
            while True:
                due = self.watch.due()
                if due:
                    self.draw([p.id for p in due])
                    self.watch.collect(due, self._during_fetch)
                self.draw(())
                self._sleep(self._until_next_tick())
        finally:
            self.screen.close()
            self._release_resize(previous)

    def draw(self, fetching: Sequence[str]) -> None:
        self.screen.draw(self.render(self.watch, fetching))
        self.redraws += 1

    def _during_fetch(self, pending: List[str], elapsed: float) -> None:
        """Keep the countdowns ticking while a slow provider answers."""
        if self.watch.timer.monotonic() >= self._next_tick:
            self.draw(pending)
            self._until_next_tick()

    def _until_next_tick(self) -> float:
        """Seconds to the next whole tick since the start (missed ticks are skipped)."""
        now = self.watch.timer.monotonic()
        ticks = math.floor((now - self._start) / TICK) + 1
        self._next_tick = self._start + ticks * TICK
        return max(0.0, self._next_tick - now)

    def _sleep(self, seconds: float) -> None:
        try:
            try:
                self._sleeping = True
                self.watch.timer.sleep(seconds)
            finally:
                self._sleeping = False
        except _Resized:
            pass  # the loop redraws at once, for the new size

    # SIGWINCH interrupts the sleep only: anywhere else it would cut a fetch short.
    def _on_resize(self, signum: int, frame: object) -> None:
        if self._sleeping:
            raise _Resized()

    def _catch_resize(self) -> Any:
        import signal

        winch = getattr(signal, "SIGWINCH", None)
        if winch is None or threading.current_thread() is not threading.main_thread():
            return None
        try:
            return (winch, signal.signal(winch, self._on_resize))
        except (ValueError, OSError):
            return None

    @staticmethod
    def _release_resize(previous: Any) -> None:
        if previous is None:
            return
        import signal

        try:
            signal.signal(previous[0], previous[1])
        except (ValueError, OSError, TypeError):
            pass
