"""Batching for the webhooks: many requests' alarms in one write, then every 200.

A webhook request puts its reports on the queue and awaits their futures. A worker takes
whatever is queued (up to MAX_BATCH), stores it as one write (`db.run_write`) and then resolves
the futures, so a 200 always follows a commit, and one commit acknowledges many alarms. While a
batch commits the next one gathers. On SQLite there is one worker, and its write joins the
process's group commit (core/group_commit.py: one writer thread, each write in its own
savepoint); on PostgreSQL two workers (one commits while the other works), kept correct by the
unique key and row locks. If a batch fails, its items are written again one by one, so one bad
item cannot fail the others.
"""

import asyncio
import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field

from opencoc.alarms import ingest
from opencoc.alarms.integrations import KeyCache
from opencoc.alarms.schemas import AlarmReport
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError

log = logging.getLogger("opencoc.alarms")

MAX_BATCH = 2000
PG_WORKERS = 2


def unavailable() -> OpenCOCError:
    return OpenCOCError("COC.00000503", "alarm ingest is shutting down, retry", status=503)


@dataclass(slots=True)
class Pending:
    item: ingest.Item
    future: "asyncio.Future[None]" = field(repr=False)


class AlarmWriter:
    """The queue of reports waiting for their transaction, and the workers that commit them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.queue: asyncio.Queue[Pending] = asyncio.Queue()
        self.workers = 1 if db.is_sqlite else PG_WORKERS
        self.running = False
        self.keys = KeyCache()

    async def submit(self, integration_id: int, reports: Iterable[AlarmReport]) -> None:
        """Return once every report is committed; raise the first report's error otherwise."""
        if not self.running:
            raise unavailable()
        loop = asyncio.get_running_loop()
        futures = []
        for report in reports:
            future: asyncio.Future[None] = loop.create_future()
            self.queue.put_nowait(Pending(ingest.Item(integration_id, report), future))
            futures.append(future)
        if len(futures) == 1:
            await futures[0]
        elif futures:
            await asyncio.gather(*futures)

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
                pending = self.queue.get_nowait()
                if not pending.future.done():
                    pending.future.set_exception(unavailable())

    async def _work(self) -> None:
        while True:
            batch = [await self.queue.get()]
            while len(batch) < MAX_BATCH and not self.queue.empty():
                batch.append(self.queue.get_nowait())
            await self._commit(batch)

    async def _commit(self, batch: list[Pending]) -> None:
        items = [pending.item for pending in batch]
        started = time.monotonic()
        results: list[Exception | None]
        try:
            results = list(await self._write(items))
        except asyncio.CancelledError:
            for pending in batch:
                if not pending.future.done():
                    pending.future.set_exception(unavailable())
            raise
        except Exception:
            log.warning("alarm batch of %d failed; retrying its items one by one", len(batch), exc_info=True)
            results = [await self._one(pending.item) for pending in batch]
        log.debug("alarm batch of %d committed in %.1f ms", len(batch), (time.monotonic() - started) * 1000)
        for pending, error in zip(batch, results, strict=True):
            if pending.future.done():
                continue
            if error is None:
                pending.future.set_result(None)
            else:
                pending.future.set_exception(error)

    async def _write(self, items: list[ingest.Item]) -> list[OpenCOCError | None]:
        """One transaction for `items`."""
        return await self.db.run_write(lambda session: ingest.ingest_batch(session, items))

    async def _one(self, item: ingest.Item) -> Exception | None:
        try:
            return (await self._write([item]))[0]
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.exception("alarm of integration %d could not be stored", item.integration_id)
            return exc
