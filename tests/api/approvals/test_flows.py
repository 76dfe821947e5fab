"""/opencoc/v1/approvals: approvers list, show, approve and reject; the history is kept; tenants are apart."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from tests.support.signing import TenantKey

BASE = "/opencoc/v1/approvals"


def _decide(client: TestClient, key: TenantKey, approval_id: str, verdict: str, comment: str | None = None) -> Any:
    body = {} if comment is None else {"comment": comment}
    return client.post(f"{BASE}/{approval_id}/{verdict}", json=body, auth=key.auth)


def _show(client: TestClient, key: TenantKey, approval_id: str) -> dict[str, Any]:
    resp = client.get(f"{BASE}/{approval_id}", auth=key.auth)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def _error(resp: Any, status: int, code: str, fragment: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error_code", "error_msg"} and body["error_code"] == code, body
    assert fragment in body["error_msg"], body


def test_an_approver_sees_and_approves_a_pending_request(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    bob = add_user(tenant, "bob")
    approval_id = open_request(tenant, [bob])

    listed = client.get(BASE, auth=bob.auth)
    assert listed.status_code == 200, listed.text
    assert [a["approval_id"] for a in listed.json()["data"]["approvals"]] == [approval_id]
    assert client.get(BASE, auth=tenant.auth).json()["data"]["approvals"] == [], "the requester is no approver"

    resp = _decide(client, bob, approval_id, "approve", "ship it")
    assert resp.status_code == 200, resp.text
    shown = _show(client, tenant, approval_id)
    assert shown["status"] == "APPROVED" and shown["approved_count"] == 1
    assert shown["subject"] == {"kind": "change", "id": "CH1", "version": "1"}
    assert [(d["approver_id"], d["approver_name"], d["verdict"], d["comment"]) for d in shown["decisions"]] == [
        (bob.user_id, "bob", "APPROVE", "ship it")
    ]
    assert resp.json()["data"] == shown
    assert client.get(BASE, auth=bob.auth).json()["data"]["approvals"] == [], "a decided request is not pending"


def test_a_rejection_ends_the_request_and_later_decisions_conflict(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    bob, carol = add_user(tenant, "bob"), add_user(tenant, "carol")
    approval_id = open_request(tenant, [bob, carol])
    assert _decide(client, bob, approval_id, "reject", "not now").status_code == 200
    _error(_decide(client, carol, approval_id, "approve"), 409, "OPENCOC.APPROVAL.NOT_PENDING", "REJECTED")
    shown = _show(client, carol, approval_id)
    assert shown["status"] == "REJECTED"
    assert [(d["approver_name"], d["verdict"]) for d in shown["decisions"]] == [("bob", "REJECT")]


def test_two_required_approvals_and_one_decision_per_approver(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    bob, carol, dave = add_user(tenant, "bob"), add_user(tenant, "carol"), add_user(tenant, "dave")
    approval_id = open_request(tenant, [bob, carol, dave], required=2)
    assert _decide(client, bob, approval_id, "approve").status_code == 200
    assert _show(client, tenant, approval_id)["status"] == "PENDING", "one of two approvals"
    _error(_decide(client, bob, approval_id, "approve"), 409, "OPENCOC.APPROVAL.ALREADY_DECIDED", "bob")
    assert _show(client, tenant, approval_id)["approved_count"] == 1, "a repeated approval counts once"
    assert _decide(client, carol, approval_id, "approve", "ok").status_code == 200
    shown = _show(client, tenant, approval_id)
    assert shown["status"] == "APPROVED" and shown["approved_count"] == 2
    assert [d["approver_name"] for d in shown["decisions"]] == ["bob", "carol"]
    _error(_decide(client, dave, approval_id, "reject"), 409, "OPENCOC.APPROVAL.NOT_PENDING", "APPROVED")


def test_a_non_approver_is_refused_and_nothing_changes(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    bob, mallory = add_user(tenant, "bob"), add_user(tenant, "mallory")
    approval_id = open_request(tenant, [bob])
    _error(_decide(client, mallory, approval_id, "approve"), 403, "OPENCOC.APPROVAL.NOT_APPROVER", "mallory")
    shown = _show(client, tenant, approval_id)
    assert shown["status"] == "PENDING" and shown["decisions"] == []


def test_an_admin_may_decide_without_being_listed(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    approval_id = open_request(tenant, [add_user(tenant, "bob")])
    assert _decide(client, tenant, approval_id, "reject").status_code == 200  # `tenant` is its admin
    assert _show(client, tenant, approval_id)["status"] == "REJECTED"


def test_another_tenant_gets_not_found(
    client: TestClient,
    tenant: TenantKey,
    make_tenant: Callable[..., TenantKey],
    add_user: Callable[..., TenantKey],
    open_request: Callable[..., str],
) -> None:
    bob = add_user(tenant, "bob")
    approval_id = open_request(tenant, [bob])
    other = make_tenant()
    _error(client.get(f"{BASE}/{approval_id}", auth=other.auth), 404, "OPENCOC.APPROVAL.NOT_FOUND", approval_id)
    _error(_decide(client, other, approval_id, "approve"), 404, "OPENCOC.APPROVAL.NOT_FOUND", approval_id)
    assert client.get(BASE, auth=other.auth).json()["data"]["approvals"] == []
    assert _show(client, tenant, approval_id)["status"] == "PENDING"


def test_bad_input_is_a_400_naming_the_field(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    bob = add_user(tenant, "bob")
    approval_id = open_request(tenant, [bob])
    _error(client.get(f"{BASE}/not-an-id", auth=bob.auth), 400, "COC.00040701", "approval_id")
    _error(_decide(client, bob, approval_id, "approve", "c" * 1025), 400, "COC.00040701", "comment")
    resp = client.post(f"{BASE}/{approval_id}/approve", content=b"[1,", auth=bob.auth)
    assert resp.status_code == 400, resp.text
    _error(client.get(BASE, params={"limit": 0}, auth=bob.auth), 400, "COC.00040701", "limit")
    assert client.get(BASE, auth=None).status_code == 401
    assert _show(client, tenant, approval_id)["status"] == "PENDING"


def test_a_decision_without_a_body_has_no_comment(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    bob = add_user(tenant, "bob")
    approval_id = open_request(tenant, [bob])
    resp = client.post(f"{BASE}/{approval_id}/approve", auth=bob.auth)
    assert resp.status_code == 200, resp.text
    assert resp.json()["data"]["decisions"][0]["comment"] is None


def test_pending_list_pages_with_a_marker(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], open_request: Callable[..., str]
) -> None:
    bob = add_user(tenant, "bob")
    opened = [open_request(tenant, [bob], subject_id=f"CH{i}") for i in range(3)]
    first = client.get(BASE, params={"limit": 2}, auth=bob.auth).json()["data"]
    assert [a["approval_id"] for a in first["approvals"]] == opened[:2] and first["next_marker"] == opened[1]
    rest = client.get(BASE, params={"limit": 2, "marker": first["next_marker"]}, auth=bob.auth).json()["data"]
    assert [a["approval_id"] for a in rest["approvals"]] == opened[2:] and rest["next_marker"] is None
