"""Server side of the agent's work protocol: the task long-poll and the result report.

The long-poll registers its wake-up before it looks at the database, so a task committed in
between still wakes it; work committed by another replica arrives through the PostgreSQL relay,
and the jobs sweep (`background.py`) re-announces due work every second as a safety net.
An idle agent therefore costs one indexed read per poll, not one per second.
"""

import asyncio
from typing import Any

from fastapi import APIRouter, Query, Request

from opencoc.agents.deps import CurrentAgent
from opencoc.core.clock import now_ms
from opencoc.jobs import tasks
from opencoc.jobs.schemas import TaskResult
from opencoc.jobs.wake import agent_key

router = APIRouter(prefix="/opencoc/agent/v1", tags=["agent"])

# An agent uploads up to 1 MB of a task's output, which JSON escaping can inflate: its result
# route takes bodies up to 8 MB (the app passes this to the body-size guard).
RESULT_BODY_LIMIT = ("/opencoc/agent/v1/tasks/", 8 * 1024 * 1024)


async def _collect(request: Request, agent_sn: str, woken: bool) -> tasks.Feed:
    """Claim the agent's work; a poll that was not woken first checks with a read that there is any."""
    db, cipher = request.app.state.db, request.app.state.cipher
    grace = request.app.state.settings.agent_offline_after_seconds
    if not woken and not await db.run_read(lambda s: tasks.has_work(s, agent_sn=agent_sn, now=now_ms())):
        return tasks.Feed()
    return await db.run_write(lambda s: tasks.claim(s, agent_sn=agent_sn, cipher=cipher, now=now_ms(), grace=grace))


@router.get("/tasks")
async def poll_tasks(request: Request, agent: CurrentAgent, wait: float = Query(25.0, ge=0, le=60)) -> dict[str, Any]:
    """Due tasks and cancels of this agent, as soon as there are any, or empty lists after `wait` s."""
    wakeups = request.app.state.wakeups
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    woken = False
    while True:
        remaining = deadline - loop.time()
        waiter = asyncio.ensure_future(wakeups.wait(agent_key(agent.agent_sn), max(remaining, 0.0)))
        await asyncio.sleep(0)  # the waiter registers before we look, so no wake-up falls in between
        try:
            if await request.is_disconnected():  # never hand a task to a poll nobody reads any more
                return {"tasks": [], "cancel": []}
            feed = await _collect(request, agent.agent_sn, woken)
            if feed or remaining <= 0:
                return {"tasks": feed.tasks, "cancel": feed.cancel}
            woken = await waiter
        finally:
            waiter.cancel()


@router.post("/tasks/{task_id}/result")
async def post_result(task_id: str, body: TaskResult, request: Request, agent: CurrentAgent) -> dict[str, bool]:
    """Apply a task's result once; a repeat answers `accepted: false`."""
    app = request.app
    offline_after = app.state.settings.agent_offline_after_seconds
    accepted, woken = await app.state.db.run_write(
        lambda s: tasks.report(
            s, agent_sn=agent.agent_sn, task_id=task_id, result=body, now=now_ms(), offline_after_s=offline_after
        )
    )
    for agent_sn in woken:
        app.state.wakeups.notify(agent_key(agent_sn))
    return {"accepted": accepted}
