"""LazyEvent behaves as asyncio.Event where uvicorn uses it: set wakes every waiter, a cancelled wait is forgotten."""

import asyncio

from opencoc.core.lazy_event import LazyEvent


def test_a_set_event_is_waited_for_at_once_and_a_cleared_one_blocks() -> None:
    async def scenario() -> tuple[bool, bool, bool]:
        event = LazyEvent(flag=True)
        at_once = await asyncio.wait_for(event.wait(), 1)
        event.clear()
        blocked = asyncio.create_task(event.wait())
        await asyncio.sleep(0.01)
        still_waiting = not blocked.done()
        blocked.cancel()
        return at_once, still_waiting, event.is_set()

    assert asyncio.run(scenario()) == (True, True, False)


def test_set_wakes_every_waiter_and_stays_set() -> None:
    async def scenario() -> tuple[list[bool], bool]:
        event = LazyEvent()
        waiters = [asyncio.create_task(event.wait()) for _ in range(3)]
        await asyncio.sleep(0)  # each task now waits
        event.set()
        event.set()  # a second set changes nothing
        woken = await asyncio.wait_for(asyncio.gather(*waiters), 1)
        return woken, event.is_set()

    assert asyncio.run(scenario()) == ([True, True, True], True)


def test_a_cancelled_waiter_is_forgotten_and_the_others_still_woken() -> None:
    async def scenario() -> tuple[bool, bool]:
        event = LazyEvent()
        gone = asyncio.create_task(event.wait())
        kept = asyncio.create_task(event.wait())
        await asyncio.sleep(0)
        gone.cancel()
        await asyncio.sleep(0)
        forgotten = event._waiters is not None and len(event._waiters) == 1
        event.set()
        return forgotten, await asyncio.wait_for(kept, 1)

    assert asyncio.run(scenario()) == (True, True)
