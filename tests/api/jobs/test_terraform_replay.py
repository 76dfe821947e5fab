"""`huaweicloud_coc_script_execute` replayed as the provider sends it (resource_huaweicloud_coc_script_execute.go).

Create: sync resources, wait for the instance's agent to be ONLINE in `GET /v1/external/resources`,
post the execute body built from that item, wait for the order to leave PROCESSING, then read the
order. The read sets `script_id`, `timeout` and `execute_user`, which are NonUpdatable: they must
read back as configured, and stay so on every later read.
"""

from typing import Any

from tests.api.jobs.helpers import ORDERS, Fleet
from tests.support.terraform import data, go_json, remove_nil, send

NON_UPDATABLE_READ = ("script_id", "timeout", "execute_user")


def execute_body(config: dict[str, Any], item: dict[str, Any]) -> bytes:
    """buildCreateExecuteBodyParams, then utils.RemoveNil."""
    params = [
        {"param_order": i, "param_name": p["name"], "param_value": p["value"]}
        for i, p in enumerate(config.get("parameters", []), start=1)
    ]
    body = {
        "execute_param": {
            "resourceful": True,
            "success_rate": 100,
            "timeout": config["timeout"],
            "execute_user": config["execute_user"],
            "script_params": params or None,
        },
        "execute_batches": [
            {
                "batch_index": 1,
                "rotation_strategy": "PAUSE",
                "target_instances": [
                    {
                        "resource_id": item.get("resource_id"),
                        "agent_sn": item.get("agent_id"),
                        "project_id": item.get("project_id"),
                        "region_id": item.get("region_id"),
                    }
                ],
            }
        ],
    }
    return go_json(remove_nil(body))


def read_state(fleet: Fleet, uuid: str) -> dict[str, Any]:
    """What resourceScriptExecuteRead stores."""
    detail = data(send(fleet.client, fleet.tenant, "GET", f"{ORDERS}/{uuid}"))
    props = detail["properties"]
    return {
        "status": detail["status"],
        "script_id": props["script_uuid"],
        "script_name": props["script_name"],
        "timeout": props["execute_param"]["timeout"],
        "execute_user": props["execute_param"]["execute_user"],
        "created_at": detail["gmt_created"],
        "finished_at": detail["gmt_finished"],
    }


def test_script_execute_reads_back_what_it_manages(fleet: Fleet) -> None:
    (host,) = fleet.enroll(1)
    script = fleet.script(params=[{"param_name": "a", "param_value": "x", "param_description": "d",
                                   "param_order": 1, "sensitive": False}])  # fmt: skip
    config = {
        "script_id": script,
        "instance_id": host.resource_id,
        "timeout": 600,
        "execute_user": "root",
        "parameters": [{"name": "a", "value": "hello"}],
    }
    sync = send(fleet.client, fleet.tenant, "POST", "/v1/external/resources/sync",
                go_json({"provider": "ecs", "type": "cloudservers"}))  # fmt: skip
    assert data(sync) == "success"
    query = f"provider=ecs&type=cloudservers&limit=10&resource_id_list={host.resource_id}"
    [item] = data(send(fleet.client, fleet.tenant, "GET", "/v1/external/resources", query=query))
    assert item["agent_id"] == host.agent_sn and item["agent_state"] == "ONLINE" and item["ep_id"] == "0"

    resp = send(fleet.client, fleet.tenant, "POST", f"/v1/job/scripts/{script}", execute_body(config, item))
    uuid = data(resp)
    task = fleet.run(host)
    assert (task["params"], task["execute_user"], task["timeout"]) == (
        [{"name": "a", "value": "hello", "sensitive": False}],
        "root",
        600,
    )
    first = read_state(fleet, uuid)
    assert first["status"] == "FINISHED" and isinstance(first["finished_at"], int)
    assert {k: first[k] for k in NON_UPDATABLE_READ} == {k: config[k] for k in NON_UPDATABLE_READ}
    assert read_state(fleet, uuid) == first
    listed = data(send(fleet.client, fleet.tenant, "GET", "/v1/job/scripts", query="limit=100"))["data"]
    assert [s["usage_count"] for s in listed if s["script_uuid"] == script] == [1]
