"""Tenant channels: created through the allow-list, stored encrypted, shown masked, tenant-scoped."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from harness.server import free_port
from opencoc.auth import service as auth_service
from opencoc.core.db import Database
from opencoc.notifications.models import NotificationChannel
from tests.api.notifications.conftest import CHANNELS, mail_url
from tests.support.mailbox import Mailbox
from tests.support.signing import TenantKey

SECRET = "hunter2-Pa55"


def _stored(db: Database, tenant: TenantKey) -> list[NotificationChannel]:
    with db.read() as session:
        tid = auth_service.get_tenant(session, tenant.name).id
        return list(session.scalars(select(NotificationChannel).where(NotificationChannel.tenant_id == tid)))


def test_a_channel_is_stored_encrypted_and_never_shown_in_clear(
    client: TestClient, tenant: TenantKey, db: Database, add_channel: Callable[..., dict[str, Any]]
) -> None:
    url = f"mailtos://ops:{SECRET}@smtp.example.com?from=coc@example.com"
    created = add_channel(tenant, "EMAIL", url)
    assert created["name"] == "EMAIL" and created["scheme"] == "mailtos"
    assert SECRET not in created["url"] and "smtp.example.com" in created["url"] and "****" in created["url"]
    listed = client.get(CHANNELS, auth=tenant.auth)
    assert listed.status_code == 200 and SECRET not in listed.text
    assert [c["id"] for c in listed.json()["data"]] == [created["id"]]
    shown = client.get(f"{CHANNELS}/{created['id']}", auth=tenant.auth)
    assert shown.json()["data"] == created
    (row,) = _stored(db, tenant)
    assert SECRET not in row.url_encrypted and row.url_encrypted.startswith("v2:")


def test_a_channel_is_renamed_and_its_url_replaced_then_deleted(
    client: TestClient, tenant: TenantKey, add_channel: Callable[..., dict[str, Any]]
) -> None:
    created = add_channel(tenant, "ops", "json://hooks.example.com/a")
    body = {"name": "ops-json", "url": "jsons://hooks.example.com/b"}
    updated = client.put(f"{CHANNELS}/{created['id']}", json=body, auth=tenant.auth)
    assert updated.status_code == 200, updated.text
    assert updated.json()["data"]["name"] == "ops-json" and updated.json()["data"]["scheme"] == "jsons"
    deleted = client.delete(f"{CHANNELS}/{created['id']}", auth=tenant.auth)
    assert deleted.status_code == 200 and deleted.json() == {"data": created["id"]}
    assert client.get(CHANNELS, auth=tenant.auth).json() == {"data": []}


def test_a_second_channel_with_the_same_name_is_a_conflict(
    client: TestClient, tenant: TenantKey, add_channel: Callable[..., dict[str, Any]]
) -> None:
    add_channel(tenant, "EMAIL", "json://hooks.example.com/a")
    again = client.post(CHANNELS, json={"name": "EMAIL", "url": "json://hooks.example.com/b"}, auth=tenant.auth)
    assert again.status_code == 409 and "name" in again.json()["error_msg"], again.text
    assert len(client.get(CHANNELS, auth=tenant.auth).json()["data"]) == 1


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("gopher://example.com/", "OPENCOC_NOTIFY_ALLOWED_SCHEMES"),
        ("file:///etc/passwd", "OPENCOC_NOTIFY_ALLOWED_SCHEMES"),
        ("json://10.0.0.1/hook", "internal address 10.0.0.1"),
        ("json://169.254.169.254/latest/meta-data", "internal address 169.254.169.254"),
        ("json://[::1]:8080/", "internal address ::1"),
        ("json://[::ffff:10.0.0.1]/", "internal address 10.0.0.1"),
        ("json://2130706434/", "internal address 127.0.0.2"),
        ("json://0x7f000002/", "internal address 127.0.0.2"),
        ("json://127.0.0.2/", "internal address 127.0.0.2"),
        ("mailto://u:p@example.com?smtp=192.168.1.1&from=a@example.com", "internal address 192.168.1.1"),
        ("json://", "not an Apprise URL"),
        ("mailto:bob@example.com", "a channel needs a service URL"),
    ],
)
# The tests' server lists 127.0.0.1 (their SMTP servers), so loopback is shown here by 127.0.0.2;
# tests/unit/notifications/test_allowlist.py refuses 127.0.0.1, localhost and the rest unlisted.
def test_a_refused_url_is_a_400_naming_the_field_and_the_rule_and_nothing_is_written(
    client: TestClient, tenant: TenantKey, url: str, rule: str
) -> None:
    refused = client.post(CHANNELS, json={"name": "x", "url": url}, auth=tenant.auth)
    assert refused.status_code == 400, refused.text
    body = refused.json()
    assert body["error_code"] == "COC.00040701" and body["error_msg"].startswith("url: ") and rule in body["error_msg"]
    assert client.get(CHANNELS, auth=tenant.auth).json() == {"data": []}


def test_an_updated_url_goes_through_the_allow_list_too(
    client: TestClient, tenant: TenantKey, add_channel: Callable[..., dict[str, Any]]
) -> None:
    created = add_channel(tenant, "ops", "json://hooks.example.com/a")
    moved = client.put(f"{CHANNELS}/{created['id']}", json={"name": "ops", "url": "json://10.1.1.1/"}, auth=tenant.auth)
    assert moved.status_code == 400 and "10.1.1.1" in moved.json()["error_msg"]
    assert client.get(f"{CHANNELS}/{created['id']}", auth=tenant.auth).json()["data"] == created


def test_another_tenants_channel_is_not_found(
    client: TestClient, make_tenant: Callable[..., TenantKey], add_channel: Callable[..., dict[str, Any]]
) -> None:
    owner, other = make_tenant(), make_tenant()
    created = add_channel(owner, "EMAIL", "json://hooks.example.com/a")
    path = f"{CHANNELS}/{created['id']}"
    body = {"name": "mine", "url": "json://hooks.example.com/b"}
    for resp in (
        client.get(path, auth=other.auth),
        client.put(path, json=body, auth=other.auth),
        client.delete(path, auth=other.auth),
        client.post(f"{path}/test", auth=other.auth),
    ):
        assert resp.status_code == 404 and resp.json()["error_code"] == "COC.00000404", resp.text
    assert client.get(CHANNELS, auth=other.auth).json() == {"data": []}
    assert client.get(path, auth=owner.auth).json()["data"] == created


def test_unsigned_calls_are_refused(client: TestClient) -> None:
    assert client.get(CHANNELS).status_code == 401


def test_the_test_endpoint_sends_now_and_says_why_it_failed_without_the_secret(
    client: TestClient, tenant: TenantKey, mailbox: Mailbox, add_channel: Callable[..., dict[str, Any]]
) -> None:
    good = add_channel(tenant, "EMAIL", mail_url(mailbox.port) + "&to=ops@example.com")
    sent = client.post(f"{CHANNELS}/{good['id']}/test", auth=tenant.auth)
    assert sent.status_code == 200 and sent.json() == {"data": {"delivered": True, "error": None}}, sent.text
    assert "Test of channel EMAIL" in str(mailbox.wait_for(1)[0]["Subject"])

    dead = add_channel(tenant, "dead", mail_url(free_port(), password=SECRET) + "&to=ops@example.com")
    failed = client.post(f"{CHANNELS}/{dead['id']}/test", auth=tenant.auth).json()["data"]
    assert failed["delivered"] is False and failed["error"] and SECRET not in failed["error"]
