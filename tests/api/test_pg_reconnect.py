"""PostgreSQL closing the server's pooled connections (a restart, a failover, an administrator): the next
calls are answered as usual on new connections, none with a 500."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from harness.polling import wait_for
from harness.postgres import PgServer
from opencoc.app import create_app
from opencoc.auth import service as auth_service
from opencoc.config import Settings
from opencoc.core.db import Database
from tests.api.incidents.helpers import CREATE, create_body, show
from tests.support.signing import TenantKey


@pytest.fixture
def pg_client(pg_server: PgServer | None, tmp_path: Path) -> Iterator[TestClient]:
    if pg_server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    url = pg_server.create_database("pg_reconnect")
    settings = Settings(data_dir=tmp_path, database_url=url, secret_key="test-master-key")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        yield client


def _key(client: TestClient) -> TenantKey:
    db: Database = client.app.state.db  # type: ignore[attr-defined]
    with db.write() as session:
        auth_service.create_tenant(session, name="reconnect")
        key = auth_service.create_access_key(
            session,
            client.app.state.cipher,
            tenant_name="reconnect",
            user_name=auth_service.ADMIN_USER,  # type: ignore[attr-defined]
        )
    return TenantKey("reconnect", key.domain_id, key.user_id, key.access_key, key.secret_key)


_OTHERS = "pid <> pg_backend_pid() AND datname = current_database() AND backend_type = 'client backend'"


def _sessions(url: str, sql: str, **params: object) -> set[int]:
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            return set(conn.scalars(text(sql), params))
    finally:
        engine.dispose()


def _close_other_sessions(url: str) -> set[int]:
    """Terminate the database's other sessions, as a restart would; their pids once they have gone."""
    others = _sessions(url, f"SELECT pid FROM pg_stat_activity WHERE {_OTHERS}")
    _sessions(
        url, "SELECT pid FROM unnest(CAST(:pids AS int[])) AS pid WHERE pg_terminate_backend(pid)", pids=list(others)
    )
    wait_for(lambda: not others & _sessions(url, "SELECT pid FROM pg_stat_activity"), "the sessions to end")
    return others


@pytest.mark.postgres
def test_calls_after_postgres_closed_the_pooled_connections_are_answered(pg_client: TestClient) -> None:
    key = _key(pg_client)
    nums = []
    for _ in range(4):  # several pooled connections in use and back in the pool
        resp = pg_client.post(CREATE, json=create_body(), auth=key.auth)
        assert resp.status_code == 200, resp.text
        nums.append(resp.json()["data"]["incident_num"])
    url = pg_client.app.state.db.url  # type: ignore[attr-defined]
    assert _close_other_sessions(url), "the server's pooled connections were open"

    created = pg_client.post(CREATE, json=create_body(incident_title="after the restart"), auth=key.auth)
    assert created.status_code == 200, created.text
    for num in [*nums, created.json()["data"]["incident_num"]]:
        assert show(pg_client, key, num).status_code == 200
    assert show(pg_client, key, created.json()["data"]["incident_num"]).json()["data"]["incident_title"] == (
        "after the restart"
    )
