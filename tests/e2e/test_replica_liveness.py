"""Coalesced liveness across two replicas on PostgreSQL: the replica an agent polls keeps it ONLINE for both.

The agent's open long-poll is its only sign of life (no heartbeats while it is open); replica B
keeps its last-seen time in memory and writes it in batches, and replica A, which the agent never
calls, derives ONLINE/OFFLINE from the shared row. The threshold here is 4 s and the poll 20 s, so
an agent that stayed ONLINE for three thresholds was kept so by its open poll alone.
"""

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness import postgres
from harness.polling import wait_for
from harness.replicas import start_replicas, stop_replicas
from harness.server import LiveServer
from tests.conftest import cli_tenant
from tests.e2e.jobs.support import Host, enroll_token, start_agent
from tests.support.signing import TenantKey

OFFLINE_AFTER_S = 4
pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def replicas(
    pg_server: postgres.PgServer | None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[LiveServer]]:
    if pg_server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    url = pg_server.create_database(f"opencoc_liveness_{os.getpid()}")
    env = {"OPENCOC_AGENT_OFFLINE_AFTER_SECONDS": str(OFFLINE_AFTER_S)}
    servers = start_replicas(tmp_path_factory.mktemp("liveness"), url, 2, env)
    yield servers
    stop_replicas(servers)


def _state(server: LiveServer, tenant: TenantKey) -> str:
    params: dict[str, Any] = {"provider": "ecs", "type": "cloudservers", "limit": 100}
    resp = httpx.get(f"{server.url}/v1/resources", params=params, auth=tenant.auth, timeout=10)
    assert resp.status_code == 200, resp.text
    (host,) = resp.json()["data"]
    return str(host["agent_state"])


def _stays_online(servers: list[LiveServer], tenant: TenantKey, seconds: float) -> None:
    """Every replica shows the agent ONLINE at every look over `seconds` (sampled, not waited on)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert [_state(s, tenant) for s in servers] == ["ONLINE", "ONLINE"]
        time.sleep(0.5)


def test_an_agent_polling_one_replica_is_online_on_both_and_offline_on_both_once_killed(
    replicas: list[LiveServer], tmp_path: Path
) -> None:
    a, b = replicas
    tenant = cli_tenant(a.data_dir, a.database_url, f"live{os.getpid()}")
    agent: Host = start_agent(b, enroll_token(b, tenant.name), tmp_path / "agent", "--poll-wait", "20")
    try:
        wait_for(lambda: _state(a, tenant) == "ONLINE", "replica A to see the agent ONLINE")
        _stays_online(replicas, tenant, 3 * OFFLINE_AFTER_S)

        b.stop()  # the agent loses its poll: A sees it OFFLINE, so ONLINE below comes from its reconnection
        wait_for(lambda: _state(a, tenant) == "OFFLINE", "replica A to see the agent OFFLINE while B is down")
        b.start(timeout=60)
        wait_for(lambda: _state(a, tenant) == "ONLINE", "the agent ONLINE again after B's restart", timeout=60)
        _stays_online(replicas, tenant, 3 * OFFLINE_AFTER_S)
    finally:
        agent.kill9()
    for server, name in ((a, "A"), (b, "B")):
        wait_for(lambda s=server: _state(s, tenant) == "OFFLINE", f"replica {name} to see the killed agent OFFLINE")
