"""Once a second: write the collected last-seen times (in parts of 250); every third of the refresh interval (5 s by
default), first move the present agents' times forward (a walk over every open poll: 10,000 of them).

At start-up, first: every non-revoked agent is read into the registry in batches, so that a fleet
reconnecting after a restart authenticates without a read per agent (each such read held an
admission slot and a read thread while the whole fleet came back). An agent revoked while the
batches are read is evicted again: auth/revocations.py announces each revocation for 10 s."""

import asyncio
import logging

from fastapi import FastAPI

from opencoc.agents import service
from opencoc.agents.registry import AgentRegistry, present_refresh_ms
from opencoc.core.clock import now_ms

log = logging.getLogger("opencoc.agents")

FLUSH_INTERVAL_S = 1.0
FLUSH_PART = 250  # agents' last-seen times per write (a write queued behind one waits for 250 rows, not 10,000)
WARM_BATCH = 1000


async def warm(app: FastAPI) -> int:
    """Read every non-revoked agent into the registry; how many were read."""
    registry: AgentRegistry = app.state.agent_registry
    after, count = 0, 0
    while True:
        forgotten = registry.forgotten
        batch = await app.state.db.run_read(lambda s, a=after: service.known_agents_after(s, a, WARM_BATCH))
        registry.keep_all(batch, forgotten)
        count += len(batch)
        if len(batch) < WARM_BATCH:
            return count
        after = batch[-1].id


async def _flush(app: FastAPI, *, refresh: bool) -> None:
    registry: AgentRegistry = app.state.agent_registry
    if refresh:
        registry.refresh_present(now_ms(), present_refresh_ms(app.state.settings.agent_offline_after_seconds))
    seen = list(registry.drain().items())
    # In parts, each a bulk write: after a restart 10,000 agents are seen at once, and one write of
    # them all held a user's write queued behind it (core/group_commit.py).
    for start in range(0, len(seen), FLUSH_PART):
        part = dict(seen[start : start + FLUSH_PART])
        await app.state.db.run_write(lambda s, p=part: service.record_seen(s, p), bulk=True)


async def run(app: FastAPI) -> None:
    """Flush for the server's lifetime (and once more on shutdown)."""
    try:
        log.info("%d agents known at start-up", await warm(app))
    except Exception:  # their first requests read them one by one instead
        log.exception("could not read the known agents at start-up")
    every_ms = present_refresh_ms(app.state.settings.agent_offline_after_seconds) // 3
    refreshed = 0
    try:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            now, refresh = now_ms(), False
            if now - refreshed >= every_ms:
                refreshed, refresh = now, True
            try:
                await _flush(app, refresh=refresh)
            except Exception:
                log.exception("could not record agent last-seen times")
    finally:
        await _flush(app, refresh=True)


async def run_enroller(app: FastAPI) -> None:
    """Commit batched enrolments for the server's lifetime (agents/enroller.py)."""
    await app.state.agent_enroller.run()
