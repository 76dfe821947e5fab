"""A real `opencoc agent` process against a real server: enrol, ONLINE, restart, OFFLINE."""

import getpass
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.polling import wait_for
from harness.server import LiveServer
from opencoc.agent import identity
from tests.conftest import cli_tenant
from tests.e2e.jobs.support import Api, Host
from tests.support.signing import TenantKey

OFFLINE_AFTER_S = 5


@pytest.fixture(scope="module")
def server(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """A server that declares agents OFFLINE after a few seconds of silence."""
    live = LiveServer(
        tmp_path_factory.mktemp("agent-e2e"),
        None if backend.startswith("sqlite") else backend,
        extra_env={"OPENCOC_AGENT_OFFLINE_AFTER_SECONDS": str(OFFLINE_AFTER_S)},
    ).start()
    yield live
    live.stop()


def _agent(server: LiveServer, state_dir: Path, *args: str) -> subprocess.Popen[bytes]:
    argv = [sys.executable, "-m", "opencoc", "agent", "--server", server.url, "--state-dir", str(state_dir)]
    with open(state_dir.parent / f"{state_dir.name}.log", "ab") as log:
        return subprocess.Popen([*argv, "--heartbeat", "1", *args], stdout=log, stderr=subprocess.STDOUT)


def _hosts(server: LiveServer, tenant: TenantKey) -> list[dict[str, Any]]:
    params = {"provider": "ecs", "type": "cloudservers", "limit": 100}
    resp = httpx.get(f"{server.url}/v1/external/resources", params=params, auth=tenant.auth, timeout=10)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]  # type: ignore[no-any-return]


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.kill(proc.pid, sig)
        proc.wait(15)


def test_agent_enrols_keeps_its_identity_and_goes_offline_when_killed(server: LiveServer, tmp_path: Path) -> None:
    tenant = cli_tenant(server.data_dir, server.database_url, f"agents-{tmp_path.name[-10:]}")
    token = json.loads(server.cli("admin", "create-enroll-token", "--tenant", tenant.name, "--json").stdout)["token"]
    state_dir = tmp_path / "state"

    first = _agent(server, state_dir, "--token", token, "--region", "r-e2e", "--hostname", "e2e-host")
    try:
        wait_for(
            lambda: [h["agent_state"] for h in _hosts(server, tenant)] == ["ONLINE"], "the host ONLINE in the inventory"
        )
        (host,) = _hosts(server, tenant)
        # The server knows the host once enrolment answers; the agent saves the identity after that.
        saved = wait_for(lambda: identity.load(state_dir), "the agent to save its identity")
        assert (state_dir / "identity.json").stat().st_mode & 0o777 == 0o600
        assert host["agent_id"] == saved.agent_sn and host["resource_id"] == saved.resource_id
        assert (host["name"], host["region_id"], host["properties"]["os_type"]) == ("e2e-host", "r-e2e", "linux")
    finally:
        _stop(first)
    # Wait for the silence to show, so that ONLINE below can only come from the restarted agent.
    wait_for(lambda: _hosts(server, tenant)[0]["agent_state"] == "OFFLINE", "the stopped agent OFFLINE")

    second = _agent(server, state_dir)  # no token: the saved identity is reused
    try:
        wait_for(lambda: _hosts(server, tenant)[0]["agent_state"] == "ONLINE", "the restarted agent ONLINE")
        with Api(server, tenant) as api:
            restarted = Host(second, state_dir, saved.agent_sn, saved.resource_id)
            uuid = api.execute(api.script("echo restarted"), [[restarted]], execute_user=getpass.getuser())
            assert api.wait_status(uuid, "FINISHED", "ABNORMAL")["status"] == "FINISHED", api.instance(uuid)
            assert api.instance(uuid)["message"] == "restarted\n", "the restarted agent runs its host's tasks"
        assert second.poll() is None, "the restarted agent exited"
        hosts = _hosts(server, tenant)
        assert [h["agent_id"] for h in hosts] == [saved.agent_sn], "a restart must not enrol a second identity"
    finally:
        _stop(second, signal.SIGKILL)
    # Killed while its 30-s long-poll is open: the lost connection ends its presence at once, so it shows
    # OFFLINE after the threshold, long before that poll would have timed out.
    wait_for(
        lambda: _hosts(server, tenant)[0]["agent_state"] == "OFFLINE",
        "the agent killed during its long-poll OFFLINE",
        timeout=3 * OFFLINE_AFTER_S,
    )


def test_agent_without_identity_or_token_says_what_is_missing(server: LiveServer, tmp_path: Path) -> None:
    proc = _agent(server, tmp_path / "empty")
    assert proc.wait(30) == 2
    assert "pass --token" in (tmp_path / "empty.log").read_text()


def test_agent_with_a_bad_token_stops_with_the_reason(server: LiveServer, tmp_path: Path) -> None:
    proc = _agent(server, tmp_path / "bad", "--token", "oce_wrong")
    assert proc.wait(30) == 2
    assert "enrolment refused: HTTP 401" in (tmp_path / "bad.log").read_text()
    assert not (tmp_path / "bad" / "identity.json").exists()
