"""Script review on approvals: a reviewed version opens a request; deciding it here moves the script too."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencoc.core.db import Database
from opencoc.scripts.models import ScriptReview
from tests.api.scripts.helpers import create, edit_body, show
from tests.support.signing import TenantKey

BASE = "/opencoc/v1/approvals"


def _pending(client: TestClient, key: TenantKey) -> list[dict[str, Any]]:
    resp = client.get(BASE, auth=key.auth)
    assert resp.status_code == 200, resp.text
    approvals: list[dict[str, Any]] = resp.json()["data"]["approvals"]
    return approvals


def _reviewed(client: TestClient, tenant: TenantKey, bob: TenantKey) -> str:
    reviewers = [{"reviewer_name": "bob", "reviewer_id": bob.user_id}]
    return create(client, tenant, props={"reviewers": reviewers, "protocol": "NOT_TO_NOTIFY"})


def test_approving_a_script_request_approves_the_script(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], db: Database
) -> None:
    bob = add_user(tenant, "bob")
    uuid = _reviewed(client, tenant, bob)
    [request] = _pending(client, bob)
    assert request["subject"]["kind"] == "script" and request["subject"]["id"] == uuid
    assert request["requester_id"] == tenant.user_id and request["approvers"][0]["user_id"] == bob.user_id

    resp = client.post(f"{BASE}/{request['approval_id']}/approve", json={"comment": "fine"}, auth=bob.auth)
    assert resp.status_code == 200 and resp.json()["data"]["status"] == "APPROVED", resp.text
    assert show(client, tenant, uuid)["status"] == "APPROVED"
    with db.read() as session:
        reviews = session.scalars(select(ScriptReview).where(ScriptReview.script_uuid == uuid)).all()
    assert [(r.reviewer_id, r.status, r.comments) for r in reviews] == [(bob.user_id, "APPROVED", "fine")]


def test_the_coc_action_decides_the_same_request(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey]
) -> None:
    bob = add_user(tenant, "bob")
    uuid = _reviewed(client, tenant, bob)
    [request] = _pending(client, bob)
    resp = client.post(f"/v1/job/scripts/{uuid}/action", json={"status": "REJECTED", "comments": "no"}, auth=bob.auth)
    assert resp.status_code == 200 and resp.json() == {"data": True}, resp.text
    shown = client.get(f"{BASE}/{request['approval_id']}", auth=tenant.auth).json()["data"]
    assert shown["status"] == "REJECTED" and [(d["verdict"], d["comment"]) for d in shown["decisions"]] == [
        ("REJECT", "no")
    ]
    again = client.post(f"{BASE}/{request['approval_id']}/approve", json={}, auth=bob.auth)
    assert again.status_code == 409 and again.json()["error_code"] == "OPENCOC.APPROVAL.NOT_PENDING"
    assert show(client, tenant, uuid)["status"] == "REJECTED"


def test_a_modify_cancels_the_previous_request_and_opens_one(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey]
) -> None:
    bob = add_user(tenant, "bob")
    uuid = _reviewed(client, tenant, bob)
    [first] = _pending(client, bob)
    resp = client.put(
        f"/v1/job/scripts/{uuid}", json=edit_body(show(client, tenant, uuid), content="echo 2"), auth=tenant.auth
    )
    assert resp.status_code == 200, resp.text
    [second] = _pending(client, bob)
    assert second["approval_id"] != first["approval_id"]
    assert second["subject"]["version"] != first["subject"]["version"]
    old = client.get(f"{BASE}/{first['approval_id']}", auth=bob.auth).json()["data"]
    assert old["status"] == "CANCELLED"
    stale = client.post(f"{BASE}/{first['approval_id']}/approve", json={}, auth=bob.auth)
    assert stale.status_code == 409 and "CANCELLED" in stale.json()["error_msg"]
    assert show(client, tenant, uuid)["status"] == "PENDING_APPROVE", "a stale approval does not approve the script"


def test_deleting_a_script_cancels_its_request(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey]
) -> None:
    bob = add_user(tenant, "bob")
    uuid = _reviewed(client, tenant, bob)
    [request] = _pending(client, bob)
    assert client.delete(f"/v1/job/scripts/{uuid}", auth=tenant.auth).status_code == 200
    assert _pending(client, bob) == []
    late = client.post(f"{BASE}/{request['approval_id']}/approve", json={}, auth=bob.auth)
    assert late.status_code == 409 and "CANCELLED" in late.json()["error_msg"]
