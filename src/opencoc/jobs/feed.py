"""The agent's task feed: a long-poll that hands out due tasks and cancels as soon as there are any.

The poll registers its wake-up before it looks at the database, so a task committed in between
still wakes it; work committed by another replica arrives through the PostgreSQL relay, and the
jobs sweep (`background.py`) re-announces due work every second as a safety net. An idle agent
therefore costs one indexed read per poll, not one per second.
"""

import asyncio
from collections.abc import Awaitable, Callable

from opencoc.core.wakeups import Wakeups
from opencoc.jobs import tasks
from opencoc.jobs.groups import TaskGroups
from opencoc.jobs.probe import WorkProbe
from opencoc.jobs.wake import agent_key

# An agent uploads up to 1 MB of a task's output, which JSON escaping can inflate: its result
# route takes bodies up to 8 MB (the app passes this to the body-size guard).
RESULT_BODY_LIMIT = ("/opencoc/v1/agent/tasks/", 8 * 1024 * 1024)


async def _collect(groups: TaskGroups, probe: WorkProbe, agent_sn: str, woken: bool) -> tasks.Feed:
    """Claim the agent's work (with the polls woken at the same time: jobs/groups.py); a poll that was not
    woken first checks with a (shared) read that there is any."""
    if not woken and not await probe.has_work(agent_sn):
        return tasks.Feed()
    return await groups.claim(agent_sn)


async def next_feed(
    groups: TaskGroups,
    probe: WorkProbe,
    wakeups: Wakeups,
    *,
    agent_sn: str,
    wait: float,
    gone: Callable[[], Awaitable[bool]],
) -> tasks.Feed:
    """The agent's due tasks and cancels once there are any; an empty feed after `wait` s, once the agent is
    `gone()`, or once the server is stopping (`wakeups.closed`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    woken = False
    while True:
        remaining = deadline - loop.time()
        waiter = asyncio.ensure_future(wakeups.wait(agent_key(agent_sn), max(remaining, 0.0)))
        await asyncio.sleep(0)  # the waiter registers before we look, so no wake-up falls in between
        try:
            if await gone() or wakeups.closed:  # never hand a task to a poll nobody reads any more
                return tasks.Feed()
            feed = await _collect(groups, probe, agent_sn, woken)
            if feed or remaining <= 0:
                return feed
            woken = await waiter
        finally:
            waiter.cancel()
