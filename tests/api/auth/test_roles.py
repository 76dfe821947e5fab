"""Roles over HTTP: operators do the work, only admins manage integrations, a role change reaches
a cached key within 2 s (like a revocation) and a token at once. Every route's viewer refusal is
checked by tests/api/test_route_roles.py.
"""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from harness.polling import wait_for
from opencoc.alarms.models import Integration
from opencoc.auth import service
from opencoc.auth.models import Tenant, User
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError
from opencoc.incidents.models import Incident
from tests.api.alarms.helpers import INTEGRATIONS, alarms_of, integration, reported
from tests.api.incidents.helpers import CREATE, create_body
from tests.api.scripts.helpers import create as create_script
from tests.api.scripts.helpers import show as show_script
from tests.support.signing import TenantKey

SYNC = "/v1/resources/sync"
SYNC_BODY = {"provider": "ecs", "type": "cloudservers"}
ROLE_CHANGE_WITHIN_S = 2.0


def _sync(client: TestClient, key: TenantKey) -> int:
    """A state-changing call that writes nothing, so it can be repeated while waiting."""
    return client.post(SYNC, json=SYNC_BODY, auth=key.auth).status_code


def _set_role(db: Database, key: TenantKey, user: str, role: str) -> bool:
    with db.write() as session:
        return service.set_role(session, tenant_name=key.name, name=user, role=role, now=now_ms())


def _count(db: Database, key: TenantKey, model: type[Incident] | type[Integration]) -> int:
    with db.read() as session:
        tenant_id = select(Tenant.id).where(Tenant.name == key.name).scalar_subquery()
        return int(session.scalar(select(func.count()).select_from(model).where(model.tenant_id == tenant_id)) or 0)


def test_the_tenants_first_user_is_admin_and_later_users_are_operators(db: Database, tenant: TenantKey) -> None:
    with db.write() as session:
        service.create_user(session, tenant_name=tenant.name, name="olga", password=None)
        service.create_user(session, tenant_name=tenant.name, name="vic", password=None, role="viewer")
    with db.read() as session:
        roles = session.execute(
            select(User.name, User.role)
            .join(Tenant, Tenant.id == User.tenant_id)
            .where(Tenant.name == tenant.name)
            .order_by(User.id)
        ).all()
    assert [tuple(r) for r in roles] == [("admin", "admin"), ("olga", "operator"), ("vic", "viewer")]


def test_an_operator_does_the_work(
    client: TestClient, db: Database, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    operator = make_user(tenant, "olga")
    resp = client.post(CREATE, json=create_body(), auth=operator.auth)
    assert resp.status_code == 200, resp.text
    assert _count(db, tenant, Incident) == 1
    assert _sync(client, operator) == 200
    create_script(client, operator)
    reported(client, integration(client, tenant)["integration_key"])
    [alarm] = alarms_of(client, operator)
    cleared = client.post("/v1/alarm-mgmt/alarms/cancel", json={"alarm_ids": [alarm["alarm_id"]]}, auth=operator.auth)
    assert (cleared.status_code, cleared.json()["data"]) == (200, [alarm["alarm_id"]])


def test_only_an_admin_manages_integrations(
    client: TestClient, db: Database, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    operator = make_user(tenant, "olga")
    refused = client.post(INTEGRATIONS, json={"name": "mine", "type": "custom"}, auth=operator.auth)
    assert refused.status_code == 403
    assert refused.json()["error_msg"] == "role operator may not manage alarm integrations: admin only"
    assert _count(db, tenant, Integration) == 0
    made = integration(client, tenant, name="ops")
    for method, path in (("POST", f"{INTEGRATIONS}/ops/disable"), ("DELETE", f"{INTEGRATIONS}/ops")):
        assert client.request(method, path, auth=operator.auth).status_code == 403, path
    listed = client.get(INTEGRATIONS, auth=operator.auth).json()["data"]["list"]
    assert [(i["integration_id"], i["enabled"]) for i in listed] == [(made["integration_id"], True)], "reads stay open"
    assert client.post(f"{INTEGRATIONS}/ops/disable", auth=tenant.auth).status_code == 200


def test_a_role_change_reaches_a_cached_key_within_2_s(
    client: TestClient, db: Database, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    viewer = make_user(tenant, "vic", role="viewer")
    assert _sync(client, viewer) == 403, "the key is now in the server's cache, as a viewer's"
    assert _set_role(db, tenant, "vic", "operator")
    wait_for(lambda: _sync(client, viewer) == 200, "the promoted key to act as operator", timeout=ROLE_CHANGE_WITHIN_S)
    assert _set_role(db, tenant, "vic", "viewer")
    wait_for(lambda: _sync(client, viewer) == 403, "the demoted key to act as viewer", timeout=ROLE_CHANGE_WITHIN_S)
    assert _set_role(db, tenant, "vic", "viewer") is False, "setting the same role again changes nothing"


def test_a_token_acts_with_its_users_current_role(
    client: TestClient, db: Database, make_tenant: Callable[..., TenantKey]
) -> None:
    tenant = make_tenant(user="vic", password="vic-pass-1", role="viewer")
    login = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "vic", "password": "vic-pass-1", "domain": {"name": tenant.name}}},
            }
        }
    }
    token = client.post("/v3/auth/tokens", json=login).headers["x-subject-token"]
    headers = {"X-Auth-Token": token}
    refused = client.post(SYNC, json=SYNC_BODY, headers=headers)
    assert (refused.status_code, refused.json()["error_msg"]) == (
        403,
        "role viewer may not sync resources: operator or admin only",
    )
    _set_role(db, tenant, "vic", "operator")
    assert client.post(SYNC, json=SYNC_BODY, headers=headers).status_code == 200, "tokens read the role per request"


def test_an_admin_decides_a_review_without_being_listed_and_a_listed_viewer_cannot(
    client: TestClient, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    vic = make_user(tenant, "vic", role="viewer")
    reviewers = [{"reviewer_id": vic.user_id, "reviewer_name": "vic"}]
    uuid = create_script(client, tenant, props={"reviewers": reviewers, "protocol": "NOT_TO_NOTIFY"})
    action = f"/v1/job/scripts/{uuid}/action"
    refused = client.post(action, json={"status": "APPROVED"}, auth=vic.auth)
    assert (refused.status_code, refused.json()["error_msg"]) == (
        403,
        "role viewer may not review scripts: operator or admin only",
    )
    assert show_script(client, tenant, uuid)["status"] == "PENDING_APPROVE"
    decided = client.post(action, json={"status": "APPROVED", "comments": "admin"}, auth=tenant.auth)
    assert decided.status_code == 200, decided.text
    assert show_script(client, tenant, uuid)["status"] == "APPROVED"


def test_set_role_names_the_roles_and_the_missing_user(db: Database, tenant: TenantKey) -> None:
    with pytest.raises(OpenCOCError) as invalid:
        _set_role(db, tenant, "admin", "owner")
    assert (invalid.value.status, invalid.value.error_msg) == (
        400,
        "role[owner] invalid: expected one of admin, operator, viewer",
    )
    with pytest.raises(OpenCOCError) as missing:
        _set_role(db, tenant, "nobody", "viewer")
    assert missing.value.status == 404
