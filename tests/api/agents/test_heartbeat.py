"""Agent authentication (Bearer agent_sn:secret) and heartbeats: liveness and host facts."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from harness.polling import wait_for
from opencoc.agents import service
from opencoc.agents.models import Agent
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from tests.api.agents.helpers import HEARTBEAT, enroll, enroll_token
from tests.support.signing import TenantKey

HOSTS = "/v1/resources?provider=ecs&type=cloudservers&limit=100"


def _host(client: TestClient, tenant: TenantKey, resource_id: str) -> dict:  # type: ignore[type-arg]
    resp = client.get(f"{HOSTS}&resource_id_list={resource_id}", auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    (item,) = resp.json()["data"]
    return item  # type: ignore[no-any-return]


def test_heartbeat_answers_the_server_time(client: TestClient, db: Database, tenant: TenantKey) -> None:
    agent = enroll(client, enroll_token(db, tenant))
    before = now_ms()
    resp = client.post(HEARTBEAT, json={}, headers=agent.headers)
    assert resp.status_code == 200, resp.text
    assert set(resp.json()) == {"server_time"} and resp.json()["server_time"] >= before


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer",
        "Bearer nobody:secret",
        "Basic abc",
        "Bearer {sn}:wrong-secret",
        "Bearer {sn}",
        "Bearer :{secret}",
    ],
)
def test_bad_agent_credentials_are_401(
    client: TestClient, db: Database, tenant: TenantKey, authorization: str | None
) -> None:
    agent = enroll(client, enroll_token(db, tenant))
    headers = {}
    if authorization is not None:
        headers["Authorization"] = authorization.format(sn=agent.agent_sn, secret=agent.agent_secret)
    resp = client.post(HEARTBEAT, json={}, headers=headers)
    assert resp.status_code == 401, resp.text


def test_changed_facts_update_the_host_resource(client: TestClient, db: Database, tenant: TenantKey) -> None:
    agent = enroll(client, enroll_token(db, tenant), hostname="old-name", region_id="r1")
    facts = {"hostname": "new-name", "fixed_ip": "10.9.9.9", "ips": ["10.9.9.9"], "region_id": "r2", "os_type": "linux"}
    assert client.post(HEARTBEAT, json={"facts": facts}, headers=agent.headers).status_code == 200
    item = _host(client, tenant, agent.resource_id)
    assert (item["name"], item["inner_ip"], item["region_id"]) == ("new-name", "10.9.9.9", "r2")
    assert item["properties"]["os_type"] == "linux"


def test_a_silent_agent_is_offline_and_a_heartbeat_brings_it_back(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    agent = enroll(client, enroll_token(db, tenant))
    with db.write() as session:
        session.execute(update(Agent).where(Agent.agent_sn == agent.agent_sn).values(last_seen_at=now_ms() - 600_000))
    client.app.state.agent_registry.forget(agent.agent_sn)  # type: ignore[attr-defined]  # its row, held since enrolment
    assert _host(client, tenant, agent.resource_id)["agent_state"] == "OFFLINE"
    assert client.post(HEARTBEAT, json={}, headers=agent.headers).status_code == 200
    wait_for(
        lambda: _host(client, tenant, agent.resource_id)["agent_state"] == "ONLINE",
        "the heartbeat to bring the agent back ONLINE",
        timeout=10,
    )


def test_recorded_last_seen_times_move_each_agent_forward_and_never_back(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    token = enroll_token(db, tenant)
    agents = [enroll(client, token) for _ in range(3)]
    with db.write() as session:
        ids = {a.agent_sn: session.scalar(select(Agent.id).where(Agent.agent_sn == a.agent_sn)) for a in agents}
        session.execute(update(Agent).where(Agent.id.in_(ids.values())).values(last_seen_at=5_000))
    first, second, third = (ids[a.agent_sn] for a in agents)
    with db.write() as session:
        service.record_seen(session, {first: 9_000, second: 4_000})  # the second's time is older than its row's
    with db.read() as session:
        stored = dict(session.execute(select(Agent.id, Agent.last_seen_at).where(Agent.id.in_(ids.values()))).all())
    assert stored == {first: 9_000, second: 5_000, third: 5_000}
