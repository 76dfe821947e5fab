"""Polls waiting here are reserved by a write at most once, and a reserved poll ends only with its
write's outcome (jobs/parked.py, jobs/feed.py)."""

import asyncio
from types import SimpleNamespace
from typing import Any

from opencoc.core.wakeups import Wakeups
from opencoc.jobs.announced import Announced
from opencoc.jobs.feed import next_feed
from opencoc.jobs.parked import ParkedPolls
from opencoc.jobs.tasks import Feed

SN = "a" * 32
TASK = {"task_id": "1" * 32, "content": "echo ok"}


def test_only_an_open_poll_is_reserved_and_only_by_one_write() -> None:
    parked = ParkedPolls()
    spot = parked.park(SN, Wakeups().listening([SN]), SimpleNamespace(ended=False))
    assert parked.reserve({SN}) == {}, "a poll not yet waiting (or claiming) is not reserved"
    parked.open(spot)
    assert parked.waiting(SN)
    assert parked.reserve({SN, "b" * 32}) == {SN: spot}
    assert parked.reserve({SN}) == {}, "a second write does not get it"
    assert parked.close(spot) is False, "the poll waits for its write"
    parked.release({SN: spot})
    assert parked.close(spot) is True and spot.feed is None
    parked.unpark(SN, spot)
    assert not parked.waiting(SN)


def test_unparking_a_replaced_poll_leaves_the_agents_newer_poll() -> None:
    parked, wakeups = ParkedPolls(), Wakeups()
    old = parked.park(SN, wakeups.listening([SN]), SimpleNamespace(ended=False))
    new = parked.park(SN, wakeups.listening([SN]), SimpleNamespace(ended=False))
    parked.unpark(SN, old)
    parked.open(new)
    assert parked.reserve({SN}) == {SN: new}


def test_the_poll_of_an_agent_that_went_away_is_not_reserved() -> None:
    parked, attendance = ParkedPolls(), SimpleNamespace(ended=False)
    spot = parked.park(SN, Wakeups().listening([SN]), attendance)
    parked.open(spot)
    attendance.ended = True  # its connection was lost: the task stays due, for its next poll
    assert parked.reserve({SN}) == {}


async def _polling(parked: ParkedPolls, outcome: Any) -> tuple[Feed, bool]:
    """Reserve a waiting poll of 50 ms, let its deadline pass, then `outcome(parked, held)`: the poll's feed, and
    whether it had ended before the outcome."""
    wakeups = Wakeups()
    wakeups.bind(asyncio.get_running_loop())

    async def claim(_sn: str) -> Feed:
        raise AssertionError("a poll with nothing announced does not claim")

    groups = SimpleNamespace(parked=parked, claim=claim)
    attendance = SimpleNamespace(ended=False)
    poll = asyncio.ensure_future(
        next_feed(groups, Announced(), wakeups, agent_sn=SN, wait=0.05, attendance=attendance)  # type: ignore[arg-type]
    )
    while not parked.waiting(SN):
        await asyncio.sleep(0.001)
    held = parked.reserve({SN})
    await asyncio.sleep(0.2)
    ended_early = poll.done()
    outcome(parked, held)
    return await asyncio.wait_for(poll, 5), ended_early


def test_a_reserved_poll_past_its_deadline_waits_for_its_write_and_gets_the_feed() -> None:
    handed = Feed(tasks=[TASK])
    feed, ended_early = asyncio.run(_polling(ParkedPolls(), lambda p, held: p.deliver(held, {SN: handed})))
    assert not ended_early
    assert feed.tasks == [TASK]


def test_a_released_poll_ends_empty_at_its_deadline() -> None:
    feed, ended_early = asyncio.run(_polling(ParkedPolls(), lambda p, held: p.release(held)))
    assert not ended_early
    assert not feed
