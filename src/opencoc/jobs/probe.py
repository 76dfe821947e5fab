"""One read for many polls: whether agents whose long-polls just started have work.

Every poll looks at the database before it waits (a task committed while the agent was between
two polls woke nobody). At 10,000 agents that is hundreds of reads a second, each a trip through
the read thread pool; here the polls that start while one read runs share the next one
(`agent_sn IN (...)`), so an idle fleet costs a few reads a second and a poll waits for at most
one read in flight before its own. The answer is the same as a read of its own: the check is
never skipped.
"""

import asyncio

from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.jobs import tasks

MAX_AGENTS = 500  # per read: an IN list of this many stays well within every database's limits


class WorkProbe:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._asked: dict[str, list[asyncio.Future[bool]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def has_work(self, agent_sn: str) -> bool:
        """Whether a claim would hand this agent anything now (raises what the read raised)."""
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._asked.setdefault(agent_sn, []).append(future)
        if self._reader is None:
            self._reader = asyncio.ensure_future(self._read_all())
        return await future

    async def _read_all(self) -> None:
        try:
            while self._asked:
                sns = list(self._asked)[:MAX_AGENTS]
                batch = {sn: self._asked.pop(sn) for sn in sns}
                try:
                    busy = await self._read(sns)
                except Exception as exc:  # every poll of the batch gets the read's error, as its own read would
                    for futures in batch.values():
                        for future in futures:
                            if not future.done():
                                future.set_exception(exc)
                    continue
                for sn, futures in batch.items():
                    for future in futures:
                        if not future.done():
                            future.set_result(sn in busy)
        finally:
            self._reader = None

    async def _read(self, agent_sns: list[str]) -> set[str]:
        return await self.db.run_read(lambda s: tasks.agents_with_work(s, agent_sns=agent_sns, now=now_ms()))
