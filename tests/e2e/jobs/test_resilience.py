"""Orders survive what hosts and servers do: a killed agent, a killed server, another tenant."""

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from harness.server import LiveServer
from tests.conftest import cli_tenant
from tests.e2e.jobs.conftest import GRACE_S
from tests.e2e.jobs.support import ORDERS, Api, Host, wait_for

pytestmark = pytest.mark.timeout(180)


def test_an_agent_killed_mid_run_turns_its_instance_abnormal_after_the_grace(
    api: Api, add_hosts: Callable[[int], list[Host]], tmp_path: Path
) -> None:
    (doomed,) = add_hosts(1)
    pid_file = tmp_path / "pid"
    script = api.script("echo $$ > ${pidfile}; sleep 60", {"pidfile": ""})
    uuid = api.execute(script, [[doomed]], params={"pidfile": str(pid_file)})
    wait_for(lambda: pid_file.exists() and pid_file.read_text().strip(), "the script to start")
    doomed.kill9()
    try:
        info = api.wait_status(uuid, "ABNORMAL", "FINISHED", timeout=60)
        inst = api.instance(uuid)
        assert info["status"] == "ABNORMAL"
        assert inst["status"] == "ABNORMAL" and inst["message"] == "agent lost"
        assert inst["target_instance"]["agent_status"] == "OFFLINE"
    finally:
        os.killpg(int(pid_file.read_text()), signal.SIGKILL)  # the orphaned script of the dead agent


@pytest.mark.parametrize("down_s", [0, float(GRACE_S) + 2], ids=["restarted at once", "down longer than the grace"])
def test_a_server_killed_mid_order_continues_after_restart_and_runs_nothing_twice(
    api: Api, hosts: list[Host], jobs_server: LiveServer, tmp_path: Path, down_s: float
) -> None:
    """The server's own downtime does not count against the agents (jobs/offline_grace.py): the host running
    batch 2 is not taken for lost, nor batch 3's host for offline, when the server comes back after the grace."""
    script = api.script("f=$(mktemp ${dir}/run.XXXXXX); sleep 2; echo done > $f", {"dir": ""})
    uuid = api.execute(script, [[h] for h in hosts], params={"dir": str(tmp_path)})
    wait_for(lambda: len(list(tmp_path.glob("run.*"))) == 2, "batch 2's script to be running")
    jobs_server.kill9()
    time.sleep(down_s)
    jobs_server.start()
    info = api.wait_status(uuid, "FINISHED", "ABNORMAL", "PAUSED", timeout=90)
    ended = [(i["status"], i["message"]) for b in (1, 2, 3) for i in api.instances(uuid, b)]
    assert info["status"] == "FINISHED", ended
    runs = sorted(tmp_path.glob("run.*"))
    assert len(runs) == 3, f"each of the 3 instances runs exactly once, got {runs}"
    assert all(r.read_text() == "done\n" for r in runs)


def test_another_tenant_sees_none_of_the_orders_and_cannot_run_on_the_hosts(
    api: Api, hosts: list[Host], jobs_server: LiveServer
) -> None:
    uuid = api.execute(api.script("echo ok"), [hosts[:1]])
    api.wait_status(uuid, "FINISHED")
    other = cli_tenant(jobs_server.data_dir, jobs_server.database_url, f"other{os.getpid()}{id(api)}")
    body = {
        "execute_param": {"timeout": 60, "success_rate": 100, "execute_user": "root"},
        "execute_batches": [
            {
                "batch_index": 1,
                "rotation_strategy": "CONTINUE",
                "target_instances": [{"resource_id": hosts[0].resource_id, "agent_sn": hosts[0].agent_sn}],
            }
        ],
    }
    with Api(jobs_server, other) as other_api:
        for path in (f"{ORDERS}/{uuid}", f"{ORDERS}/{uuid}/statistics", f"{ORDERS}/{uuid}/batches"):
            resp = other_api.http.get(path)
            assert resp.status_code == 400 and resp.json()["error_code"] == "COC.00040709", path
        assert other_api.http.get(ORDERS).json()["data"] == {"total": 0, "data": []}
        resp = other_api.http.post(f"/v1/job/scripts/{other_api.script('echo stolen')}", json=body)
    assert resp.status_code == 400 and hosts[0].resource_id in resp.json()["error_msg"]
