"""Reviewer notifications through Apprise, sent from an outbox so that a failure never fails the API.

A tenant configures one Apprise URL per protocol (`opencoc admin set-notify`); reviewers are
reached at their target for that protocol (`opencoc admin set-notify-target`) or, for EMAIL,
at the `email` of their user. The request enqueues a row in the same transaction as the script;
`background.py` sends it and retries with back-off, logging every failure.

URL forms: for EMAIL the reviewers' addresses are added as `to=`; any URL may instead hold
`{targets}`, replaced by the targets joined with `/` (the path form most Apprise services use).
DEFAULT uses the DEFAULT channel, else the EMAIL one; NOT_TO_NOTIFY sends nothing.
"""

import logging
import warnings
from dataclasses import dataclass
from functools import cache
from types import ModuleType
from urllib.parse import quote

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opencoc.auth import service as auth_service
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
from opencoc.scripts.models import NotifyChannel, NotifyOutbox, NotifyTarget, Script
from opencoc.scripts.statuses import PENDING_APPROVE

log = logging.getLogger("opencoc.scripts.notify")

WAKEUP_KEY = "scripts.notify"
PROTOCOLS = ("DEFAULT", "SMS", "EMAIL", "DING_TALK", "WE_LINK", "WECHAT", "CALLNOTIFY")
NOT_TO_NOTIFY = "NOT_TO_NOTIFY"
PENDING, SENT, FAILED = "PENDING", "SENT", "FAILED"
MAX_ATTEMPTS = 12
LEASE_MS = 120_000  # a claimed row is retried by anyone after this, should its sender die


def _channel_protocols(protocol: str) -> tuple[str, ...]:
    return ("DEFAULT", "EMAIL") if protocol == "DEFAULT" else (protocol,)


def _channel(session: Session, tenant_id: int, protocol: str) -> NotifyChannel | None:
    for name in _channel_protocols(protocol):
        found = session.scalar(
            select(NotifyChannel).where(NotifyChannel.tenant_id == tenant_id, NotifyChannel.protocol == name)
        )
        if found is not None:
            return found
    return None


def _targets(session: Session, tenant_id: int, protocol: str, user_ids: list[str]) -> list[str]:
    """Each reviewer's address on the channel's protocol; EMAIL falls back to the user's email."""
    explicit = dict(
        session.execute(
            select(NotifyTarget.user_id, NotifyTarget.target).where(
                NotifyTarget.tenant_id == tenant_id,
                NotifyTarget.protocol == protocol,
                NotifyTarget.user_id.in_(user_ids),
            )
        ).all()
    )
    emails = auth_service.emails(session, tenant_id, user_ids) if protocol == "EMAIL" else {}
    out = []
    for user_id in user_ids:
        target = explicit.get(user_id) or emails.get(user_id)
        if target and target not in out:
            out.append(target)
    return out


def request_review(session: Session, script: Script) -> None:
    """Queue a notice to the script's reviewers when it waits for review (in the caller's transaction)."""
    protocol = script.protocol or "DEFAULT"
    if script.status != PENDING_APPROVE or protocol == NOT_TO_NOTIFY:
        return
    channel = _channel(session, script.tenant_id, protocol)
    if channel is None:
        log.info(
            "no %s channel for tenant %s: reviewers of %s not notified", protocol, script.tenant_id, script.script_uuid
        )
        return
    user_ids = [r["reviewer_id"] for r in script.reviewers if r.get("reviewer_id")]
    targets = _targets(session, script.tenant_id, channel.protocol, user_ids)
    if channel.protocol == "EMAIL" and not targets:
        log.warning("no email address for the reviewers of %s (opencoc admin set-notify-target)", script.script_uuid)
        return
    reviewers = ", ".join(r["reviewer_name"] for r in script.reviewers)
    session.add(
        NotifyOutbox(
            tenant_id=script.tenant_id,
            protocol=channel.protocol,
            targets=targets,
            title=f"[OpenCOC] Script {script.name} is waiting for your review",
            body=(
                f"Script {script.name} ({script.script_uuid}), version {script.version}, risk {script.risk_level},"
                f" type {script.type}, modified by {script.operator}, is waiting for review by {reviewers}.\n"
                f"Approve or reject it with: opencoc script approve {script.script_uuid}"
                f" | opencoc script reject {script.script_uuid}"
            ),
            status=PENDING,
            attempts=0,
            next_attempt_at=now_ms(),
            gmt_created=now_ms(),
        )
    )


@cache
def _apprise() -> ModuleType:
    """Apprise with its plugins loaded, imported on first use (slow to import; the CLI rarely needs it)."""
    import apprise
    from apprise.manager_plugins import NotificationManager

    with warnings.catch_warnings():  # some plugins import `imghdr`, deprecated since Python 3.11
        warnings.simplefilter("ignore", DeprecationWarning)
        # apprise's manager_plugins is not annotated; both calls return None.
        NotificationManager().load_modules()  # type: ignore[no-untyped-call]
    return apprise


def apprise_url(url: str, protocol: str, targets: list[str]) -> str:
    """The channel URL with the targets put where its service expects them."""
    if "{targets}" in url:
        return url.replace("{targets}", "/".join(quote(t, safe="@+") for t in targets))
    if protocol == "EMAIL" and targets:
        return f"{url}{'&' if '?' in url else '?'}to={','.join(quote(t, safe='@+') for t in targets)}"
    return url


class DeliveryError(Exception):
    """Apprise could not deliver; the message says why (as Apprise logged it)."""


def deliver(url: str, title: str, body: str) -> None:
    """Send one notification now (blocking); raises DeliveryError when it fails."""
    apprise = _apprise()
    sender = apprise.Apprise()
    with apprise.LogCapture(level=logging.WARNING) as captured:
        if not sender.add(url):
            raise DeliveryError("the channel URL is not a valid Apprise URL")
        if not sender.notify(title=title, body=body):
            raise DeliveryError(captured.getvalue().strip()[-1000:] or "Apprise reported a failure")


@dataclass(frozen=True)
class Job:
    """A claimed outbox row with its channel URL resolved (None when the channel was removed)."""

    id: int
    url: str | None
    title: str
    body: str


def any_due(session: Session) -> bool:
    """Whether a notice is due (a read, so an idle server takes no write lock)."""
    due = select(NotifyOutbox.id).where(NotifyOutbox.status == PENDING, NotifyOutbox.next_attempt_at <= now_ms())
    return session.scalar(due.limit(1)) is not None


def claim_due(session: Session, cipher: Cipher, limit: int = 20) -> list[Job]:
    """Take the due rows, each by a compare-and-set on its next attempt time (safe across replicas)."""
    now = now_ms()
    rows = session.scalars(
        select(NotifyOutbox)
        .where(NotifyOutbox.status == PENDING, NotifyOutbox.next_attempt_at <= now)
        .order_by(NotifyOutbox.next_attempt_at)
        .limit(limit)
    ).all()
    jobs = []
    for row in rows:
        taken = session.execute(
            update(NotifyOutbox)
            .where(NotifyOutbox.id == row.id, NotifyOutbox.next_attempt_at == row.next_attempt_at)
            .values(next_attempt_at=now + LEASE_MS)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        channel = session.scalar(
            select(NotifyChannel).where(
                NotifyChannel.tenant_id == row.tenant_id, NotifyChannel.protocol == row.protocol
            )
        )
        url = apprise_url(cipher.decrypt(channel.url_encrypted), row.protocol, row.targets) if channel else None
        jobs.append(Job(row.id, url, row.title, row.body))
    return jobs


def backoff_ms(attempts: int) -> int:
    """2 s, 4 s, 8 s ... capped at 10 minutes."""
    return min(1 << min(attempts, 10), 600) * 1000


def mark_sent(session: Session, job_id: int) -> None:
    session.execute(
        update(NotifyOutbox)
        .where(NotifyOutbox.id == job_id)
        .values(status=SENT, attempts=NotifyOutbox.attempts + 1, gmt_sent=now_ms(), last_error=None)
    )


def mark_failed(session: Session, job_id: int, error: str) -> None:
    row = session.get(NotifyOutbox, job_id)
    if row is None:
        return
    row.attempts += 1
    row.last_error = error[:1024]
    row.next_attempt_at = now_ms() + backoff_ms(row.attempts)
    if row.attempts >= MAX_ATTEMPTS:
        row.status = FAILED
    log.warning("notification %s (attempt %s) failed: %s", job_id, row.attempts, error)


def _check_protocol(protocol: str) -> None:
    if protocol not in PROTOCOLS:
        raise OpenCOCError("COC.00040701", f"protocol must be one of {', '.join(PROTOCOLS)}")


def set_channel(session: Session, cipher: Cipher, *, tenant_name: str, protocol: str, url: str | None) -> None:
    """Set (or with url None, remove) the tenant's Apprise URL for a protocol."""
    _check_protocol(protocol)
    tenant = auth_service.get_tenant(session, tenant_name)
    row = session.scalar(
        select(NotifyChannel).where(NotifyChannel.tenant_id == tenant.id, NotifyChannel.protocol == protocol)
    )
    if url is None:
        if row is not None:
            session.delete(row)
        return
    if not _apprise().Apprise().add(url.replace("{targets}", "x")):
        raise OpenCOCError("COC.00040701", "url is not an Apprise URL that any installed service accepts")
    if row is None:
        row = NotifyChannel(tenant_id=tenant.id, protocol=protocol)
        session.add(row)
    row.url_encrypted = cipher.encrypt(url)
    row.gmt_modified = now_ms()


def set_target(session: Session, *, tenant_name: str, user_name: str, protocol: str, target: str | None) -> None:
    """Set (or with target None, remove) where a user is reached on a protocol."""
    _check_protocol(protocol)
    tenant = auth_service.get_tenant(session, tenant_name)
    user = auth_service.get_user(session, tenant, user_name)
    row = session.scalar(
        select(NotifyTarget).where(
            NotifyTarget.tenant_id == tenant.id, NotifyTarget.user_id == user.user_id, NotifyTarget.protocol == protocol
        )
    )
    if target is None:
        if row is not None:
            session.delete(row)
        return
    if row is None:
        row = NotifyTarget(tenant_id=tenant.id, user_id=user.user_id, protocol=protocol)
        session.add(row)
    row.target = target


def channels(session: Session, cipher: Cipher, *, tenant_name: str) -> list[dict[str, str]]:
    """The tenant's channels, each URL shown by its scheme only (URLs hold passwords)."""
    tenant = auth_service.get_tenant(session, tenant_name)
    rows = session.scalars(select(NotifyChannel).where(NotifyChannel.tenant_id == tenant.id))
    return [{"protocol": r.protocol, "scheme": cipher.decrypt(r.url_encrypted).split(":", 1)[0]} for r in rows]
