"""The agent's task feed: a long-poll that hands out due tasks and cancels as soon as there are any.

The poll listens for its wake-up before it looks, so an announcement that comes in between still
wakes it; it claims only when its agent was announced (jobs/announced.py: the announcements that
came while the agent was between two polls are kept). Work committed by another replica arrives
through the PostgreSQL relay, and the jobs sweep (`background.py`) re-announces due work every
second as a safety net. An idle agent's poll therefore reads nothing at all. While it waits, the
write that starts a batch may hand it its task directly (jobs/parked.py): no claim then.
"""

import asyncio

from opencoc.core.wakeups import Wakeups
from opencoc.jobs import tasks
from opencoc.jobs.announced import Announced
from opencoc.jobs.groups import TaskGroups
from opencoc.jobs.parked import RESERVED_WAIT_S, Attendance
from opencoc.jobs.wake import agent_key

# An agent uploads up to 1 MB of a task's output, which JSON escaping can inflate: its result
# route takes bodies up to 8 MB (the app passes this to the body-size guard).
RESULT_BODY_LIMIT = ("/opencoc/v1/agent/tasks/", 8 * 1024 * 1024)


async def next_feed(
    groups: TaskGroups,
    announced: Announced,
    wakeups: Wakeups,
    *,
    agent_sn: str,
    wait: float,
    attendance: Attendance,
) -> tasks.Feed:
    """The agent's due tasks and cancels once there are any; an empty feed after `wait` s, once the agent's
    `attendance` ended (it went away), or once the server is stopping (`wakeups.closed`)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    # Listening before the first look: an announcement that comes while we look or claim is kept for
    # the next wait, so none falls in between.
    with wakeups.listening([agent_key(agent_sn)]) as listener:
        spot = groups.parked.park(agent_sn, listener, attendance)
        try:
            while True:
                if spot.feed is not None:  # handed out by the write that made it (jobs/handout.py)
                    return spot.feed
                if not groups.parked.close(spot):  # a write holds this poll: its outcome comes next
                    await listener.wait(RESERVED_WAIT_S)
                    continue
                if attendance.ended or wakeups.closed:  # never hand a task to a poll nobody reads any more
                    return tasks.Feed()
                if announced.take(agent_sn):  # claimed with the polls woken at the same time (jobs/groups.py)
                    feed = await groups.claim(agent_sn)
                    if feed:
                        return feed
                remaining = deadline - loop.time()
                if remaining <= 0:
                    return tasks.Feed()
                groups.parked.open(spot)
                await listener.wait(remaining)
        finally:
            groups.parked.unpark(agent_sn, spot)
