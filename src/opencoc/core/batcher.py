"""Calls that arrive together share one run: `await batcher.submit(item)` -> this item's outcome.

The first call starts a run at once (no added wait); calls that arrive while it runs are
queued and handled together by the next run, up to `max_items` at a time. With `runs_at_once`
above 1, a call that finds fewer runs under way starts one beside them. `run(items)` returns
one outcome per item, in order: a value, or an exception that only that item's caller gets.
If the run itself raises, every caller of that run gets its exception.
"""

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Out = TypeVar("Out")


class Batcher(Generic[Item, Out]):
    def __init__(
        self,
        run: Callable[[list[Item]], Awaitable[Sequence[Out | BaseException]]],
        *,
        max_items: int = 500,
        runs_at_once: int = 1,
    ) -> None:
        self._run = run
        self.max_items = max_items
        self.runs_at_once = runs_at_once
        self._queued: list[tuple[Item, asyncio.Future[Out]]] = []
        self._drains: set[asyncio.Task[None]] = set()  # runs under way, or started and about to take their items

    async def submit(self, item: Item) -> Out:
        future: asyncio.Future[Out] = asyncio.get_running_loop().create_future()
        self._queued.append((item, future))
        if len(self._drains) < self.runs_at_once:
            self._drains.add(asyncio.ensure_future(self._drain_all()))
        return await future

    async def _drain_all(self) -> None:
        batch: list[tuple[Item, asyncio.Future[Out]]] = []
        try:
            while self._queued:
                batch, self._queued = self._queued[: self.max_items], self._queued[self.max_items :]
                try:
                    outcomes: Sequence[Out | BaseException] = await self._run([item for item, _ in batch])
                except Exception as exc:
                    outcomes = [exc] * len(batch)
                for (_, future), outcome in zip(batch, outcomes, strict=True):
                    if future.done():  # its caller went away; the run still happened
                        continue
                    if isinstance(outcome, BaseException):
                        future.set_exception(outcome)
                    else:
                        future.set_result(outcome)
                batch = []
        finally:  # cancelled (the server is stopping): nobody waits forever
            self._drains.discard(asyncio.current_task())
            for _, future in batch + self._queued:
                future.cancel()
            self._queued = []
