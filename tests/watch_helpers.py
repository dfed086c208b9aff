"""A fake timer for watch tests: monotonic seconds that sleeping advances, and a matching clock."""

from datetime import timedelta
from typing import List, Optional, Type

from tests.alert_helpers import NOW


class FakeTimer:
    """Sleeping moves time on at once; at ``stop_after`` seconds, ``stop`` is raised (Ctrl-C)."""

    def __init__(
        self,
        stop_after: float,
        stop: Type[BaseException] = KeyboardInterrupt,
        record: bool = True,
    ) -> None:
        self.now = 0.0
        self.record = record
        self.stop_after = stop_after
        self.stop = stop
        self.sleeps: List[float] = []
        self.on_sleep: Optional[object] = None

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        if self.record:
            self.sleeps.append(seconds)
        if callable(self.on_sleep):
            self.on_sleep(self)
        self.now += seconds
        if self.now >= self.stop_after:
            raise self.stop()

    def clock(self):
        return NOW + timedelta(seconds=self.now)
