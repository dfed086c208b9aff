"""A call started in a daemon thread now, its outcome awaited later for a bounded time.

Name resolution and a server that never sends headers have no time bound inside
``requests``; an exchange that must end on time runs here and is abandoned when its time is
up (being a daemon, the thread cannot hold the process open).
"""

import threading
import time
from typing import Any, Callable, List, Optional, Tuple

#: How often a waiter looks at its cancel flag.
POLL = 0.05


class Background:
    """``call()`` running in a daemon thread since construction."""

    def __init__(self, call: Callable[[], Any], name: str) -> None:
        self._box: List[Tuple[bool, Any]] = []
        self._thread = threading.Thread(target=self._run, args=(call,), name=name, daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self._box.append((True, call()))
        except BaseException as exc:  # handed to whoever waits
            self._box.append((False, exc))

    def outcome(self, until: float, cancel: Optional[threading.Event] = None) -> Tuple[bool, Any]:
        """``(True, value)`` or ``(False, exception)``; ``(False, TimeoutError())`` when the
        call is still running at ``until`` (a ``time.monotonic()`` value) or on ``cancel``."""
        while self._thread.is_alive() and not (cancel is not None and cancel.is_set()):
            remaining = until - time.monotonic()
            if remaining <= 0:
                break
            self._thread.join(min(remaining, POLL))
        return self._box[0] if self._box else (False, TimeoutError())

    def result(self, seconds: float) -> Any:
        """The call's value within ``seconds``; its exception, or TimeoutError, is raised."""
        ok, value = self.outcome(time.monotonic() + seconds)
        if not ok:
            raise value
        return value
