"""The agents' task traffic in groups: polls woken together claim in one write, results arriving together
are applied in one.

When a batch starts, its ten (or more) agents' polls wake at the same moment; when it runs, their
results arrive within milliseconds of each other. One write per poll or result cost a transaction
(or a savepoint of SQLite's group commit) and the order's lock and bookkeeping each time; here each
kind shares one write per group (core/batcher.py). The batches a write starts (a group's results', an
order's start, an operation's: `write`) are handed out in it to the agents whose polls wait here
(jobs/handout.py), and the other agents they give work to are woken once it has committed. A claim is
one statement, which on PostgreSQL commits by itself (`Database.run_statement`: one round trip, not
three).
"""

import asyncio
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.orm import Session

from opencoc.core.batcher import Batcher
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError
from opencoc.core.wakeups import Wakeups
from opencoc.jobs import tasks
from opencoc.jobs.handout import HandOut
from opencoc.jobs.offline_grace import OfflineGrace
from opencoc.jobs.order_specs import OrderSpecs
from opencoc.jobs.parked import ParkedPolls
from opencoc.jobs.wake import wake_agents

T = TypeVar("T")
# Results groups written at once on PostgreSQL. Each write locks its orders' rows in order id order (jobs/tasks.py
# _FIND_AND_LOCK), so an order's results still apply one group after another and two groups cannot deadlock;
# 50 orders of 200 hosts at once (bench/orders.py) finished in 32-35 s against 40-45 s one write at a time.
# SQLite has one writer, whose group commit already joins what is queued.
PG_RESULT_WRITES = 2


class TaskGroups:
    def __init__(self, db: Database, wakeups: Wakeups, cipher: Cipher, *, grace: OfflineGrace) -> None:
        self.db = db
        self.wakeups = wakeups
        self.cipher = cipher
        self.grace = grace  # a batch's offline agents fail at its start
        self.specs = OrderSpecs()
        self.parked = ParkedPolls()  # the polls waiting here, which a write that starts a batch may hand tasks to
        self._claims: Batcher[str, tasks.Feed] = Batcher(self._claim)
        self._results: Batcher[tasks.Reported, bool] = Batcher(
            self._report, runs_at_once=1 if db.is_sqlite else PG_RESULT_WRITES
        )

    async def claim(self, agent_sn: str) -> tasks.Feed:
        """Hand out the agent's due tasks and cancels (an empty feed when there are none)."""
        return await self._claims.submit(agent_sn)

    async def report(self, reported: tasks.Reported) -> bool:
        """Apply a result once: True if it was applied, False for a repeat; a 404 OpenCOCError for an unknown task."""
        return await self._results.submit(reported)

    async def _claim(self, agent_sns: list[str]) -> list[tasks.Feed]:
        unique = sorted(set(agent_sns))

        def claim(s: Session) -> tuple[dict[str, tasks.Feed], list[tasks.Reported]]:
            return tasks.claim(s, agent_sns=unique, specs=self.specs, cipher=self.cipher, now=now_ms())

        feeds, unbuilt = await self.db.run_statement(claim)
        if unbuilt:  # after the hand-out committed: whatever becomes of these, the feeds go out
            await asyncio.gather(*(self._results.submit(r) for r in unbuilt), return_exceptions=True)
        # An agent polls once at a time, but a poll left behind by a restarted agent may be in the same
        # group as its new one: the work goes to the first, as it would have with a claim each.
        given: set[str] = set()
        out: list[tasks.Feed] = []
        for sn in agent_sns:
            out.append(feeds.get(sn, tasks.Feed()) if sn not in given else tasks.Feed())
            given.add(sn)
        return out

    async def write(self, fn: Callable[[Session, HandOut], T], *, bulk: bool = False) -> T:
        """Run `fn(session, hand)` as `Database.run_write` does; the batches it starts are handed out by `hand` to
        the polls waiting here (jobs/handout.py), which get their tasks once it has committed."""
        hand = HandOut(self.parked, self.cipher)
        try:
            out = await self.db.run_write(lambda s: fn(s, hand), bulk=bulk)
        except BaseException:
            hand.release()
            raise
        hand.deliver()
        return out

    async def _report(self, reports: list[tasks.Reported]) -> list[bool | OpenCOCError]:
        def report(s: Session, hand: HandOut) -> tuple[list[bool | OpenCOCError], set[str]]:
            now = now_ms()
            return tasks.report(s, reports, now=now, offline_after_s=self.grace.at(now), hand=hand)

        outcomes, woken = await self.write(report)
        wake_agents(self.wakeups, woken)
        return outcomes
