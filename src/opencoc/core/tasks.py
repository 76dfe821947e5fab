"""Server-lifetime tasks (dispatcher sweeps, writers, senders): started with the app, cancelled at shutdown.

A task that dies of an exception logs its traceback at ERROR the moment it dies, not at
shutdown: a dead sweeper or writer otherwise looks like a quiet server.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from contextlib import suppress
from typing import Any

from opencoc.core.wakeups import Wakeups

log = logging.getLogger("opencoc.tasks")


def _report(task: "asyncio.Task[None]") -> None:
    if task.cancelled():
        return
    error = task.exception()
    if error is not None:
        log.error("background task %s died", task.get_name(), exc_info=error)
    else:
        log.error("background task %s returned; it was meant to run for the server's lifetime", task.get_name())


def start(name: str, coro: Coroutine[Any, Any, None]) -> "asyncio.Task[None]":
    """Run `coro` as a task named `name` that reports its own death."""
    task = asyncio.create_task(coro, name=name)
    task.add_done_callback(_report)
    return task


async def stop(tasks: list["asyncio.Task[None]"]) -> None:
    """Cancel the tasks and wait for them to end (their errors were reported when they happened)."""
    for task in tasks:
        task.cancel()
    for task in tasks:
        with suppress(asyncio.CancelledError, Exception):
            await task


async def drain_forever(
    what: str, run_once: Callable[[], Awaitable[int]], wakeups: Wakeups, key: str, idle_s: float
) -> None:
    """Call `run_once` until it finds nothing to do, then wait for `key` (at most `idle_s`); for ever.

    An error is logged (naming `what`) and the loop goes on after the wait: one bad row or a lost
    database connection must not stop a sender or a sweeper for the server's lifetime.
    """
    while True:
        try:
            while await run_once():
                pass
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; retrying", what)
        await wakeups.wait(key, idle_s)
