"""Enrolment helpers shared by the agents and resources API tests."""

from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient

from opencoc.agents import service
from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from tests.support.signing import TenantKey

ENROLL = "/opencoc/v1/agent/enroll"
HEARTBEAT = "/opencoc/v1/agent/heartbeat"


@dataclass(frozen=True)
class Enrolled:
    agent_sn: str
    agent_secret: str
    resource_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.agent_sn}:{self.agent_secret}"}


def enroll_token(db: Database, tenant: TenantKey, ttl_s: int | None = 3600, now: int | None = None) -> str:
    with db.write() as session:
        return service.create_enroll_token(session, tenant_name=tenant.name, ttl_s=ttl_s, now=now or now_ms())


def enroll(client: TestClient, token: str, **facts: Any) -> Enrolled:
    body = {"token": token, "facts": {"hostname": "web-01", "fixed_ip": "10.0.0.5", **facts}}
    resp = client.post(ENROLL, json=body)
    assert resp.status_code == 200, resp.text
    return Enrolled(**resp.json())
