"""The agent's default executor leaves no idle thread behind (each makes a cgroup move dearer)."""

import asyncio
import threading
import time

import pytest

from opencoc.agent.thread_per_call import ThreadPerCall


def _fail() -> None:
    raise LookupError("from the thread")


def _call_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "opencoc-agent-call"]


async def _calls() -> tuple[str, int]:
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPerCall())
    name = await asyncio.to_thread(lambda: threading.current_thread().name)
    with pytest.raises(LookupError, match="from the thread"):
        await asyncio.to_thread(_fail)
    values = await asyncio.gather(*(loop.run_in_executor(None, pow, i, 2) for i in range(20)))
    assert values == [i * i for i in range(20)]
    deadline = time.monotonic() + 5
    while _call_threads() and time.monotonic() < deadline:
        await asyncio.sleep(0.01)
    return name, len(_call_threads())


def test_calls_run_on_threads_of_their_own_that_end_with_them() -> None:
    name, left = asyncio.run(_calls())
    assert name == "opencoc-agent-call"
    assert left == 0


def test_shutdown_waits_for_the_calls_still_running() -> None:
    executor = ThreadPerCall()
    future = executor.submit(time.sleep, 0.2)
    executor.shutdown(wait=True)
    assert future.done()
