"""Ends the incidents' pauses at their `pause_end_time` for the server's lifetime (every replica; the
database decides who resumes which, pauses.py)."""

from fastapi import FastAPI

from opencoc.core import tasks
from opencoc.incidents import pauses

IDLE_WAIT_S = 1.0  # a pause is resumed within this after its end; an agreed pause wakes the loop at once


async def run_once(app: FastAPI) -> int:
    """Resume every ended pause this replica could claim -> how many."""
    db = app.state.db
    if not await db.run_read(pauses.any_due):
        return 0
    return int(await db.run_write(lambda s: pauses.resume_due(s)))


async def run(app: FastAPI) -> None:
    await tasks.drain_forever(
        "incident pauses", lambda: run_once(app), app.state.wakeups, pauses.WAKEUP_KEY, IDLE_WAIT_S
    )
