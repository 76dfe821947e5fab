"""Deadlines shared by many waits: one event-loop timer per 50 ms of deadlines, not one per wait.

Ten thousand idle agents each hold a long-poll waiting up to 30 s; a loop timer per wait (its
handle and uvloop's timer) costs ~0.5 KB. Here the waits whose deadlines fall in the same 50-ms
tick share that tick's timer: a wait ends at its deadline or up to 50 ms after, never before.
"""

import asyncio
import math

TICK_S = 0.05


class Deadlines:
    """Futures resolved with False at their deadline (unless already done)."""

    __slots__ = ("_due",)

    def __init__(self) -> None:
        self._due: dict[int, set[asyncio.Future[bool]]] = {}

    def add(self, waiter: "asyncio.Future[bool]", timeout: float) -> int:
        """Resolve `waiter` with False `timeout` seconds from now; returns the tick to `discard` it from."""
        loop = waiter.get_loop()
        tick = math.ceil((loop.time() + max(timeout, 0.0)) / TICK_S)
        due = self._due.get(tick)
        if due is None:
            self._due[tick] = due = set()
            loop.call_at(tick * TICK_S, self._expire, tick)
        due.add(waiter)
        return tick

    def discard(self, tick: int, waiter: "asyncio.Future[bool]") -> None:
        """Forget `waiter` (its wait ended first)."""
        due = self._due.get(tick)
        if due is not None:
            due.discard(waiter)

    def _expire(self, tick: int) -> None:
        for waiter in self._due.pop(tick, ()):
            if not waiter.done():
                waiter.set_result(False)
