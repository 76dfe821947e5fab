"""The long-poll served bare (jobs/poll_bare.py) answers as the route does: same bodies, errors and X-Request-Id."""

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from opencoc.jobs import poll_bare
from tests.api.agents.helpers import enroll, enroll_token
from tests.support.signing import TenantKey

TASKS = "/opencoc/v1/agent/tasks"


def test_a_poll_with_and_without_a_body_gets_the_same_answer(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    agent = enroll(client, enroll_token(db, tenant))
    bare = client.get(TASKS, params={"wait": 0}, headers=agent.headers)
    routed = client.request("GET", TASKS, params={"wait": 0}, headers=agent.headers, content=b"{}")
    for resp in (bare, routed):
        assert resp.status_code == 200, resp.text
        assert resp.json() == {"tasks": [], "cancel": []}
        assert len(resp.headers["x-request-id"]) == 32
    assert bare.headers["x-request-id"] != routed.headers["x-request-id"]


@pytest.mark.parametrize(
    ("wait", "msg"), [("61", "wait must be <= 60.0"), ("-1", "wait must be >= 0.0"), ("soon", "wait must be a number")]
)
def test_a_wrong_wait_is_a_400_naming_it(
    client: TestClient, db: Database, tenant: TenantKey, wait: str, msg: str
) -> None:
    agent = enroll(client, enroll_token(db, tenant))
    for body in (None, b"{}"):  # served bare, and the FastRoute way
        resp = client.request("GET", TASKS, params={"wait": wait}, headers=agent.headers, content=body)
        assert resp.status_code == 400, resp.text
        assert resp.json()["error_msg"] == msg
        assert resp.headers["x-request-id"]


def test_an_unknown_agent_is_a_401_in_the_coc_envelope(client: TestClient) -> None:
    resp = client.get(TASKS, params={"wait": 0}, headers={"Authorization": "Bearer nobody:secret"})
    assert resp.status_code == 401
    assert resp.json()["error_code"] and "provider_code" in resp.json()
    assert resp.headers["x-request-id"]


def test_a_crash_is_a_500_with_its_request_id_and_the_agent_is_no_longer_present(
    client: TestClient, db: Database, tenant: TenantKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    agent = enroll(client, enroll_token(db, tenant))

    async def broken(**_: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(poll_bare, "poll_tasks", broken)
    resp = client.get(TASKS, params={"wait": 0}, headers=agent.headers)
    assert resp.status_code == 500
    assert resp.json() == {"error_code": "COC.00040701", "error_msg": "Internal server error"}
    assert len(resp.headers["x-request-id"]) == 32
    registry = client.app.state.agent_registry  # type: ignore[attr-defined]
    assert agent.agent_sn not in registry._open, "the presence ended with the request"
    assert client.app.state.agent_admission.active == 0, "the admission slot was given back"  # type: ignore[attr-defined]
