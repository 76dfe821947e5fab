"""Runs the jobs sweep (`sweep.py`) once a second for the server's lifetime."""

import asyncio
import logging

from fastapi import FastAPI

from opencoc.core.clock import now_ms
from opencoc.jobs import sweep
from opencoc.jobs.wake import agent_key, wake_agents

log = logging.getLogger("opencoc.jobs")

SWEEP_INTERVAL_S = 1.0


async def sweep_once(app: FastAPI) -> None:
    """One pass: wake agents with due work, advance stalled orders, fail lost instances."""
    db, wakeups = app.state.db, app.state.wakeups
    grace = app.state.jobs_offline_grace.at(now_ms())
    for agent_sn in await db.run_read(lambda s: sweep.agents_with_work(s, now_ms())):
        wakeups.deliver(agent_key(agent_sn))  # every replica sweeps: wake only our own long-polls
    woken: set[str] = set()
    for order_id in await db.run_read(sweep.stalled_orders):
        woken |= await db.run_write(lambda s, o=order_id: sweep.advance_order(s, o, now_ms(), grace))
    for order_id, inst_id, reason in await db.run_read(lambda s: sweep.lost_instances(s, now_ms(), grace)):
        woken |= await db.run_write(
            lambda s, o=order_id, i=inst_id, r=reason: sweep.fail_instance(s, o, i, r, now_ms(), grace)
        )
    wake_agents(wakeups, woken)


async def run(app: FastAPI) -> None:
    try:
        await app.state.db.run_read(app.state.jobs_offline_grace.load)
    except Exception:  # the plain grace applies from the start
        log.exception("could not read when agents were last seen")
    while True:
        await asyncio.sleep(SWEEP_INTERVAL_S)
        try:
            await sweep_once(app)
        except Exception:
            log.exception("jobs sweep failed; retrying in %.0f s", SWEEP_INTERVAL_S)
