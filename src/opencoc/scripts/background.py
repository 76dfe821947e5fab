"""Sends queued reviewer notifications for the server's lifetime, retrying failures with back-off."""

import asyncio
import logging

from fastapi import FastAPI

from opencoc.scripts import notify

log = logging.getLogger("opencoc.scripts.notify")
IDLE_WAIT_S = 2.0  # due retries are picked up within this; new notices wake the loop at once


async def _send(job: notify.Job) -> str | None:
    """None when delivered, else the reason it failed."""
    if job.url is None:
        return "the notification channel was removed"
    try:
        await asyncio.to_thread(notify.deliver, job.url, job.title, job.body)
    except notify.DeliveryError as exc:
        return str(exc)
    except Exception as exc:  # an Apprise plugin may raise anything; the row is retried
        return f"{type(exc).__name__}: {exc}"
    return None


async def run_once(app: FastAPI) -> int:
    """Send every due notification once; returns how many were tried."""
    db, cipher = app.state.db, app.state.cipher
    if not await db.run_read(notify.any_due):
        return 0
    jobs = await db.run_write(lambda s: notify.claim_due(s, cipher))
    for job in jobs:
        error = await _send(job)
        if error is None:
            await db.run_write(lambda s, j=job: notify.mark_sent(s, j.id))
        else:
            await db.run_write(lambda s, j=job, e=error: notify.mark_failed(s, j.id, e))
    return len(jobs)


async def run(app: FastAPI) -> None:
    while True:
        try:
            await run_once(app)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("notification sender failed; retrying")
        await app.state.wakeups.wait(notify.WAKEUP_KEY, IDLE_WAIT_S)
