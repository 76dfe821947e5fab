"""Once a second: move present agents' times forward and write the collected last-seen times."""

import asyncio
import logging

from fastapi import FastAPI

from opencoc.agents import service
from opencoc.agents.registry import AgentRegistry, present_refresh_ms
from opencoc.core.clock import now_ms

log = logging.getLogger("opencoc.agents")

FLUSH_INTERVAL_S = 1.0


async def _flush(app: FastAPI) -> None:
    registry: AgentRegistry = app.state.agent_registry
    registry.refresh_present(now_ms(), present_refresh_ms(app.state.settings.agent_offline_after_seconds))
    seen = registry.drain()
    if seen:
        await app.state.db.run_write(lambda s: service.record_seen(s, seen))


async def run(app: FastAPI) -> None:
    """Flush for the server's lifetime (and once more on shutdown)."""
    try:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL_S)
            try:
                await _flush(app)
            except Exception:
                log.exception("could not record agent last-seen times")
    finally:
        await _flush(app)


async def run_enroller(app: FastAPI) -> None:
    """Commit batched enrolments for the server's lifetime (agents/enroller.py)."""
    await app.state.agent_enroller.run()
