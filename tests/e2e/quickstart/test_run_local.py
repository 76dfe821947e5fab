"""What `make run` starts: `opencoc run-local` serves the API and runs a local agent that runs scripts."""

import getpass
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from harness.server import LiveServer, free_port, server_env
from opencoc.agent import identity
from tests.e2e.jobs.support import Api, Host, wait_for
from tests.support.signing import TenantKey

pytestmark = pytest.mark.timeout(120)


def _online_resource(api: Api) -> dict[str, str] | None:
    try:
        listed = api.http.get("/v1/resources", params={"provider": "ecs", "type": "cloudservers", "limit": 10})
    except httpx.TransportError:
        return None
    if listed.status_code != 200:
        return None
    online = [r for r in listed.json()["data"] if r["agent_state"] == "ONLINE"]
    return online[0] if online else None


def test_run_local_serves_the_api_with_a_local_agent_that_runs_scripts(tmp_path: Path) -> None:
    port = free_port()
    env = server_env(tmp_path, None, OPENCOC_HOST="127.0.0.1", OPENCOC_PORT=str(port))
    subprocess.run([sys.executable, "-m", "opencoc", "quickstart"], env=env, capture_output=True, check=True)
    profile = json.loads((tmp_path / "profile.json").read_text())
    assert profile["endpoint"] == f"http://127.0.0.1:{port}"

    with open(tmp_path / "run-local.log", "ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "opencoc", "run-local"], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    server = LiveServer(tmp_path, None, port=port)
    tenant = TenantKey("default", profile["domain_id"], "", profile["access_key"], profile["secret_key"])
    api = Api(server, tenant)
    try:
        resource = wait_for(lambda: _online_resource(api), "the local agent to be ONLINE", timeout=60)
        # ONLINE from enrolment on; the agent saves its identity once enrolment has answered
        saved = wait_for(lambda: identity.load(tmp_path / "agent"), "the local agent to save its identity")
        assert saved.agent_sn == resource["agent_id"]

        marker = tmp_path / "ran-by-the-local-agent"
        script = api.script("echo $(id -un) > ${target}", {"target": ""})
        host = Host(proc, tmp_path / "agent", resource["agent_id"], resource["resource_id"])
        user = getpass.getuser()
        uuid = api.execute(script, [[host]], params={"target": str(marker)}, execute_user=user)
        assert api.wait_status(uuid, "FINISHED", "ABNORMAL")["status"] == "FINISHED", api.instance(uuid)
        assert marker.read_text() == f"{user}\n"
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            raise
        api.http.close()
