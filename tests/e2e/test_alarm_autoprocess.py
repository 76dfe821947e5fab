"""handler_alarm runs a script for an alarm on a real agent, and the alarm's history names the order."""

from pathlib import Path

import httpx
import pytest

from harness.server import LiveServer
from tests.api.alarms.helpers import alarm_body
from tests.e2e.jobs.support import Api, enroll_token, start_agent
from tests.support.signing import TenantKey

pytestmark = pytest.mark.timeout(120)


def test_auto_process_runs_the_script_on_the_host(
    live_server: LiveServer, live_tenant: TenantKey, tmp_path: Path
) -> None:
    host = start_agent(live_server, enroll_token(live_server, live_tenant.name), tmp_path / "agent")
    try:
        with Api(live_server, live_tenant) as api:
            created = api.call("POST", "/opencoc/v1/alarm-mgmt/integrations", json={"name": "auto", "type": "custom"})
            assert httpx.post(created["url"], json=alarm_body()).is_success
            [alarm] = api.call("GET", "/opencoc/v1/alarm-mgmt/alarms")["list"]
            script = api.script('echo "handled ${alarm}" > ${out}', {"alarm": "", "out": ""})
            out = tmp_path / "handled.txt"
            body = {
                "task_type": "SCRIPT",
                "associated_task_id": script,
                "associated_task_name": "restart service",
                "input_param": {"alarm": alarm["alarm_id"], "out": str(out)},
                "target_instances": [
                    {"target_selection": "MANUAL", "target_instances": host.resource_id, "order_no": 1}
                ],
            }
            data = api.call("POST", f"/v1/alarm-mgmt/alarm/{alarm['alarm_id']}/auto-process", json=body)
            execute_uuid = data["associated_task_id"]
            assert execute_uuid.startswith("SCT") and data["work_order_id"].startswith("WO")
            assert api.wait_status(execute_uuid, "FINISHED", "ABNORMAL")["status"] == "FINISHED"
            assert out.read_text() == f"handled {alarm['alarm_id']}\n"
            histories = httpx.get(
                f"{live_server.url}/v1/alarm-mgmt/alarm/{alarm['alarm_id']}/handle-histories", auth=live_tenant.auth
            ).json()["alarm_handle_histories"]
            assert [(h["task_type"], h["associated_task_id"]) for h in histories][-1] == ("SCRIPT", execute_uuid)
    finally:
        host.stop()
