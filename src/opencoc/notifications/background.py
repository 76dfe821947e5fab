"""Sends the outbox for the server's lifetime: due rows are claimed, sent through Apprise, marked.

Each send runs on a thread with a timeout (Apprise blocks); a failure is retried with back-off
up to OPENCOC_NOTIFY_MAX_ATTEMPTS, then the row is FAILED with its last (redacted) error. Rows
left pending by a stopped server are sent by the next one to start (any replica).
"""

import asyncio

from fastapi import FastAPI

from opencoc.core import tasks
from opencoc.notifications import outbox, urls
from opencoc.notifications.allowlist import Policy
from opencoc.notifications.deps import STATE_KEY
from opencoc.notifications.service import WAKEUP_KEY

IDLE_WAIT_S = 2.0  # due retries are picked up within this; new notices wake the loop at once


async def _send(job: outbox.Job, policy: Policy, timeout: float) -> str | None:
    """None when delivered, else the reason it failed (secrets masked)."""
    assert job.url is not None
    try:
        await asyncio.wait_for(asyncio.to_thread(urls.deliver, job.url, job.title, job.body, policy), timeout)
    except urls.DeliveryError as exc:
        return str(exc)
    except TimeoutError:
        return f"no answer within {timeout:g} s"
    except Exception as exc:  # an Apprise plugin may raise anything; the row is retried
        return urls.redact(f"{type(exc).__name__}: {exc}", job.url)
    return None


async def _finish(app: FastAPI, job: outbox.Job, policy: Policy) -> None:
    settings, db = app.state.settings, app.state.db
    if job.unsendable is not None:
        await db.run_write(lambda s: outbox.mark_failed(s, job, job.unsendable or "", 1, final=True))
        return
    error = await _send(job, policy, settings.notify_send_timeout_seconds)
    if error is None:
        await db.run_write(lambda s: outbox.mark_sent(s, job))
    else:
        await db.run_write(lambda s: outbox.mark_failed(s, job, error, settings.notify_max_attempts))


async def run_once(app: FastAPI) -> int:
    """Send every due notification once; returns how many were tried."""
    db, cipher = app.state.db, app.state.cipher
    if not await db.run_read(outbox.any_due):
        return 0
    jobs = await db.run_write(lambda s: outbox.claim_due(s, cipher))
    policy = getattr(app.state, STATE_KEY)
    await asyncio.gather(*(_finish(app, job, policy) for job in jobs))
    return len(jobs)


async def run(app: FastAPI) -> None:
    await tasks.drain_forever("notification sender", lambda: run_once(app), app.state.wakeups, WAKEUP_KEY, IDLE_WAIT_S)
