"""Users' own targets, and the outbox: notify() in a transaction, delivered once, retried, FAILED at the last."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from harness.polling import wait_for
from opencoc.auth import service as auth_service
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.notifications import outbox
from opencoc.notifications import service as notifications
from opencoc.notifications.models import NotificationOutbox
from tests.api.notifications.conftest import CHANNELS, OUTBOX, TARGETS, mail_url
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey


def _tenant_id(db: Database, tenant: TenantKey) -> int:
    with db.read() as session:
        return auth_service.get_tenant(session, tenant.name).id


def _outbox(client: TestClient, tenant: TenantKey) -> list[dict[str, Any]]:
    listed = client.get(OUTBOX, auth=tenant.auth)
    assert listed.status_code == 200, listed.text
    rows: list[dict[str, Any]] = listed.json()["data"]
    return rows


def test_my_targets_are_mine_only(client: TestClient, make_tenant: Callable[..., TenantKey]) -> None:
    me, other = make_tenant(user="me"), make_tenant()
    mine = client.post(TARGETS, json={"url": "mailto:me@example.com"}, auth=me.auth)
    assert mine.status_code == 200 and mine.json()["data"]["kind"] == "address", mine.text
    hook = client.post(TARGETS, json={"url": "json://u:tok3nSecret@hooks.example.com/me"}, auth=me.auth).json()["data"]
    assert hook["kind"] == "url" and "tok3nSecret" not in hook["url"]
    listed = client.get(TARGETS, auth=me.auth).json()["data"]
    assert [t["id"] for t in listed] == [mine.json()["data"]["id"], hook["id"]]
    assert client.get(TARGETS, auth=other.auth).json() == {"data": []}
    assert client.delete(f"{TARGETS}/{hook['id']}", auth=other.auth).status_code == 404
    assert client.delete(f"{TARGETS}/{hook['id']}", auth=me.auth).json() == {"data": hook["id"]}


def test_a_target_goes_through_the_allow_list(client: TestClient, tenant: TenantKey) -> None:
    for url, rule in (
        ("json://169.254.169.254/", "169.254.169.254"),
        ("mailto:nobody", "e-mail address"),
        ("ftp://example.com/", "OPENCOC_NOTIFY_ALLOWED_SCHEMES"),
    ):
        refused = client.post(TARGETS, json={"url": url}, auth=tenant.auth)
        assert refused.status_code == 400 and refused.json()["error_msg"].startswith("url: "), refused.text
        assert rule in refused.json()["error_msg"]
    assert client.get(TARGETS, auth=tenant.auth).json() == {"data": []}


def test_notify_reaches_the_channel_with_recipients_and_their_own_targets_once_each(
    client: TestClient,
    db: Database,
    make_tenant: Callable[..., TenantKey],
    mailbox: Mailbox,
    add_channel: Callable[..., dict[str, Any]],
) -> None:
    tenant = make_tenant(user="dora", role="admin")  # channels are an admin's
    add_channel(tenant, "EMAIL", mail_url(mailbox.port))
    client.post(TARGETS, json={"url": "mailto:dora@example.org"}, auth=tenant.auth)
    own = f"{mail_url(mailbox.port)}&to=dora-own@example.org"
    assert client.post(TARGETS, json={"url": own}, auth=tenant.auth).status_code == 200
    tid = _tenant_id(db, tenant)
    with db.write() as session:
        queued = notifications.notify(
            session, tenant_id=tid, event="test.event", title="Disk full", body="on web-1",
            channels=["EMAIL", "NO-SUCH-CHANNEL"], recipients=[tenant.user_id],
        )  # fmt: skip
    assert queued == 2
    client.app.state.wakeups.notify(notifications.WAKEUP_KEY)  # type: ignore[attr-defined]
    messages = mailbox.wait_for(2)
    assert sorted(str(m["To"]) for m in messages) == ["dora-own@example.org", "dora@example.org"]
    wait_for(lambda: [r for r in _outbox(client, tenant) if r["status"] == "SENT"][1:], "both marked SENT")
    assert {(r["event"], r["attempts"], r["last_error"]) for r in _outbox(client, tenant)} == {("test.event", 1, None)}
    assert len(mailbox.messages) == 2, "each delivery is sent once"


def _queue(db: Database, tenant: TenantKey, channel: str) -> int:
    with db.write() as session:
        return notifications.notify(
            session, tenant_id=_tenant_id(db, tenant), event="e", title="t", body="b", channels=[channel],
            recipients=[tenant.user_id],
        )  # fmt: skip


def test_notify_follows_added_and_removed_channels_and_targets_at_once(
    client: TestClient, db: Database, make_tenant: Callable[..., TenantKey], add_channel: Callable[..., dict[str, Any]]
) -> None:
    """Where notices go is cached per tenant (directory.py); each change drops the cache."""
    tenant = make_tenant(user="erin", role="admin")
    assert _queue(db, tenant, "ops") == 0  # read and cached: nothing to reach
    channel = add_channel(tenant, "ops", "json://hooks.example.com/ops")
    assert _queue(db, tenant, "ops") == 1
    target = client.post(TARGETS, json={"url": "json://hooks.example.com/erin"}, auth=tenant.auth).json()["data"]
    assert _queue(db, tenant, "ops") == 2
    assert client.delete(f"{CHANNELS}/{channel['id']}", auth=tenant.auth).status_code == 200
    assert client.delete(f"{TARGETS}/{target['id']}", auth=tenant.auth).status_code == 200
    assert _queue(db, tenant, "ops") == 0


def test_a_delivery_to_a_removed_channel_fails_with_the_reason(
    client: TestClient, db: Database, tenant: TenantKey, add_channel: Callable[..., dict[str, Any]]
) -> None:
    channel = add_channel(tenant, "gone", "json://hooks.example.com/x")
    with db.write() as session:
        tid = _tenant_id(db, tenant)
        notifications.notify(session, tenant_id=tid, event="e", title="t", body="b", channels=["gone"])
        notifications.delete_channel(session, caller=_caller(db, tenant), channel_id=channel["id"])
    client.app.state.wakeups.notify(notifications.WAKEUP_KEY)  # type: ignore[attr-defined]
    (row,) = wait_for(lambda: [r for r in _outbox(client, tenant) if r["status"] == "FAILED"], "the row FAILED")
    assert row["last_error"] == "the notification channel was removed" and row["destination"] == "channel gone"


def _caller(db: Database, tenant: TenantKey) -> Any:
    from opencoc.auth.caller import Caller

    return Caller(tenant_id=_tenant_id(db, tenant), domain_id=tenant.domain_id, tenant_name=tenant.name,
                  user_id=tenant.user_id, user_name="admin", role="admin")  # fmt: skip


def test_a_failing_delivery_backs_off_and_is_failed_at_the_last_attempt(db: Database, tenant: TenantKey) -> None:
    far = now_ms() + 86_400_000  # not due: the server's sender leaves the row to this test
    with db.write() as session:
        row = NotificationOutbox(
            tenant_id=_tenant_id(db, tenant), event="e", destination="channel x", channel_id=None, target_id=None,
            recipients=[], title="t", body="b", status="PENDING", attempts=0, next_attempt_at=far, gmt_created=0,
        )  # fmt: skip
        session.add(row)
        session.flush()
        row_id = row.id
    job = outbox.Job(row_id, far, "json://x", "t", "b")
    with db.write() as session:
        outbox.mark_failed(session, job, "refused", max_attempts=2)
        outbox.mark_failed(session, job, "a stale sender's mark", max_attempts=2)  # its lease has moved on
    with db.read() as session:
        first = session.get(NotificationOutbox, row_id)
        assert first is not None and (first.status, first.attempts, first.last_error) == ("PENDING", 1, "refused")
        assert first.next_attempt_at >= now_ms() - 1_000 and first.next_attempt_at <= now_ms() + 2_000
        lease = far + 1
    with db.write() as session:
        session.execute(
            NotificationOutbox.__table__.update().where(NotificationOutbox.id == row_id).values(next_attempt_at=lease)
        )
        outbox.mark_failed(session, outbox.Job(row_id, lease, "json://x", "t", "b"), "refused again", max_attempts=2)
    with db.read() as session:
        last = session.scalar(select(NotificationOutbox).where(NotificationOutbox.id == row_id))
        assert last is not None and (last.status, last.attempts, last.last_error) == ("FAILED", 2, "refused again")
