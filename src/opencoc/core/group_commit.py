"""Group commit for SQLite: the process's one writer thread runs queued writes in shared transactions.

SQLite has one writer at a time, so the writes of a process queue anyway; this thread takes
everything queued (up to MAX_BATCH) and runs it in one transaction, each write in its own
SAVEPOINT: a write that raises undoes only its own changes and gets its own exception, the
others commit together. Every caller is answered after the commit, so what a caller sees as done
is committed, and one commit serves many requests.

A bulk write (`run(fn, bulk=True)`: e.g. an order's start, hundreds of rows, 10-35 ms) waits in
its own queue and runs after a group's small writes, one per group, in a transaction of its own:
an incident create queued behind eight order starts would otherwise wait for all eight (~270 ms
under 50 orders, bench/orders.py), and one sharing a transaction with an order's start would wait
for its commit too. Each bulk write puts one marker in the main queue, so the thread wakes for it,
and a marker not served in a group goes back to the queue's end, behind what came since.

Every writer of one SQLite file takes turns with a file lock (`write_lock`) held from before BEGIN
to after COMMIT: this thread in each server process (`serve --workers N`), and code without it,
which writes through `Database.write()` (the admin CLI) or holds `Database.write_lock()`
(migrations). The kernel hands the lock to the next writer at once, where SQLite's busy handler
would sleep and retry.
"""

import asyncio
import fcntl
import logging
import os
import queue
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

MAX_BATCH = 64

log = logging.getLogger("opencoc.db")


@contextmanager
def write_lock(lock_path: str) -> Iterator[None]:
    """Hold the writers' file lock of one SQLite database for the block (waiting for its turn)."""
    fd = os.open(lock_path, os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


@dataclass(slots=True)
class _Write:
    fn: Callable[[Session], Any]
    loop: asyncio.AbstractEventLoop
    future: "asyncio.Future[Any]"


_BULK = object()  # in the main queue: a bulk write waits in its own queue


def _settle(future: "asyncio.Future[Any]", error: BaseException | None, value: Any) -> None:
    if future.cancelled():
        return
    if error is None:
        future.set_result(value)
    else:
        future.set_exception(error)


T = TypeVar("T")


class GroupCommitter:
    """Runs `fn(session)` jobs on one thread, many to a transaction; see the module docstring."""

    def __init__(self, transaction: Callable[[], AbstractContextManager[Session]], lock_path: str) -> None:
        self._transaction = transaction
        self._lock_path = lock_path
        self._queue: queue.SimpleQueue[_Write | object | None] = queue.SimpleQueue()  # writes, _BULK markers, stop
        self._bulk: deque[_Write] = deque()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    async def run(self, fn: Callable[[Session], T], *, bulk: bool = False) -> T:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[T] = loop.create_future()
        self._ensure_thread()
        if bulk:
            self._bulk.append(_Write(fn, loop, future))
            self._queue.put(_BULK)
        else:
            self._queue.put(_Write(fn, loop, future))
        return await future

    def stop(self) -> None:
        if self._thread is not None:
            self._queue.put(None)

    def _ensure_thread(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._loop, name="db-group-commit", daemon=True)
                    self._thread.start()

    def _loop(self) -> None:
        lock_fd = os.open(self._lock_path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            for batch in self._batches():
                try:
                    fcntl.flock(lock_fd, fcntl.LOCK_EX)
                    try:
                        outcomes = self._commit(batch)
                    finally:
                        fcntl.flock(lock_fd, fcntl.LOCK_UN)
                except BaseException as exc:  # never let the writer thread die: every later write would hang
                    log.exception("a batch of %d writes failed outside its transaction", len(batch))
                    outcomes = [(exc, None)] * len(batch)
                self._answer(batch, outcomes)
        finally:
            os.close(lock_fd)

    @staticmethod
    def _answer(batch: list[_Write], outcomes: list[tuple[BaseException | None, Any]]) -> None:
        for write, (error, value) in zip(batch, outcomes, strict=True):
            try:
                write.loop.call_soon_threadsafe(_settle, write.future, error, value)
            except RuntimeError:  # the caller's event loop is closed: nobody is waiting
                pass

    def _batches(self) -> Iterator[list[_Write]]:
        """Transactions: the small writes queued (up to MAX_BATCH), then at most one bulk write alone."""
        while True:
            first = self._queue.get()
            if first is None:
                return
            taken, markers, stopping = [first], 0, False
            while len(taken) < MAX_BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                taken.append(more)
            batch: list[_Write] = []
            for item in taken:
                if isinstance(item, _Write):
                    batch.append(item)
                else:
                    markers += 1
            for _ in range(markers - 1):  # bulk writes for later groups, behind what is queued now
                self._queue.put(_BULK)
            bulk = self._bulk.popleft() if markers else None
            if stopping:  # after the bulk writes queued before the stop
                self._queue.put(None)
            if batch:
                yield batch
            if bulk is not None:
                yield [bulk]

    def _commit(self, batch: list[_Write]) -> list[tuple[BaseException | None, Any]]:
        """(error, value) per write; a failed commit fails every write that had succeeded."""
        outcomes: list[tuple[BaseException | None, Any]] = []
        try:
            with self._transaction() as session:
                if len(batch) == 1:
                    outcomes.append((None, batch[0].fn(session)))
                else:
                    for write in batch:
                        outcomes.append(self._in_savepoint(session, write))
        except Exception as exc:  # BEGIN or COMMIT failed, or the single write raised
            own_errors = [error for error, _ in outcomes] + [None] * (len(batch) - len(outcomes))
            return [(error or exc, None) for error in own_errors]
        return outcomes

    @staticmethod
    def _in_savepoint(session: Session, write: _Write) -> tuple[BaseException | None, Any]:
        try:
            with session.begin_nested():
                return None, write.fn(session)
        except Exception as exc:
            return exc, None
