"""Shared deadlines: a wait ends at its deadline, never before; a discarded or finished wait is left alone."""

import asyncio

from opencoc.core.deadlines import TICK_S, Deadlines


def test_waits_end_at_their_deadline_not_before() -> None:
    async def scenario() -> list[float]:
        loop = asyncio.get_running_loop()
        deadlines = Deadlines()
        started = loop.time()
        waiters = [loop.create_future() for _ in range(20)]
        for i, waiter in enumerate(waiters):
            deadlines.add(waiter, 0.1 + i * 0.01)
        ended = []
        for waiter in waiters:
            assert await waiter is False
            ended.append(loop.time() - started)
        return ended

    ended = asyncio.run(scenario())
    for i, elapsed in enumerate(ended):
        deadline = 0.1 + i * 0.01
        assert elapsed >= deadline, (i, elapsed)  # each one ended (by its tick's timer), none early


def test_a_discarded_or_finished_wait_is_not_touched() -> None:
    async def scenario() -> tuple[str, bool]:
        loop = asyncio.get_running_loop()
        deadlines = Deadlines()
        done, dropped = loop.create_future(), loop.create_future()
        deadlines.add(done, 0.01)
        done.set_result("woken")  # woken before its deadline
        tick = deadlines.add(dropped, 0.01)
        deadlines.discard(tick, dropped)
        await asyncio.sleep(0.01 + 2 * TICK_S)
        return done.result(), dropped.done()

    assert asyncio.run(scenario()) == ("woken", False)
