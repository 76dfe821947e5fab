"""Review: scripts with reviewers wait for one of them; only APPROVED scripts may execute."""

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencoc.core.db import Database
from opencoc.scripts.models import ScriptReview
from tests.api.scripts.helpers import assert_error, create, edit_body, show
from tests.support.signing import TenantKey


def _reviewer(key: TenantKey, name: str) -> dict[str, str]:
    return {"reviewer_name": name, "reviewer_id": key.user_id}


def _decide(client: TestClient, key: TenantKey, uuid: str, status: str, comments: str | None = None) -> Any:
    return client.post(f"/v1/job/scripts/{uuid}/action", json={"status": status, "comments": comments}, auth=key.auth)


def _decided(client: TestClient, key: TenantKey, uuid: str, status: str, comments: str | None = None) -> None:
    """A decision the server accepts (`{"data": true}`)."""
    resp = _decide(client, key, uuid, status, comments)
    assert resp.status_code == 200 and resp.json() == {"data": True}, resp.text


def _modified(client: TestClient, key: TenantKey, uuid: str, body: dict[str, Any]) -> None:
    resp = client.put(f"/v1/job/scripts/{uuid}", json=body, auth=key.auth)
    assert resp.status_code == 200 and resp.json() == {"data": uuid}, resp.text


def test_only_a_reviewer_approves_and_a_modify_sends_it_back(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey], db: Database
) -> None:
    bob = add_user(tenant, "bob")
    uuid = create(client, tenant, props={"reviewers": [_reviewer(bob, "bob")], "protocol": "NOT_TO_NOTIFY"})
    assert show(client, tenant, uuid)["status"] == "PENDING_APPROVE"

    carol = add_user(tenant, "carol")  # an operator, not a reviewer (an admin may decide: tests/api/auth/test_roles.py)
    assert_error(_decide(client, carol, uuid, "APPROVED"), 403, "COC.00040606", "not a reviewer")
    assert show(client, tenant, uuid)["status"] == "PENDING_APPROVE"

    _decided(client, bob, uuid, "APPROVED", "looks fine")
    assert show(client, tenant, uuid)["status"] == "APPROVED"
    assert_error(_decide(client, bob, uuid, "REJECTED"), 400, "COC.00040607", "APPROVED")
    assert show(client, tenant, uuid)["status"] == "APPROVED", "a decision on a decided script changes nothing"

    current = show(client, tenant, uuid)
    _modified(client, tenant, uuid, edit_body(current, content="echo 2"))
    assert show(client, tenant, uuid)["status"] == "PENDING_APPROVE", "a modified script is reviewed again"
    _decided(client, bob, uuid, "REJECTED", "no")
    assert show(client, tenant, uuid)["status"] == "REJECTED"

    with db.read() as session:
        reviews = session.scalars(select(ScriptReview).where(ScriptReview.script_uuid == uuid)).all()
    assert [(r.reviewer_id, r.status, r.comments) for r in reviews] == [
        (bob.user_id, "APPROVED", "looks fine"),
        (bob.user_id, "REJECTED", "no"),
    ]
    assert reviews[0].version_id != reviews[1].version_id

    no_reviewers = edit_body(current, properties={"risk_level": "LOW", "version": "2", "reviewers": []})
    _modified(client, tenant, uuid, no_reviewers)
    assert show(client, tenant, uuid)["status"] == "APPROVED", "without reviewers no review is needed"


def test_a_script_without_reviewers_is_not_reviewable(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey]
) -> None:
    uuid = create(client, tenant)
    carol = add_user(tenant, "carol")  # an operator: an admin's decision meets the status check instead
    assert_error(_decide(client, carol, uuid, "APPROVED"), 403, "COC.00040606", "not a reviewer")
    assert show(client, tenant, uuid)["status"] == "APPROVED", "a script without reviewers needs no review"


def test_decision_must_be_approved_or_rejected(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey]
) -> None:
    bob = add_user(tenant, "bob")
    uuid = create(client, tenant, props={"reviewers": [_reviewer(bob, "bob")], "protocol": "NOT_TO_NOTIFY"})
    assert_error(_decide(client, bob, uuid, "MAYBE"), 400, "COC.00040701", "status")
    assert_error(_decide(client, bob, uuid, "APPROVED", "c" * 1025), 400, "COC.00040701", "comments")
    assert show(client, tenant, uuid)["status"] == "PENDING_APPROVE", "a refused decision changes nothing"
    _decided(client, bob, uuid, "APPROVED", "c" * 1024)
    assert show(client, tenant, uuid)["status"] == "APPROVED"


def test_a_reviewer_given_without_id_is_matched_by_name(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey]
) -> None:
    carol = add_user(tenant, "carol")
    reviewers = [{"reviewer_name": "carol", "reviewer_id": ""}]
    uuid = create(client, tenant, props={"reviewers": reviewers, "protocol": "NOT_TO_NOTIFY"})
    _decided(client, carol, uuid, "APPROVED")
    assert show(client, tenant, uuid)["status"] == "APPROVED"


def test_two_concurrent_decisions_only_one_wins(
    client: TestClient, tenant: TenantKey, add_user: Callable[..., TenantKey]
) -> None:
    bob, carol = add_user(tenant, "bob"), add_user(tenant, "carol")
    reviewers = [_reviewer(bob, "bob"), _reviewer(carol, "carol")]
    uuid = create(client, tenant, props={"reviewers": reviewers, "protocol": "NOT_TO_NOTIFY"})
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda kd: _decide(client, kd[0], uuid, kd[1]), [(bob, "APPROVED"), (carol, "REJECTED")])
        )
    codes = sorted(r.status_code for r in results)
    assert codes == [200, 400], [r.text for r in results]
    loser = next(r for r in results if r.status_code == 400)
    assert loser.json()["error_code"] == "COC.00040607"
    winner = next(i for i, r in enumerate(results) if r.status_code == 200)
    assert show(client, tenant, uuid)["status"] == ("APPROVED", "REJECTED")[winner]
