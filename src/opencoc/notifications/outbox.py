"""The sender's side of the outbox: claim due rows, resolve their URLs, mark them sent or failed.

Claims are safe across replicas and processes: on PostgreSQL the due rows are selected
`FOR UPDATE SKIP LOCKED`, so two senders take disjoint rows; on SQLite every write runs in the
one writer (and the file lock across processes), so select-then-update is a unit. Either way the
claim moves `next_attempt_at` a lease ahead, and the marks only count for the claim's lease: a
sender that outlived its lease changes nothing.
"""

import logging
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opencoc.auth import service as auth_service
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher
from opencoc.notifications import urls
from opencoc.notifications.models import NotificationChannel, NotificationOutbox, NotificationTarget
from opencoc.notifications.statuses import FAILED, PENDING, SENT

log = logging.getLogger("opencoc.notifications")
LEASE_MS = 120_000  # longer than any send may take (the send timeout); then anyone may retry it
BACKOFF_BASE_MS = 2_000
BACKOFF_CAP_MS = 600_000


def backoff_ms(attempts: int) -> int:
    """The wait after the `attempts`-th failure: 2 s, 4 s, 8 s ... at most 10 minutes."""
    return min(BACKOFF_BASE_MS << min(max(attempts - 1, 0), 20), BACKOFF_CAP_MS)


@dataclass(frozen=True)
class Job:
    """A claimed row: its URL (None with the reason when it cannot be sent), title and body."""

    id: int
    lease: int
    url: str | None
    title: str
    body: str
    unsendable: str | None = None


def any_due(session: Session) -> bool:
    """Whether a row is due (a read, so an idle server takes no write lock)."""
    due = select(NotificationOutbox.id).where(
        NotificationOutbox.status == PENDING, NotificationOutbox.next_attempt_at <= now_ms()
    )
    return session.scalar(due.limit(1)) is not None


def _addresses(session: Session, cipher: Cipher, tenant_id: int, user_ids: list[str]) -> list[str]:
    """The recipients' addresses: their `mailto:` targets, else their user e-mail."""
    targets = session.scalars(
        select(NotificationTarget).where(
            NotificationTarget.tenant_id == tenant_id,
            NotificationTarget.user_id.in_(user_ids),
            NotificationTarget.kind == "address",
        )
    ).all()
    own: dict[str, list[str]] = {}
    for target in targets:
        own.setdefault(target.user_id, []).append(urls.address_of(cipher.decrypt(target.url_encrypted)))
    emails = auth_service.emails(session, tenant_id, user_ids)
    found: list[str] = []
    for user_id in user_ids:
        for address in own.get(user_id) or [emails.get(user_id) or ""]:
            if address and address not in found:
                found.append(address)
    return found


def _job(session: Session, cipher: Cipher, row: NotificationOutbox, lease: int) -> Job:
    def unsendable(why: str) -> Job:
        return Job(row.id, lease, None, row.title, row.body, why)

    if row.target_id is not None:
        target = session.get(NotificationTarget, row.target_id)
        if target is None:
            return unsendable("the notification target was removed")
        return Job(row.id, lease, cipher.decrypt(target.url_encrypted), row.title, row.body)
    channel = session.get(NotificationChannel, row.channel_id) if row.channel_id is not None else None
    if channel is None:
        return unsendable("the notification channel was removed")
    url = cipher.decrypt(channel.url_encrypted)
    addresses = _addresses(session, cipher, row.tenant_id, row.recipients) if row.recipients else []
    if row.recipients and not addresses and urls.scheme(url) in urls.EMAIL_SCHEMES:
        return unsendable("no recipient has an e-mail address (a mailto: target or a user e-mail)")
    return Job(row.id, lease, urls.with_addresses(url, addresses), row.title, row.body)


def claim_due(session: Session, cipher: Cipher, limit: int = 20) -> list[Job]:
    """Take up to `limit` due rows for this sender (see the module docstring)."""
    now = now_ms()
    lease = now + LEASE_MS
    rows = session.scalars(
        select(NotificationOutbox)
        .where(NotificationOutbox.status == PENDING, NotificationOutbox.next_attempt_at <= now)
        .order_by(NotificationOutbox.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return []
    session.execute(
        update(NotificationOutbox)
        .where(NotificationOutbox.id.in_([r.id for r in rows]))
        .values(next_attempt_at=lease)
        .execution_options(synchronize_session=False)
    )
    return [_job(session, cipher, row, lease) for row in rows]


def mark_sent(session: Session, job: Job) -> None:
    session.execute(
        update(NotificationOutbox)
        .where(NotificationOutbox.id == job.id, NotificationOutbox.next_attempt_at == job.lease)
        .values(status=SENT, attempts=NotificationOutbox.attempts + 1, gmt_sent=now_ms(), last_error=None)
    )


def mark_failed(session: Session, job: Job, error: str, max_attempts: int, *, final: bool = False) -> None:
    """Record a failed attempt (error already redacted): retried after a back-off, FAILED at the last."""
    row = session.scalar(
        select(NotificationOutbox).where(
            NotificationOutbox.id == job.id, NotificationOutbox.next_attempt_at == job.lease
        )
    )
    if row is None:
        return
    row.attempts += 1
    row.last_error = error[:1024]
    row.next_attempt_at = now_ms() + backoff_ms(row.attempts)
    if final or row.attempts >= max_attempts:
        row.status = FAILED
    log.warning("notification %s (attempt %s, %s) failed: %s", job.id, row.attempts, row.status, row.last_error)
