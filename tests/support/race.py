"""Callers released at the same instant, for the tests that check one winner under a race."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import TypeVar

T = TypeVar("T")


def race(callers: int, call: Callable[[int, Callable[[], object]], T]) -> list[T]:
    """Run `call(i, go)` for i in range(callers), each on its own thread -> their results in order of i.

    Each call does its set-up (e.g. opens its HTTP client), then calls `go()` just before its request:
    `go` returns only when every caller has reached it, so the requests leave together.
    """
    barrier = Barrier(callers)
    with ThreadPoolExecutor(callers) as pool:
        return list(pool.map(lambda i: call(i, barrier.wait), range(callers)))
