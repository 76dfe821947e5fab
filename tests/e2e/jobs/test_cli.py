"""`opencoc script run` and `opencoc order ...` against a real server and real agents."""

import json
import subprocess
import sys

import pytest

from tests.e2e.jobs.support import Api, Host

pytestmark = pytest.mark.timeout(120)


def _cli(api: Api, *args: str) -> subprocess.CompletedProcess[str]:
    env = api.server.env | {
        "OPENCOC_ENDPOINT": api.server.url,
        "HUAWEICLOUD_SDK_AK": api.tenant.access_key,
        "HUAWEICLOUD_SDK_SK": api.tenant.secret_key,
        "COLUMNS": "200",
    }
    return subprocess.run(
        [sys.executable, "-m", "opencoc", *args], env=env, capture_output=True, text=True, timeout=90, check=False
    )


def test_script_run_watches_the_order_to_its_end_and_order_commands_read_it(api: Api, hosts: list[Host]) -> None:
    name = f"cli_hello_{id(api)}"
    api.script("echo hello ${who}", {"who": "nobody"}, name=name)
    targets = ",".join([hosts[0].resource_id, hosts[1].agent_sn, hosts[2].resource_id])
    run = _cli(
        api, "script", "run", name, "--hosts", targets, "--batch-size", "2", "--param", "who=cli", "--timeout", "30"
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "FINISHED" in run.stdout and "2 batches" in run.stdout
    listed = json.loads(_cli(api, "order", "list", "--json").stdout)
    uuid = listed["data"][0]["execute_uuid"]
    assert listed["data"][0]["status"] == "FINISHED" and listed["data"][0]["order_name"] == name
    shown = _cli(api, "order", "show", uuid)
    assert "FINISHED" in shown.stdout and "FINISHED: 3" in shown.stdout
    logs = _cli(api, "order", "logs", uuid)
    assert logs.stdout.count("hello cli") == 3


def test_order_pause_continue_and_errors_from_the_cli(api: Api, hosts: list[Host]) -> None:
    name = f"cli_paused_{id(api)}"
    api.script("echo ok", name=name)
    targets = f"{hosts[0].resource_id},{hosts[1].resource_id}"
    run = _cli(
        api, "script", "run", name, "--hosts", targets, "--batch-size", "1", "--pause-between-batches", "--detach"
    )
    assert run.returncode == 0, run.stderr
    uuid = run.stdout.strip()
    api.wait_status(uuid, "PAUSED")
    assert _cli(api, "order", "continue", uuid).returncode == 0
    api.wait_status(uuid, "FINISHED")
    refused = _cli(api, "order", "cancel", uuid)
    assert refused.returncode == 1 and "CANCEL_ORDER" in refused.stderr and "FINISHED" in refused.stderr
    unknown = _cli(api, "script", "run", name, "--hosts", "no-such-host")
    assert unknown.returncode == 1 and "no-such-host" in unknown.stderr
