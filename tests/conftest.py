"""Fixtures shared by every test tier.

- `backend`: each API test runs on SQLite and on PostgreSQL (a throwaway server, see
  harness/postgres.py; OPENCOC_TEST_POSTGRES=required makes a failure to start fatal).
- `client`: the app in-process (Starlette TestClient, lifespan running) on that backend.
- `tenant` / `make_tenant`: a fresh tenant with an access key; tests isolate by tenant.
- `live_server`: a real `opencoc serve` process on that backend.
"""

import itertools
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from harness import postgres
from harness.server import LiveServer, server_env
from opencoc.app import create_app
from opencoc.auth import service as auth_service
from opencoc.config import Settings
from opencoc.core.db import Database
from tests.support.signing import TenantKey

MASTER_KEY = "test-master-key"
_names = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[postgres.PgServer | None]:
    if postgres.mode() == "off":
        yield None
        return
    try:
        server = postgres.start()
    except Exception as exc:
        if postgres.mode() == "required":
            pytest.fail(f"OPENCOC_TEST_POSTGRES=required but PostgreSQL could not start: {exc}")
        yield None
        return
    yield server
    server.stop()


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A database URL, once per backend for the session."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'opencoc.db'}"
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    return server.create_database(f"opencoc_{next(_names)}")


@pytest.fixture(scope="session")
def settings(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    # The tests' SMTP servers listen on 127.0.0.1, which the notification allow-list refuses unless listed.
    return Settings(
        data_dir=tmp_path_factory.mktemp("data"),
        database_url=backend,
        secret_key=MASTER_KEY,
        notify_allowed_hosts="127.0.0.1",
    )


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def db(client: TestClient) -> Database:
    return client.app.state.db  # type: ignore[attr-defined]


@pytest.fixture
def make_tenant(db: Database, client: TestClient) -> Callable[..., TenantKey]:
    """Create a tenant (unique name) with an access key for its admin, or for a new user (of `role`)."""

    def make(user: str | None = None, password: str | None = None, role: str = "operator") -> TenantKey:
        name = f"t{next(_names)}-{id(db) % 10_000}"
        cipher = client.app.state.cipher  # type: ignore[attr-defined]
        with db.write() as session:
            auth_service.create_tenant(session, name=name)
            user_name = auth_service.ADMIN_USER
            if user:
                auth_service.create_user(session, tenant_name=name, name=user, password=password, role=role)
                user_name = user
            key = auth_service.create_access_key(session, cipher, tenant_name=name, user_name=user_name)
        return TenantKey(name, key.domain_id, key.user_id, key.access_key, key.secret_key)

    return make


@pytest.fixture
def make_user(db: Database, client: TestClient) -> Callable[..., TenantKey]:
    """Another user of an existing tenant, with `role` and an access key."""

    def make(tenant: TenantKey, name: str, role: str = "operator") -> TenantKey:
        cipher = client.app.state.cipher  # type: ignore[attr-defined]
        with db.write() as session:
            auth_service.create_user(session, tenant_name=tenant.name, name=name, password=None, role=role)
            key = auth_service.create_access_key(session, cipher, tenant_name=tenant.name, user_name=name)
        return TenantKey(tenant.name, key.domain_id, key.user_id, key.access_key, key.secret_key)

    return make


@pytest.fixture
def tenant(make_tenant: Callable[..., TenantKey]) -> TenantKey:
    return make_tenant()


@pytest.fixture(scope="session")
def live_server(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """A real server process on this backend (its own SQLite file or PostgreSQL database).

    Its own database, not the in-process client's: its background workers (the notification
    sender, the sweeps) would otherwise claim the in-process tests' rows under other settings.
    """
    data_dir = tmp_path_factory.mktemp("live")
    database_url = None
    if not backend.startswith("sqlite"):
        database_url = request.getfixturevalue("pg_server").create_database(f"opencoc_live_{next(_names)}")
    server = LiveServer(data_dir, database_url).start()
    yield server
    server.stop()


def cli_tenant(data_dir: Path, database_url: str | None, name: str) -> TenantKey:
    """Create a tenant and key through the real admin CLI (`--json` output)."""
    env = server_env(data_dir, database_url)

    def run(*args: str) -> dict:  # type: ignore[type-arg]
        out = subprocess.run(
            [sys.executable, "-m", "opencoc", "admin", *args, "--json"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
        return json.loads(out.stdout)

    run("create-tenant", name)
    key = run("create-key", "--tenant", name)
    return TenantKey(name, key["domain_id"], key["user_id"], key["access_key"], key["secret_key"])


@pytest.fixture
def live_tenant(live_server: LiveServer) -> TenantKey:
    return cli_tenant(live_server.data_dir, live_server.database_url, f"live{next(_names)}")
