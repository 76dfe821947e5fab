"""Enrolment with a tenant's token: identity issued once, token reuse, expiry and revocation."""

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencoc.agents import flows, service
from opencoc.agents.models import Agent
from opencoc.agents.registry import facts_digest
from opencoc.agents.schemas import AgentFacts
from opencoc.core.clock import now_ms
from opencoc.core.crypto import sha256_hex
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError
from opencoc.resources.models import Resource
from tests.api.agents.helpers import ENROLL, enroll, enroll_token
from tests.support.signing import TenantKey


def test_enrol_issues_an_identity_and_stores_only_a_hash_of_the_secret(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    token = enroll_token(db, tenant)
    facts = {"hostname": "db-7", "fixed_ip": "10.1.2.3", "ips": ["10.1.2.3"], "os_type": "linux", "region_id": "r1"}
    resp = client.post(ENROLL, json={"token": token, "facts": facts})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert set(body) == {"agent_sn", "agent_secret", "resource_id"}
    assert len(body["agent_sn"]) <= 32 and len(body["resource_id"]) == 36
    with db.read() as session:
        agent = session.scalar(select(Agent).where(Agent.agent_sn == body["agent_sn"]))
        assert agent is not None
        assert agent.secret_hash == sha256_hex(body["agent_secret"]) and body["agent_secret"] not in agent.secret_hash
        assert (agent.hostname, agent.fixed_ip, agent.region_id, agent.ips) == ("db-7", "10.1.2.3", "r1", ["10.1.2.3"])
        assert service.state_of(agent, now_ms(), 30) == "ONLINE"


def test_a_token_enrols_a_whole_fleet_with_distinct_identities(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    token = enroll_token(db, tenant)
    first, second = enroll(client, token, hostname="a"), enroll(client, token, hostname="b")
    assert first.agent_sn != second.agent_sn and first.resource_id != second.resource_id
    with db.read() as session:
        agents = [service.find_by_sn(session, a.agent_sn) for a in (first, second)]
    assert agents[0] is not None and agents[1] is not None
    assert agents[0].tenant_id == agents[1].tenant_id


def test_unknown_token_is_401(client: TestClient) -> None:
    resp = client.post(ENROLL, json={"token": "oce_not-a-token", "facts": {"hostname": "x"}})
    assert resp.status_code == 401
    assert resp.json()["error_code"] == "common.01010001"


def test_expired_token_is_401(client: TestClient, db: Database, tenant: TenantKey) -> None:
    token = enroll_token(db, tenant, ttl_s=1, now=now_ms() - 5_000)
    assert client.post(ENROLL, json={"token": token, "facts": {}}).status_code == 401


def test_revoked_token_is_401_and_enrolled_agents_keep_working(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    token = enroll_token(db, tenant)
    agent = enroll(client, token)
    with db.write() as session:
        service.revoke_enroll_token(session, tenant_name=tenant.name, token=token, now=now_ms())
    assert client.post(ENROLL, json={"token": token, "facts": {}}).status_code == 401
    assert client.post("/opencoc/v1/agent/heartbeat", json={}, headers=agent.headers).status_code == 200


def test_invalid_facts_are_400_naming_the_field(client: TestClient, db: Database, tenant: TenantKey) -> None:
    token = enroll_token(db, tenant)
    resp = client.post(ENROLL, json={"token": token, "facts": {"hostname": "h" * 300}})
    assert resp.status_code == 400
    assert "facts.hostname" in resp.json()["error_msg"]
    resp = client.post(ENROLL, json={"facts": {}})
    assert resp.status_code == 400 and "token" in resp.json()["error_msg"]


def test_get_by_sn_is_scoped_to_the_tenant(client: TestClient, db: Database, tenant: TenantKey) -> None:
    agent = enroll(client, enroll_token(db, tenant))
    with db.read() as session:
        mine = service.find_by_sn(session, agent.agent_sn)
        assert mine is not None
        assert service.get_by_sn(session, tenant_id=mine.tenant_id, agent_sn=agent.agent_sn) is not None
        assert service.get_by_sn(session, tenant_id=mine.tenant_id + 10_000, agent_sn=agent.agent_sn) is None


def test_a_batch_of_enrolments_answers_each_item_and_writes_only_the_valid_ones(
    db: Database, make_tenant: Callable[..., TenantKey]
) -> None:
    one, two = make_tenant(), make_tenant()
    good_one, good_two = enroll_token(db, one), enroll_token(db, two)
    expired = enroll_token(db, one, ttl_s=1, now=now_ms() - 10_000)
    requests = [
        (good_one, AgentFacts(hostname="a-1")),
        ("oce_nobody", AgentFacts(hostname="ghost")),
        (good_two, AgentFacts(hostname="b-1", fixed_ip="10.0.0.9")),
        (expired, AgentFacts(hostname="late")),
        (good_one, AgentFacts(hostname="a-2")),
    ]
    with db.write() as session:
        out = flows.enroll_many(session, requests, now=now_ms())
    assert [type(x).__name__ for x in out] == ["NewAgent", "OpenCOCError", "NewAgent", "OpenCOCError", "NewAgent"]
    assert all(x.status == 401 for x in out if isinstance(x, OpenCOCError))
    made = [x.enrolled for x in out if isinstance(x, service.NewAgent)]
    held = [x.known for x in out if isinstance(x, service.NewAgent)]
    with db.read() as session:
        agents = {
            a.agent_sn: a for a in session.scalars(select(Agent).where(Agent.agent_sn.in_([m.agent_sn for m in made])))
        }
        hosts = {r.agent_sn: r for r in session.scalars(select(Resource).where(Resource.agent_sn.in_(agents)))}
    assert {(a.tenant_id, a.hostname) for a in agents.values()} == {
        (made[0].tenant_id, "a-1"),
        (made[1].tenant_id, "b-1"),
        (made[0].tenant_id, "a-2"),
    }
    assert made[0].tenant_id != made[1].tenant_id, "each item goes to its own token's tenant"
    assert all(agents[m.agent_sn].secret_hash == sha256_hex(m.secret) for m in made)
    # what authentication holds of each new agent is its stored row's: id, secret hash, time, facts
    assert [(k.id, k.agent_sn, k.secret_hash, k.last_seen_at, k.facts_digest) for k in held] == [
        (a.id, a.agent_sn, a.secret_hash, a.last_seen_at, facts_digest(a.facts))
        for a in (agents[m.agent_sn] for m in made)
    ]
    assert {(h.name, h.resource_id, h.inner_ip) for h in hosts.values()} == {
        ("a-1", made[0].resource_id, None),
        ("b-1", made[1].resource_id, "10.0.0.9"),
        ("a-2", made[2].resource_id, None),
    }
