"""Independent calls at the same time, so a strategy's requests cost one round trip.

Each call runs in a daemon thread (one that hangs cannot hold the process open) and is
waited on for at most the given time; the results come back in the order of the calls.
"""

import threading
import time
from pathlib import Path
from typing import Any, Callable, List, Optional, Sequence, Tuple

#: A call's outcome: (True, value) or (False, the exception it raised or TimeoutError).
Outcome = Tuple[bool, Any]


def run_parallel(
    calls: Sequence[Callable[[], Any]], timeout: float, name: str = "call"
) -> List[Outcome]:
    """Run ``calls`` concurrently; each outcome is ``(True, value)`` or ``(False, error)``.

    Every call runs in a daemon thread, so the calling thread stays bounded by ``timeout``;
    a call still running then is abandoned and its outcome is ``(False, TimeoutError())``.
    """
    from ..provenance import last_credential_file

    boxes: List[List[Outcome]] = [[] for _ in calls]
    threads = []
    source = last_credential_file()  # so an error in a call can still name the file
    for index, call in enumerate(calls):
        thread = threading.Thread(
            target=_into,
            args=(call, boxes[index], source),
            name=f"vibeusage-{name}-{index}",
            daemon=True,
        )
        thread.start()
        threads.append(thread)
    end = time.monotonic() + timeout
    for thread in threads:
        thread.join(max(0.0, end - time.monotonic()))
    return [box[0] if box else (False, TimeoutError()) for box in boxes]


def _into(call: Callable[[], Any], box: List[Outcome], source: Optional[Path]) -> None:
    if source is not None:
        from ..provenance import note_credential_file

        note_credential_file(source)
    try:
        box.append((True, call()))
    except Exception as exc:  # handed back to the caller, which decides what it means
        box.append((False, exc))
