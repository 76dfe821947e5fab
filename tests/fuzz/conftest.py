"""The OpenCOC app on SQLite for the fuzzing tests, reached in-process through schemathesis' ASGI client.

The client is a `requests` session, so requests are signed by `RequestsSigner` (tests/support/signing.py)
over the exact bytes sent: SDK-HMAC-SHA256 for the COC routes, the enrolled agent's secret for the
agent protocol. Schemathesis ends every ASGI lifespan when a test ends, and the app cannot start
twice, so each test gets a fresh app on the session's database (its tenant and objects made once).
"""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.python import asgi

from opencoc.app import create_app
from opencoc.auth import service as auth_service
from opencoc.config import Settings
from opencoc.core import migrate
from opencoc.core.crypto import Cipher, load_master_key
from opencoc.core.db import Database
from tests.api.alarms.helpers import alarms_of, integration, reported
from tests.api.incidents.helpers import create as create_incident
from tests.api.jobs.helpers import Fleet, batches
from tests.support.signing import RequestsSigner, TenantKey

AGENT_PREFIX = "/opencoc/v1/agent/"
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
    known: dict[str, list[str]]  # path parameter -> values naming the tenant's objects

    @property
    def auth(self) -> CallerAuth:
        return CallerAuth(self.tenant.requests_auth, self.agent)


@dataclass(frozen=True)
class FuzzTarget:
    app: FastAPI
    client: asgi.ASGIClient
    tenant: TenantKey
    auth: CallerAuth


def _tenant(settings: Settings) -> TenantKey:
    db = Database(settings.resolved_database_url)
    try:
        migrate.upgrade(db)
        with db.write() as session:
            auth_service.create_tenant(session, name="fuzz")
            key = auth_service.create_access_key(
                session, Cipher(load_master_key(settings)), tenant_name="fuzz", user_name=auth_service.ADMIN_USER
            )
    finally:
        db.dispose()
    return TenantKey("fuzz", key.domain_id, key.user_id, key.access_key, key.secret_key)


@pytest.fixture(scope="session")
def fuzz_accounts(tmp_path_factory: pytest.TempPathFactory) -> Accounts:
    """A SQLite database with the tenant `fuzz` and one of each object the API names in a path.

    An enrolled host, a script and its order (the host's task claimed), an integration and its
    alarm, an incident: the fuzzer aims part of its requests at them (test_openapi_fuzz.py).
    """
    data_dir = tmp_path_factory.mktemp("fuzz")
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'opencoc.db'}", secret_key="fuzz-key")
    tenant = _tenant(settings)
    app = create_app(settings)
    with TestClient(app) as client:
        fleet = Fleet(client, app.state.db, tenant)
        [host] = fleet.enroll(1)
        script = fleet.script()
        order = fleet.execute(script, batches([host]))
        task = fleet.task(host)["task_id"]
        made = integration(client, tenant, name="fuzz")
        reported(client, made["integration_key"])
        [alarm] = alarms_of(client, tenant)
        incident = create_incident(client, tenant)
    known = {
        "script_uuid": [script],
        "resource_id": [script],
        "execute_uuid": [order],
        "task_id": [str(task)],
        "alarm_id": [alarm["alarm_id"]],
        "ref": ["fuzz", made["integration_id"]],
        "incident_num": [incident],
        "incident_id": [incident],
        "ticket_type": ["incident"],
        "resource_type": ["coc:script"],
    }
    return Accounts(settings, tenant, Bearer(host.agent_sn, host.agent_secret), known)


@pytest.fixture
def fuzz_target(fuzz_accounts: Accounts) -> Iterator[FuzzTarget]:
    app = create_app(fuzz_accounts.settings)
    with asgi.get_client(app) as client:  # starts the app's lifespan
        yield FuzzTarget(app, client, fuzz_accounts.tenant, fuzz_accounts.auth)
    asgi.shutdown_lifespans()
