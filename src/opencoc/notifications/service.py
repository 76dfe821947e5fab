"""The notifications domain's public API: `notify(...)`, channels, users' own targets, the outbox.

`notify` queues in the caller's transaction, so a notice exists exactly when the change it reports
was committed; `background.py` sends it. Routes call `wake_sender(wakeups)` after the commit.
Channels are the tenant's (admin only once roles land); targets belong to the user who adds them.
Every URL passes the allow-list (allowlist.py) when it is saved, and again when it is used.
"""

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError
from opencoc.core.wakeups import Wakeups
from opencoc.notifications import urls
from opencoc.notifications.allowlist import Policy, host_refusal, scheme_refusal
from opencoc.notifications.directory import changed, directory
from opencoc.notifications.models import NotificationChannel, NotificationOutbox, NotificationTarget
from opencoc.notifications.schemas import ChannelBody
from opencoc.notifications.statuses import PENDING, OutboxStatus

__all__ = [
    "WAKEUP_KEY",
    "Policy",
    "add_target",
    "channel_names",
    "create_channel",
    "delete_channel",
    "delete_target",
    "get_channel",
    "list_channels",
    "list_outbox",
    "list_targets",
    "notify",
    "test_channel",
    "update_channel",
    "wake_sender",
]

log = logging.getLogger("opencoc.notifications")
WAKEUP_KEY = "notifications.outbox"
INVALID = "COC.00040701"
NOT_FOUND = "COC.00000404"
CONFLICT = "COC.00000409"


def wake_sender(wakeups: Wakeups) -> None:
    """Wake the senders (on every replica) after a commit that queued notifications."""
    wakeups.notify(WAKEUP_KEY)


def notify(
    session: Session,
    *,
    tenant_id: int,
    event: str,
    title: str,
    body: str,
    recipients: Sequence[str] = (),
    channels: Sequence[str] = (),
) -> int:
    """Queue a notice in the caller's transaction -> the number of deliveries queued.

    One delivery per named channel (carrying the recipients, whose addresses it reaches), and one
    per recipient's own URL target. Channel names the tenant has not configured are skipped.
    Where they are is read from the tenant's cached directory (directory.py): no query here.
    """
    now = now_ms()
    users = list(dict.fromkeys(recipients))
    rows: list[NotificationOutbox] = []

    def queue(destination: str, **where: Any) -> None:
        rows.append(
            NotificationOutbox(
                tenant_id=tenant_id, event=event, destination=destination[:128], title=title[:255], body=body,
                status=PENDING, attempts=0, next_attempt_at=now, gmt_created=now, **where,
            )
        )  # fmt: skip

    reach = directory(session, tenant_id)
    for name in dict.fromkeys(channels):
        if (channel_id := reach.channels.get(name)) is not None:
            queue(f"channel {name}", channel_id=channel_id, recipients=users)
        else:
            log.debug("tenant %s has no channel %s: %s not sent there", tenant_id, name, event)
    for user in users:
        for target_id in reach.url_targets.get(user, ()):
            queue(f"target {target_id} of user {user}", target_id=target_id, recipients=[user])
    session.add_all(rows)
    return len(rows)


def channel_names(session: Session, *, tenant_id: int) -> set[str]:
    return set(session.scalars(select(NotificationChannel.name).where(NotificationChannel.tenant_id == tenant_id)))


def _refused(field: str, why: str) -> OpenCOCError:
    return OpenCOCError(INVALID, f"{field}: {why}")


def _checked_kind(policy: Policy, field: str, url: str) -> str:
    """'url' or 'address' for a URL the allow-list accepts; a 400 naming the field and rule otherwise."""
    if reason := scheme_refusal(policy, urls.scheme(url) or "(none)"):
        raise _refused(field, reason)
    if urls.is_address(url):
        if not urls.valid_address(url):
            raise _refused(field, "mailto: must be followed by one e-mail address")
        return "address"
    service = urls.plugin(url)
    if service is None:
        raise _refused(field, "not an Apprise URL that any installed service accepts")
    for host in urls.hosts(service):
        if reason := host_refusal(policy, host):
            raise _refused(field, reason)
    return "url"


def _channel_row(session: Session, caller: Caller, channel_id: int) -> NotificationChannel:
    row = session.get(NotificationChannel, channel_id)
    if row is None or row.tenant_id != caller.tenant_id:
        raise OpenCOCError(NOT_FOUND, f"channel[{channel_id}] not found", status=404)
    return row


def _channel_view(cipher: Cipher, row: NotificationChannel) -> dict[str, Any]:
    url = cipher.decrypt(row.url_encrypted)
    return {
        "id": row.id, "name": row.name, "scheme": urls.scheme(url), "url": urls.masked(url),
        "gmt_created": row.gmt_created, "gmt_modified": row.gmt_modified,
    }  # fmt: skip


def _save_channel(session: Session, caller: Caller, row: NotificationChannel, name: str) -> None:
    """Flush in a savepoint, so a name taken meanwhile is a 409 rather than a failed transaction."""
    taken = session.scalar(
        select(NotificationChannel.id).where(
            NotificationChannel.tenant_id == caller.tenant_id,
            NotificationChannel.name == name,
            NotificationChannel.id != (row.id or 0),
        )
    )
    duplicate = OpenCOCError(CONFLICT, f"name: a channel named [{name}] already exists", status=409)
    if taken is not None:
        raise duplicate
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:
        raise duplicate from None
    changed(session, caller.tenant_id)


def create_channel(
    session: Session, cipher: Cipher, policy: Policy, *, caller: Caller, body: ChannelBody
) -> dict[str, Any]:
    """A new channel of the caller's tenant (its URL checked against the allow-list, stored encrypted)."""
    require(caller, "notifications.channels")
    url = _channel_url(policy, body.url)
    now = now_ms()
    row = NotificationChannel(
        tenant_id=caller.tenant_id, name=body.name, url_encrypted=cipher.encrypt(url),
        gmt_created=now, gmt_modified=now,
    )  # fmt: skip
    _save_channel(session, caller, row, body.name)
    return _channel_view(cipher, row)


def _channel_url(policy: Policy, url: str) -> str:
    if _checked_kind(policy, "url", url) != "url":
        raise _refused("url", "a channel needs a service URL (a mailto: address is a personal target)")
    return url


def update_channel(
    session: Session, cipher: Cipher, policy: Policy, *, caller: Caller, channel_id: int, body: ChannelBody
) -> dict[str, Any]:
    """Rename a channel and replace its URL; pending deliveries use the new URL."""
    require(caller, "notifications.channels")
    row = _channel_row(session, caller, channel_id)
    row.url_encrypted = cipher.encrypt(_channel_url(policy, body.url))
    row.name, row.gmt_modified = body.name, max(now_ms(), row.gmt_modified + 1)
    _save_channel(session, caller, row, body.name)
    return _channel_view(cipher, row)


def list_channels(session: Session, cipher: Cipher, *, caller: Caller) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(NotificationChannel)
        .where(NotificationChannel.tenant_id == caller.tenant_id)
        .order_by(NotificationChannel.name)
    )
    return [_channel_view(cipher, row) for row in rows]


def get_channel(session: Session, cipher: Cipher, *, caller: Caller, channel_id: int) -> dict[str, Any]:
    return _channel_view(cipher, _channel_row(session, caller, channel_id))


def delete_channel(session: Session, *, caller: Caller, channel_id: int) -> int:
    """Remove a channel; its pending deliveries fail with that reason."""
    require(caller, "notifications.channels")
    session.delete(_channel_row(session, caller, channel_id))
    changed(session, caller.tenant_id)
    return channel_id


def _name_and_url(session: Session, caller: Caller, channel_id: int) -> tuple[str, str]:
    row = _channel_row(session, caller, channel_id)
    return row.name, row.url_encrypted


async def test_channel(
    db: Database, cipher: Cipher, policy: Policy, *, caller: Caller, channel_id: int, timeout: float
) -> dict[str, Any]:
    """Send a test notice to a channel now (not through the outbox) -> whether it was delivered, and why not."""
    require(caller, "notifications.channels")
    name, stored = await db.run_read(lambda s: _name_and_url(s, caller, channel_id))
    url = cipher.decrypt(stored)
    title, body = f"[OpenCOC] Test of channel {name}", f"A test notice sent by {caller.user_name}."
    try:
        await asyncio.wait_for(asyncio.to_thread(urls.deliver, url, title, body, policy), timeout)
    except urls.DeliveryError as exc:
        return {"delivered": False, "error": str(exc)}
    except TimeoutError:
        return {"delivered": False, "error": f"no answer within {timeout:g} s"}
    return {"delivered": True, "error": None}


def _target_view(cipher: Cipher, row: NotificationTarget) -> dict[str, Any]:
    url = cipher.decrypt(row.url_encrypted)
    return {
        "id": row.id,
        "kind": row.kind,
        "scheme": urls.scheme(url),
        "url": urls.masked(url),
        "gmt_created": row.gmt_created,
    }


def add_target(session: Session, cipher: Cipher, policy: Policy, *, caller: Caller, url: str) -> dict[str, Any]:
    """One of the caller's own targets (an Apprise URL, or a mailto: address for the tenant's channels)."""
    require(caller, "notifications.targets")
    kind = _checked_kind(policy, "url", url)
    row = NotificationTarget(
        tenant_id=caller.tenant_id, user_id=caller.user_id, kind=kind, url_encrypted=cipher.encrypt(url),
        gmt_created=now_ms(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    changed(session, caller.tenant_id)
    return _target_view(cipher, row)


def list_targets(session: Session, cipher: Cipher, *, caller: Caller) -> list[dict[str, Any]]:
    rows = session.scalars(
        select(NotificationTarget)
        .where(NotificationTarget.tenant_id == caller.tenant_id, NotificationTarget.user_id == caller.user_id)
        .order_by(NotificationTarget.id)
    )
    return [_target_view(cipher, row) for row in rows]


def delete_target(session: Session, *, caller: Caller, target_id: int) -> int:
    """Remove one of the caller's own targets (another user's is not found)."""
    require(caller, "notifications.targets")
    row = session.get(NotificationTarget, target_id)
    if row is None or row.tenant_id != caller.tenant_id or row.user_id != caller.user_id:
        raise OpenCOCError(NOT_FOUND, f"target[{target_id}] not found", status=404)
    session.delete(row)
    changed(session, caller.tenant_id)
    return target_id


def list_outbox(
    session: Session, *, caller: Caller, limit: int, status: OutboxStatus | None = None
) -> list[dict[str, Any]]:
    """The tenant's most recent deliveries, newest first."""
    query = select(NotificationOutbox).where(NotificationOutbox.tenant_id == caller.tenant_id)
    if status is not None:
        query = query.where(NotificationOutbox.status == status)
    rows = session.scalars(query.order_by(NotificationOutbox.id.desc()).limit(limit))
    return [
        {
            "id": r.id, "event": r.event, "destination": r.destination, "status": r.status, "attempts": r.attempts,
            "last_error": r.last_error, "next_attempt_at": r.next_attempt_at, "gmt_created": r.gmt_created,
            "gmt_sent": r.gmt_sent,
        }
        for r in rows
    ]  # fmt: skip
