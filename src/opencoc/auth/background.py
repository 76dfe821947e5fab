"""Twice a second: announce recent revocations to this process's caches (see auth/revocations.py)."""

import asyncio
import logging

from fastapi import FastAPI

from opencoc.auth import revocations
from opencoc.core.clock import now_ms

log = logging.getLogger("opencoc.auth")


async def run(app: FastAPI) -> None:
    db, wakeups = app.state.db, app.state.wakeups
    while True:
        await asyncio.sleep(revocations.POLL_INTERVAL_S)
        since = now_ms() - revocations.RECENT_MS
        try:
            for key in await db.run_read(lambda s, since=since: revocations.recent(s, since=since)):
                wakeups.deliver(key)
        except Exception:
            log.exception("could not read recent revocations; retrying")
