"""The OpenCOC app on SQLite for the fuzzing tests, reached in-process through schemathesis' ASGI client.

The client is a `requests` session, so requests are signed by `RequestsSigner` (tests/support/signing.py)
over the exact bytes sent: SDK-HMAC-SHA256 for the COC routes, the enrolled agent's secret for the
agent protocol. Schemathesis ends every ASGI lifespan when a test ends, and the app cannot start
twice, so each test gets a fresh app on the session's database (its tenant and agent made once).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from fastapi import FastAPI
from schemathesis.python import asgi

from opencoc.agents import service as agents_service
from opencoc.agents.schemas import AgentFacts
from opencoc.app import create_app
from opencoc.auth import service as auth_service
from opencoc.config import Settings
from opencoc.core import migrate
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher, load_master_key
from opencoc.core.db import Database
from tests.support.signing import RequestsSigner, TenantKey

AGENT_PREFIX = "/opencoc/agent/v1/"
ENROLL = AGENT_PREFIX + "enroll"


class Bearer(requests.auth.AuthBase):
    def __init__(self, agent_sn: str, agent_secret: str) -> None:
        self.value = f"Bearer {agent_sn}:{agent_secret}"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self.value
        return request


class CallerAuth(requests.auth.AuthBase):
    """The tenant's signature on COC routes; the enrolled agent's secret on the agent protocol."""

    def __init__(self, tenant: RequestsSigner, agent: Bearer) -> None:
        self.tenant = tenant
        self.agent = agent

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        path = request.path_url
        if path.startswith(AGENT_PREFIX) and not path.startswith(ENROLL):
            return self.agent(request)
        return self.tenant(request)


@dataclass(frozen=True)
class Accounts:
    settings: Settings
    tenant: TenantKey
    agent: Bearer

    @property
    def auth(self) -> CallerAuth:
        return CallerAuth(self.tenant.requests_auth, self.agent)


@dataclass(frozen=True)
class FuzzTarget:
    app: FastAPI
    client: asgi.ASGIClient
    tenant: TenantKey
    auth: CallerAuth


@pytest.fixture(scope="session")
def fuzz_accounts(tmp_path_factory: pytest.TempPathFactory) -> Accounts:
    """A migrated SQLite database with the tenant `fuzz` (an access key) and one enrolled agent."""
    data_dir = tmp_path_factory.mktemp("fuzz")
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'opencoc.db'}", secret_key="fuzz-key")
    db = Database(settings.resolved_database_url)
    try:
        migrate.upgrade(db)
        with db.write() as session:
            auth_service.create_tenant(session, name="fuzz")
            key = auth_service.create_access_key(
                session, Cipher(load_master_key(settings)), tenant_name="fuzz", user_name=auth_service.ADMIN_USER
            )
            token = agents_service.create_enroll_token(session, tenant_name="fuzz", ttl_s=None, now=now_ms())
            agent, secret = agents_service.enroll(
                session, token=token, facts=AgentFacts(hostname="fuzz-01"), now=now_ms()
            )
    finally:
        db.dispose()
    tenant = TenantKey("fuzz", key.domain_id, key.user_id, key.access_key, key.secret_key)
    return Accounts(settings, tenant, Bearer(agent.agent_sn, secret))


@pytest.fixture
def fuzz_target(fuzz_accounts: Accounts) -> Iterator[FuzzTarget]:
    app = create_app(fuzz_accounts.settings)
    with asgi.get_client(app) as client:  # starts the app's lifespan
        yield FuzzTarget(app, client, fuzz_accounts.tenant, fuzz_accounts.auth)
    asgi.shutdown_lifespans()
