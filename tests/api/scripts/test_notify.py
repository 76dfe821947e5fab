"""Reviewers are notified through Apprise on the script's protocol; failures are retried, never fatal."""

from collections.abc import Callable
from email.message import Message

from fastapi.testclient import TestClient
from sqlalchemy import select

from harness.polling import wait_for
from harness.server import free_port
from opencoc.core.db import Database
from opencoc.notifications.models import NotificationOutbox
from tests.api.scripts.helpers import create, edit_body, show, tenant_id, unique_name
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey


def _mail_url(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?from=opencoc@example.com"


def _recipients(messages: list[Message]) -> set[str]:
    return {str(m["To"]) for m in messages}


def _outbox(db: Database, tenant: TenantKey) -> list[NotificationOutbox]:
    tid = tenant_id(db, tenant)
    with db.read() as session:
        return list(session.scalars(select(NotificationOutbox).where(NotificationOutbox.tenant_id == tid)).all())


def test_reviewers_get_an_email_on_create_and_on_modify(
    client: TestClient,
    tenant: TenantKey,
    add_user: Callable[..., TenantKey],
    mailbox: Mailbox,
    set_channel: Callable[..., None],
    db: Database,
) -> None:
    bob = add_user(tenant, "bob", email="bob@example.com")
    carol = add_user(tenant, "carol")
    own = client.post("/opencoc/v1/notifications/targets", json={"url": "mailto:c@example.org"}, auth=carol.auth)
    assert own.status_code == 200, own.text
    set_channel(tenant, "EMAIL", _mail_url(mailbox.port))
    reviewers = [
        {"reviewer_name": "bob", "reviewer_id": bob.user_id},
        {"reviewer_name": "carol", "reviewer_id": carol.user_id},
    ]
    name = unique_name("mailed")
    uuid = create(client, tenant, name=name, props={"reviewers": reviewers, "protocol": "EMAIL"})

    messages = mailbox.wait_for(2)
    assert _recipients(messages) == {"bob@example.com", "c@example.org"}
    assert all(name in str(m["Subject"]) for m in messages)
    assert uuid in messages[0].get_payload(0).get_payload(decode=True).decode()  # type: ignore[union-attr]

    current = show(client, tenant, uuid)
    modified = client.put(f"/v1/job/scripts/{uuid}", json=edit_body(current, content="echo 2"), auth=tenant.auth)
    assert modified.status_code == 200 and modified.json() == {"data": uuid}, modified.text
    assert len(mailbox.wait_for(4)) == 4, "a modified script is sent to its reviewers again"
    wait_for(lambda: {row.status for row in _outbox(db, tenant)} == {"SENT"}, "both notices marked SENT")


def test_default_protocol_uses_the_email_channel_and_not_to_notify_sends_nothing(
    client: TestClient,
    tenant: TenantKey,
    add_user: Callable[..., TenantKey],
    mailbox: Mailbox,
    set_channel: Callable[..., None],
    db: Database,
) -> None:
    bob = add_user(tenant, "bob", email="bob@example.com")
    set_channel(tenant, "EMAIL", _mail_url(mailbox.port))
    reviewers = [{"reviewer_name": "bob", "reviewer_id": bob.user_id}]
    create(client, tenant, props={"reviewers": reviewers, "protocol": "NOT_TO_NOTIFY"})
    assert _outbox(db, tenant) == [], "NOT_TO_NOTIFY queues nothing"
    create(client, tenant, props={"reviewers": reviewers})
    assert _recipients(mailbox.wait_for(1)) == {"bob@example.com"}
    create(client, tenant, props={"reviewers": reviewers, "protocol": "WECHAT"})
    assert len(_outbox(db, tenant)) == 1, "no WECHAT channel configured: nothing is queued"


def test_a_failed_notification_never_fails_the_call_and_is_retried(
    client: TestClient,
    tenant: TenantKey,
    add_user: Callable[..., TenantKey],
    set_channel: Callable[..., None],
    db: Database,
) -> None:
    bob = add_user(tenant, "bob", email="bob@example.com")
    port = free_port()  # nothing listens here yet
    set_channel(tenant, "EMAIL", _mail_url(port))
    uuid = create(client, tenant, props={"reviewers": [{"reviewer_name": "bob", "reviewer_id": bob.user_id}]})
    assert show(client, tenant, uuid)["status"] == "PENDING_APPROVE"

    rows = wait_for(lambda: [r for r in _outbox(db, tenant) if r.attempts >= 1], "a first failed attempt")
    assert rows[0].status == "PENDING" and rows[0].last_error, "the failure is recorded for a retry"
    assert "127.0.0.1" in (rows[0].last_error or "")

    late = Mailbox(port).start()
    try:
        assert _recipients(late.wait_for(1)) == {"bob@example.com"}, "the retry delivers once the server is up"
    finally:
        late.stop()
    wait_for(lambda: _outbox(db, tenant)[0].status == "SENT", "the row marked SENT")
