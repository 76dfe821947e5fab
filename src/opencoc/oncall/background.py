"""Sends incidents' notices and escalates them for the server's lifetime (every replica; the database decides)."""

from fastapi import FastAPI

from opencoc.core import tasks
from opencoc.notifications import service as notifications
from opencoc.oncall import escalation, flows
from opencoc.oncall.service import WAKEUP_KEY

IDLE_WAIT_S = 1.0  # due escalations are picked up within this; new incidents wake the loop at once


async def run_once(app: FastAPI) -> int:
    """Step every due row this replica could claim once -> how many were stepped."""
    db, url = app.state.db, app.state.settings.endpoint
    if not await db.run_read(escalation.any_due):
        return 0
    stepped, notified = await db.run_write(lambda s: flows.run_due(s, console_url=url))
    if notified:
        notifications.wake_sender(app.state.wakeups)
    return int(stepped)


async def run(app: FastAPI) -> None:
    await tasks.drain_forever("on-call escalation", lambda: run_once(app), app.state.wakeups, WAKEUP_KEY, IDLE_WAIT_S)
