"""Revocation through the real admin CLI reaches every running server within 2 s.

PostgreSQL: two `opencoc serve` replicas on one database, each with the credential cached;
SQLite: one server. The CLI writes to the database directly; the servers learn of it through
NOTIFY (PostgreSQL) and their twice-a-second revocation check (both).
"""

import json
from collections.abc import Iterator

import httpx
import pytest

from harness.polling import wait_for
from harness.server import LiveServer
from tests.conftest import cli_tenant
from tests.e2e.server.conftest import own_database
from tests.support.signing import TenantKey

REVOKED_WITHIN_S = 2.0
TASKS = "/opencoc/v1/agent/tasks"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def replicas(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[LiveServer]]:
    data_dir = tmp_path_factory.mktemp("replicas")
    database_url = own_database(request, request.param, data_dir)
    count = 1 if database_url is None else 2
    servers = [LiveServer(data_dir, database_url) for _ in range(count)]
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def _status(server: LiveServer, path: str, **kw: object) -> int:
    return httpx.get(server.url + path, timeout=10, **kw).status_code  # type: ignore[arg-type]


def _all_refuse(servers: list[LiveServer], path: str, what: str, **kw: object) -> None:
    wait_for(lambda: all(_status(s, path, **kw) == 401 for s in servers), what, timeout=REVOKED_WITHIN_S, every=0.05)


def _enrolled_agent(server: LiveServer, tenant: str) -> dict[str, str]:
    token = json.loads(server.cli("admin", "create-enroll-token", "--tenant", tenant, "--json").stdout)["token"]
    resp = httpx.post(server.url + "/opencoc/v1/agent/enroll", json={"token": token}, timeout=30)
    assert resp.status_code == 200, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_cli_revoke_key_is_refused_by_every_replica_within_2_s(replicas: list[LiveServer]) -> None:
    first = replicas[0]
    key: TenantKey = cli_tenant(first.data_dir, first.database_url, "revkey")
    for server in replicas:
        assert _status(server, "/v3/auth/domains", auth=key.auth) == 200, "each replica caches the key"

    first.cli("admin", "revoke-key", key.access_key, "--tenant", key.name)

    _all_refuse(replicas, "/v3/auth/domains", "every replica to refuse the revoked key", auth=key.auth)


def test_cli_revoke_agent_is_refused_by_every_replica_within_2_s(replicas: list[LiveServer]) -> None:
    first = replicas[0]
    key = cli_tenant(first.data_dir, first.database_url, "revagent")
    agent = _enrolled_agent(first, key.name)
    bearer = {"Authorization": f"Bearer {agent['agent_sn']}:{agent['agent_secret']}"}
    for server in replicas:
        assert _status(server, TASKS, params={"wait": 0}, headers=bearer) == 200, "each replica caches the agent"

    out = first.cli("admin", "revoke-agent", agent["agent_sn"], "--tenant", key.name)
    assert "revoked" in out.stdout

    _all_refuse(replicas, TASKS, "every replica to refuse the revoked agent", params={"wait": 0}, headers=bearer)
    again = first.cli("admin", "revoke-agent", agent["agent_sn"], "--tenant", key.name)
    assert "already revoked" in again.stdout


def test_cli_password_change_revokes_tokens_on_every_replica(replicas: list[LiveServer]) -> None:
    first = replicas[0]
    key = cli_tenant(first.data_dir, first.database_url, "revtoken")
    first.cli("admin", "create-user", "--tenant", key.name, "--user", "carol", "--password", "first-pass")
    login = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "carol", "password": "first-pass", "domain": {"name": key.name}}},
            }
        }
    }
    issued = httpx.post(first.url + "/v3/auth/tokens", json=login, timeout=30)
    token = {"X-Auth-Token": issued.headers["X-Subject-Token"]}
    for server in replicas:
        assert _status(server, "/v3/auth/domains", headers=token) == 200

    out = first.cli("admin", "set-password", "--tenant", key.name, "--user", "carol", "--password", "second-pass")
    assert "1 token(s) revoked" in out.stdout

    for server in replicas:
        assert _status(server, "/v3/auth/domains", headers=token) == 401, "tokens are not cached: refused at once"


def test_cli_create_key_with_expiry_and_unknown_key_revocation(replicas: list[LiveServer]) -> None:
    first = replicas[0]
    key = cli_tenant(first.data_dir, first.database_url, "expiry")
    out = json.loads(first.cli("admin", "create-key", "--tenant", key.name, "--expires-in", "7", "--json").stdout)
    assert set(out) == {"access_key", "secret_key", "domain_id", "user_id", "expires_at"}
    signed = TenantKey(key.name, key.domain_id, key.user_id, out["access_key"], out["secret_key"])
    assert _status(first, "/v3/auth/domains", auth=signed.auth) == 200

    zero = first.cli("admin", "create-key", "--tenant", key.name, "--expires-in", "0", check=False)
    assert zero.returncode != 0
    missing = first.cli("admin", "revoke-key", "AKNOSUCHKEY", "--tenant", key.name, check=False)
    assert missing.returncode == 1 and "not found" in missing.stderr and "Traceback" not in missing.stderr
