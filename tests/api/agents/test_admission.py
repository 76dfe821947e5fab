"""Admission control on the agent routes: past the limit agents get 503 with Retry-After, users never do."""

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencoc.agents.models import Agent
from opencoc.app import create_app
from opencoc.config import Settings
from opencoc.core.db import Database
from tests.api.agents.helpers import ENROLL, HEARTBEAT, enroll, enroll_token
from tests.api.incidents.helpers import CREATE, create_body
from tests.support.signing import TenantKey

TASKS = "/opencoc/v1/agent/tasks"
HOSTS = "/v1/resources?provider=ecs&type=cloudservers&limit=100"


@pytest.fixture
def full(settings: Settings) -> Iterator[TestClient]:
    """A second server process on the same database whose agent routes have no room at all."""
    crowded = settings.model_copy(update={"agent_max_active_requests": 0, "agent_retry_after_max_seconds": 7})
    with TestClient(create_app(crowded), raise_server_exceptions=False) as test_client:
        yield test_client


def _agents(db: Database) -> int:
    with db.read() as session:
        return int(session.scalar(select(func.count()).select_from(Agent)) or 0)


def _busy(resp: object) -> None:
    assert getattr(resp, "status_code", None) == 503, getattr(resp, "text", resp)
    headers = resp.headers  # type: ignore[attr-defined]
    assert 1 <= int(headers["retry-after"]) <= 7
    assert resp.json()["error_code"] == "OPENCOC.AGENT.BUSY"  # type: ignore[attr-defined]


def test_a_full_server_turns_agents_away_with_retry_after_and_writes_nothing(
    client: TestClient, full: TestClient, db: Database, tenant: TenantKey
) -> None:
    token = enroll_token(db, tenant)
    agent = enroll(client, token)
    before = _agents(db)
    _busy(full.post(ENROLL, json={"token": token, "facts": {"hostname": "late"}}))
    assert _agents(db) == before, "a refused enrolment must not create an agent"
    _busy(full.post(HEARTBEAT, json={}, headers=agent.headers))
    _busy(full.get(f"{TASKS}?wait=0", headers=agent.headers))
    _busy(full.post(f"{TASKS}/{'0' * 32}/result", json={"status": "FINISHED"}, headers=agent.headers))


def test_user_calls_are_never_refused_by_the_agents_admission(full: TestClient, tenant: TenantKey) -> None:
    assert full.get(HOSTS, auth=tenant.auth).status_code == 200
    created = full.post(CREATE, json=create_body(), auth=tenant.auth)
    assert created.status_code == 200, created.text


def test_agent_requests_give_their_slots_back(client: TestClient, db: Database, tenant: TenantKey) -> None:
    admission = client.app.state.agent_admission  # type: ignore[attr-defined]
    agent = enroll(client, enroll_token(db, tenant))
    assert client.post(HEARTBEAT, json={}, headers=agent.headers).status_code == 200
    assert client.get(f"{TASKS}?wait=0", headers=agent.headers).status_code == 200
    assert client.get(f"{TASKS}?wait=1", headers=agent.headers).status_code == 200
    assert client.post(HEARTBEAT, json={}, headers={"Authorization": "Bearer x:y"}).status_code == 401
    assert admission.active == 0 and admission.refused == 0


def test_an_enrolment_waiting_for_its_batch_holds_no_slot(
    client: TestClient, db: Database, tenant: TenantKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    admission, enroller = client.app.state.agent_admission, client.app.state.agent_enroller  # type: ignore[attr-defined]
    active_while_queued: list[int] = []
    submit = enroller.submit

    async def queued(*args: object) -> object:
        active_while_queued.append(admission.active)
        return await submit(*args)

    monkeypatch.setattr(enroller, "submit", queued)
    enroll(client, enroll_token(db, tenant))
    assert active_while_queued == [0] and admission.active == 0
