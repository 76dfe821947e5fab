"""Batching for enrolment: many hosts' enrolments in one write, each answered after its commit.

A fleet enrols in bursts (thousands of hosts installed at once, or re-imaged). One write per
enrolment cost an ORM flush of two rows and a token look-up each; here a worker takes whatever is
queued (up to MAX_BATCH), looks the tokens up once and inserts the agents and their host resources
with one statement each. While a batch commits the next one gathers. On SQLite there is one
worker (its write joins the group commit); on PostgreSQL two. If a batch fails, its items are
written again one by one, so one bad item cannot fail the others.
"""

import asyncio
import logging
from dataclasses import dataclass, field

from opencoc.agents import flows
from opencoc.agents.registry import AgentRegistry
from opencoc.agents.schemas import AgentFacts
from opencoc.agents.service import Enrolled, NewAgent
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError

log = logging.getLogger("opencoc.agents")

MAX_BATCH = 500
PG_WORKERS = 2


def unavailable() -> OpenCOCError:
    return OpenCOCError("OPENCOC.AGENT.UNAVAILABLE", "enrolment is shutting down, retry", status=503)


@dataclass(slots=True)
class _Pending:
    token: str
    facts: AgentFacts
    future: "asyncio.Future[Enrolled]" = field(repr=False)


class Enroller:
    """The queue of enrolments waiting for their transaction, and the workers that commit them."""

    def __init__(self, db: Database, registry: AgentRegistry) -> None:
        self.db = db
        self.registry = registry
        self.queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self.workers = 1 if db.is_sqlite else PG_WORKERS
        self.running = False

    async def submit(self, token: str, facts: AgentFacts) -> Enrolled:
        """The new agent once it is committed; OpenCOCError (401) for an invalid token."""
        if not self.running:
            raise unavailable()
        future: asyncio.Future[Enrolled] = asyncio.get_running_loop().create_future()
        self.queue.put_nowait(_Pending(token, facts, future))
        return await future

    async def run(self) -> None:
        """Commit batches until cancelled; then fail whatever is still queued with a 503."""
        self.running = True
        tasks = [asyncio.create_task(self._work()) for _ in range(self.workers)]
        try:
            await asyncio.gather(*tasks)
        finally:
            self.running = False
            for task in tasks:
                task.cancel()
            while not self.queue.empty():
                _fail(self.queue.get_nowait().future, unavailable())

    async def _work(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            try:
                await self._commit(batch)
            except asyncio.CancelledError:
                for pending in batch:
                    _fail(pending.future, unavailable())
                raise

    async def _commit(self, batch: list[_Pending]) -> None:
        outcomes: list[NewAgent | Exception]
        forgotten = self.registry.forgotten
        try:
            outcomes = list(await self._write(batch))
        except Exception:
            log.warning("enrolment batch of %d failed; retrying its items one by one", len(batch), exc_info=True)
            outcomes = [await self._one(pending) for pending in batch]
        # A fleet's first calls come right after its enrolment: they find their agents held, no read each.
        self.registry.put_all([outcome.known for outcome in outcomes if isinstance(outcome, NewAgent)], forgotten)
        for pending, outcome in zip(batch, outcomes, strict=True):
            if pending.future.done():
                continue
            if isinstance(outcome, NewAgent):
                pending.future.set_result(outcome.enrolled)
            else:
                pending.future.set_exception(outcome)

    async def _write(self, batch: list[_Pending]) -> list[NewAgent | OpenCOCError]:
        requests = [(pending.token, pending.facts) for pending in batch]
        # A batch's agents and resources are many rows: the small writes queued with it go first.
        return await self.db.run_write(lambda s: flows.enroll_many(s, requests, now=now_ms()), bulk=True)

    async def _one(self, pending: _Pending) -> NewAgent | Exception:
        try:
            return (await self._write([pending]))[0]
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            return exc


def _fail(future: "asyncio.Future[Enrolled]", error: Exception) -> None:
    if not future.done():
        future.set_exception(error)
