"""Revocation: access keys, tokens (on password change) and agents; key expiry.

The admin CLI acts on the database directly, so these tests revoke the way it does (the service
functions in a write transaction) and the in-process server must refuse the credential within
2 s even though it had it cached: on PostgreSQL through NOTIFY, on SQLite through the twice-a-
second revocation check (tests/e2e/server/test_revocation_replicas.py does it with the real CLI
and two server processes).
"""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from harness.polling import wait_for
from opencoc.agents import flows
from opencoc.auth import service
from opencoc.auth.models import AccessKey
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError
from tests.api.jobs.helpers import TASKS, Fleet, batches
from tests.support.signing import TenantKey

REVOKED_WITHIN_S = 2.0


def _domains(client: TestClient, key: TenantKey) -> int:
    return client.get("/v3/auth/domains", auth=key.auth).status_code


def _refused_within_2_s(check: Callable[[], int], what: str) -> None:
    wait_for(lambda: check() == 401, what, timeout=REVOKED_WITHIN_S, every=0.05)


def test_revoked_key_is_refused_within_2_s_though_cached(client: TestClient, db: Database, tenant: TenantKey) -> None:
    assert _domains(client, tenant) == 200, "the key is now in the server's cache"
    with db.write() as session:
        assert service.revoke_key(session, tenant_name=tenant.name, access_key=tenant.access_key, now=now_ms())
    _refused_within_2_s(lambda: _domains(client, tenant), "the revoked key to be refused")
    with db.write() as session:
        again = service.revoke_key(session, tenant_name=tenant.name, access_key=tenant.access_key, now=now_ms())
    assert again is False, "revoking twice is harmless"


def test_revoking_another_tenants_key_is_not_found(db: Database, make_tenant: Callable[..., TenantKey]) -> None:
    mine, theirs = make_tenant(), make_tenant()
    with db.write() as session:
        with pytest.raises(OpenCOCError) as missing:
            service.revoke_key(session, tenant_name=mine.name, access_key=theirs.access_key, now=now_ms())
    assert missing.value.status == 404 and theirs.access_key in missing.value.error_msg


def test_revoking_one_key_leaves_the_users_other_keys_working(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    with db.write() as session:
        other = service.create_access_key(session, client.app.state.cipher, tenant_name=tenant.name, user_name="admin")  # type: ignore[attr-defined]
        service.revoke_key(session, tenant_name=tenant.name, access_key=tenant.access_key, now=now_ms())
    second = TenantKey(tenant.name, tenant.domain_id, tenant.user_id, other.access_key, other.secret_key)
    _refused_within_2_s(lambda: _domains(client, tenant), "the revoked key to be refused")
    assert _domains(client, second) == 200


def test_key_expiry(client: TestClient, db: Database, tenant: TenantKey) -> None:
    cipher = client.app.state.cipher  # type: ignore[attr-defined]
    with db.write() as session:
        issued = service.create_access_key(
            session, cipher, tenant_name=tenant.name, user_name="admin", expires_in_days=30
        )
    assert issued.expires_at is not None
    assert abs(issued.expires_at - (now_ms() + 30 * 86_400_000)) < 60_000
    key = TenantKey(tenant.name, tenant.domain_id, tenant.user_id, issued.access_key, issued.secret_key)
    assert _domains(client, key) == 200
    with db.write() as session:
        expired = service.create_access_key(
            session, cipher, tenant_name=tenant.name, user_name="admin", expires_in_days=1
        )
        session.execute(
            update(AccessKey).where(AccessKey.access_key == expired.access_key).values(expires_at=now_ms() - 1)
        )
    gone = TenantKey(tenant.name, tenant.domain_id, tenant.user_id, expired.access_key, expired.secret_key)
    assert _domains(client, gone) == 401
    assert _domains(client, tenant) == 200, "a key created without --expires-in never expires"


def _login(client: TestClient, tenant: TenantKey, user: str, password: str) -> str:
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": user, "password": password, "domain": {"name": tenant.name}}},
            }
        }
    }
    resp = client.post("/v3/auth/tokens", json=body)
    assert resp.status_code == 201, resp.text
    return resp.headers["x-subject-token"]


def test_password_change_revokes_the_users_tokens_at_once(
    client: TestClient, db: Database, make_tenant: Callable[..., TenantKey]
) -> None:
    tenant = make_tenant(user="alice", password="old-pass-1")
    with db.write() as session:
        service.create_user(session, tenant_name=tenant.name, name="bob", password="bob-pass-1")
    alice, bob = _login(client, tenant, "alice", "old-pass-1"), _login(client, tenant, "bob", "bob-pass-1")
    assert client.get("/v3/auth/domains", headers={"X-Auth-Token": alice}).status_code == 200
    with db.write() as session:
        assert service.set_password(session, tenant_name=tenant.name, name="alice", password="new-pass-1") == 1
    assert client.get("/v3/auth/domains", headers={"X-Auth-Token": alice}).status_code == 401
    assert client.get("/v3/auth/domains", headers={"X-Auth-Token": bob}).status_code == 200, "only alice's tokens"
    fresh = _login(client, tenant, "alice", "new-pass-1")
    assert client.get("/v3/auth/domains", headers={"X-Auth-Token": fresh}).status_code == 200


def test_revoked_agent_cannot_poll_and_its_tasks_end_abnormal(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    fleet = Fleet(client, db, tenant)
    a, b = fleet.enroll(2)
    running = fleet.execute(fleet.script(), batches([a, b]))
    fleet.task(a)  # a's instance is PROCESSING, b's is due (READY)
    waiting = fleet.execute(fleet.script(), batches([b], [a]))  # a's instance waits for batch 2

    with db.write() as session:
        revoked = flows.revoke_agent(session, tenant_name=tenant.name, agent_sn=a.agent_sn, now=now_ms(), grace_s=30.0)
    assert revoked

    _refused_within_2_s(
        lambda: client.get(TASKS, params={"wait": 0}, headers=a.headers).status_code, "the revoked agent to be refused"
    )
    assert client.post("/opencoc/v1/agent/heartbeat", json={}, headers=a.headers).status_code == 401
    now = fleet.instances(running, 1)
    assert now[a.agent_sn]["status"] == "ABNORMAL" and "agent revoked" in now[a.agent_sn]["message"]
    assert now[b.agent_sn]["status"] == "READY", "another agent's work is untouched"
    assert fleet.instances(waiting, 2)[a.agent_sn]["status"] == "ABNORMAL"
    tasks = fleet.poll(b)["tasks"]
    assert len(tasks) == 2, "the other agent still gets its work in both orders"
    for task in tasks:
        assert fleet.report(b, task["task_id"]).json() == {"accepted": True}
    assert fleet.status(running) == "ABNORMAL", "the order ends without the revoked agent's result"
    assert fleet.status(waiting) == "ABNORMAL"
