"""The kit's parallel calls: at the same time, in order, bounded, errors handed back."""

import threading
import time

from vibeusage.kit.parallel import run_parallel


def test_calls_run_at_the_same_time_and_come_back_in_order():
    barrier = threading.Barrier(3, timeout=2)

    def meet(value):
        return lambda: (barrier.wait(), value)[1]

    assert run_parallel([meet("a"), meet("b"), meet("c")], 5) == [
        (True, "a"),
        (True, "b"),
        (True, "c"),
    ]


def test_an_error_is_handed_back_and_a_hung_call_is_abandoned_at_the_timeout():
    release = threading.Event()

    def boom():
        raise ValueError("no")

    started = time.monotonic()
    outcomes = run_parallel([boom, release.wait, lambda: 1], 0.3)
    release.set()
    assert time.monotonic() - started < 2
    assert outcomes[0][0] is False and isinstance(outcomes[0][1], ValueError)
    assert outcomes[1][0] is False and isinstance(outcomes[1][1], TimeoutError)
    assert outcomes[2] == (True, 1)


def test_the_threads_are_daemons():
    seen = []
    run_parallel([lambda: seen.append(threading.current_thread().daemon)], 1)
    assert seen == [True]
