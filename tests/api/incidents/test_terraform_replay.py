"""The Terraform provider's incident resources replayed byte for byte against a real server.

`huaweicloud_coc_incident` creates and then reads the incident; `huaweicloud_coc_incident_handle`
posts one handle (resource_huaweicloud_coc_incident.go, resource_huaweicloud_coc_incident_handle.go).
`parameter` is a Terraform map of strings, so booleans and times arrive as strings. The incident's
read sets every field the resource manages from `data.*`, and those fields are NonUpdatable: if a
handle changed one, every later `terraform plan` would fail with "<field> can't be updated".
"""

import json
from typing import Any

import httpx
import pytest

from harness.server import LiveServer
from tests.api.incidents.helpers import define_scene
from tests.support.signing import TenantKey
from tests.support.terraform import data, go_json, ignore_empty, remove_nil, send

USER_ID = "0f7bd0dbc44e4c1a8b4b1cc1a7b3a6e1"
CREATE = "/v1/external/incident/create"
HANDLE = "/v1/external/incident/handle"

NON_UPDATABLE = (
    "regions", "enterprise_project", "start_time", "current_cloud_service", "incident_level",
    "is_service_interrupt", "incident_type", "incident_ownership", "incident_title", "incident_description",
    "incident_source", "incident_assignee", "assignee_scene", "assignee_role", "creator",
)  # fmt: skip
LISTS = ("regions", "enterprise_project", "current_cloud_service", "incident_assignee")
COMPUTED = ("incident_assignee",)  # Optional and Computed: unset in the configuration, it takes what the read gives
READ_FROM = {"regions": "region"}  # the resource's name -> the detail's, where they differ


def create_body(config: dict[str, Any]) -> bytes:
    """buildIncidentCreateOpts, then utils.RemoveNil."""
    body = {
        "incident_level": config["incident_level"],
        "is_service_interrupt": config["is_service_interrupt"],
        "incident_type": config["incident_type"],
        "incident_title": config["incident_title"],
        "incident_source": config["incident_source"],
        "creator": config["creator"],
        "region": config.get("regions", []),
        "enterprise_project": config.get("enterprise_project", []),
        "start_time": ignore_empty(config.get("start_time")),
        "current_cloud_service": config.get("current_cloud_service", []),
        "incident_ownership": ignore_empty(config.get("incident_ownership")),
        "incident_description": ignore_empty(config.get("incident_description")),
        "incident_assignee": config.get("incident_assignee", []),
        "assignee_scene": ignore_empty(config.get("assignee_scene")),
        "assignee_role": ignore_empty(config.get("assignee_role")),
    }
    return go_json(remove_nil(body))


def handle_body(num: str, operator: str, operate_key: str, parameter: dict[str, str]) -> bytes:
    """buildIncidentHandleCreateOpts: `parameter` is always sent, `{}` when the map is empty."""
    body = {"incident_num": num, "operator": operator, "operate_key": operate_key, "parameter": remove_nil(parameter)}
    return go_json(body)


def _zero(name: str) -> Any:
    if name in LISTS:
        return []
    return {"start_time": 0, "is_service_interrupt": False}.get(name, "")


def read_state(server: LiveServer, key: TenantKey, num: str) -> dict[str, Any]:
    """What resourceIncidentRead stores for the managed fields (d.Set of a null is the zero value)."""
    detail = data(send(server, key, "GET", f"/v1/external/incident/{num}"))
    values = {name: detail[READ_FROM.get(name, name)] for name in NON_UPDATABLE}
    return {name: _zero(name) if value is None else value for name, value in values.items()}


def plan_diff(config: dict[str, Any], state: dict[str, Any]) -> dict[str, tuple[Any, Any]]:
    """The NonUpdatable fields `terraform plan` would find changed: state -> configuration."""
    diff = {}
    for name in NON_UPDATABLE:
        if name not in config and name in COMPUTED:
            continue
        wanted = config.get(name, _zero(name))
        if state[name] != wanted:
            diff[name] = (state[name], wanted)
    return diff


def _apply(server: LiveServer, key: TenantKey, config: dict[str, Any]) -> str:
    return str(data(send(server, key, "POST", CREATE, create_body(config)))["incident_num"])


def _handle(server: LiveServer, key: TenantKey, num: str, operator: str, operate_key: str, **parameter: str) -> None:
    resp = send(server, key, "POST", HANDLE, handle_body(num, operator, operate_key, parameter))
    assert resp.status_code == 200, (operate_key, resp.text)
    assert json.loads(resp.content)["error_code"] == "GOM.00000000"


SOLUTION = {
    "mtm_type": "inc_type_p_config_issues",
    "is_service_interrupt": "true",
    "cause": "disk full",
    "solution": "cleaned /var/log",
    "start_time": "1700000000000",
    "fault_recovery_time": "1700000600000",
    "fault_delineation_time": "1700000300000",
}
BASE = {
    "incident_level": "level_50",
    "is_service_interrupt": False,
    "incident_type": "inc_type_p_security_issues",
    "incident_title": "tf-acc-test",
    "incident_source": "incident_source_manual",
    "creator": USER_ID,
}
CASES = {
    "with_start_time": {
        **BASE,
        "regions": ["cn-north-4"],
        "enterprise_project": ["0"],
        "start_time": 1_699_990_000_000,
        "current_cloud_service": ["6470681a31da2a47ed50a919"],
        "incident_ownership": "team-storage",
        "incident_description": "disk full on db-1",
        "incident_assignee": [USER_ID],
    },
    "without_start_time": {**BASE, "incident_assignee": [USER_ID]},
    "assigned_by_scene_and_role": {**BASE, "assignee_scene": "scene-db", "assignee_role": "role-dba"},
}


@pytest.mark.parametrize("case", CASES)
def test_handles_leave_every_non_updatable_field_as_configured(
    live_server: LiveServer, live_tenant: TenantKey, case: str
) -> None:
    config = CASES[case]
    if case == "assigned_by_scene_and_role":
        with httpx.Client(base_url=live_server.url) as http:
            define_scene(http, live_tenant, "scene-db", {"role-dba": ["u-oncall-7"]})
    num = _apply(live_server, live_tenant, config)
    first = read_state(live_server, live_tenant, num)
    assert plan_diff(config, first) == {}, "the read right after create must match the configuration"

    handler = "u-oncall-7" if case == "assigned_by_scene_and_role" else USER_ID
    _handle(live_server, live_tenant, num, handler, "acceptedIncident1")
    _handle(live_server, live_tenant, num, handler, "commitSolution1", **SOLUTION)
    _handle(live_server, live_tenant, num, USER_ID, "confirm", virtual_confirm_result="true")

    second = read_state(live_server, live_tenant, num)
    assert second == first
    assert plan_diff(config, second) == {}
    detail = data(send(live_server, live_tenant, "GET", f"/v1/external/incident/{num}"))
    assert detail["status"] == "INCIDENT_STATUS_COMPLETED" and detail["acceptor"] == handler
    assert detail["fault_recovery_time"] == 1_700_000_600_000 and detail["fault_delineation_time"] == 1_700_000_300_000
    assert detail["solution"] == {
        "mtm_type": "inc_type_p_config_issues",
        "is_service_interrupt": True,
        "start_time": 1_700_000_000_000,
        "fault_recovery_time": 1_700_000_600_000,
        "fault_delineation_time": 1_700_000_300_000,
        "cause": "disk full",
        "solution": "cleaned /var/log",
    }


def test_incident_resource_create_and_read_round_trip(live_server: LiveServer, live_tenant: TenantKey) -> None:
    num = _apply(live_server, live_tenant, CASES["with_start_time"])
    detail = data(send(live_server, live_tenant, "GET", f"/v1/external/incident/{num}"))
    assert detail["status"] == "INCIDENT_STATUS_TRIGGERED" and isinstance(detail["create_time"], int)
    assert detail["handle_time"] is None and detail["warroom_id"] is None
    assert {"filed_key", "enum_key", "name_zh", "name_en"} == set(detail["enum_data_list"][0])
    assert detail["acceptor"] is None and detail["solution"] is None


def test_solution_without_start_time_takes_the_incidents_own(live_server: LiveServer, live_tenant: TenantKey) -> None:
    num = _apply(live_server, live_tenant, CASES["with_start_time"])
    _handle(live_server, live_tenant, num, USER_ID, "acceptedIncident1")
    solution = {k: v for k, v in SOLUTION.items() if k != "start_time"}
    _handle(live_server, live_tenant, num, USER_ID, "commitSolution1", **solution)
    detail = data(send(live_server, live_tenant, "GET", f"/v1/external/incident/{num}"))
    assert detail["start_time"] == detail["solution"]["start_time"] == 1_699_990_000_000


def test_handle_resources_with_string_parameters_drive_the_workflow(
    live_server: LiveServer, live_tenant: TenantKey
) -> None:
    num = _apply(live_server, live_tenant, CASES["without_start_time"])
    steps = [
        ("acceptedIncident1", {}, "INCIDENT_STATUS_ACKNOWLEDGED"),
        ("commitSolution1", SOLUTION, "INCIDENT_STATUS_RESOLVED"),
        ("confirm", {"virtual_confirm_comment": "not yet", "virtual_confirm_result": "false"}, "ACKNOWLEDGED"),
        (
            "commitSolution1",
            {"cause": "c", "is_service_interrupt": "false", "mtm_type": "inc_type_p_config_issues", "solution": "s"},
            "INCIDENT_STATUS_RESOLVED",
        ),
        ("confirm", {"virtual_confirm_result": "true"}, "INCIDENT_STATUS_COMPLETED"),
    ]
    for operate_key, parameter, status in steps:
        _handle(live_server, live_tenant, num, USER_ID, operate_key, **parameter)
        detail = data(send(live_server, live_tenant, "GET", f"/v1/external/incident/{num}"))
        assert detail["status"].endswith(status), operate_key
    assert detail["solution"]["is_service_interrupt"] is False and isinstance(detail["handle_time"], int)


def test_unknown_incident_reads_as_gone(live_server: LiveServer, live_tenant: TenantKey) -> None:
    resp = send(live_server, live_tenant, "GET", "/v1/external/incident/IM20240318132203017804260")
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "COC.00067003"
    assert resp.headers["x-request-id"]


def test_failed_handle_is_a_400_the_provider_reports(live_server: LiveServer, live_tenant: TenantKey) -> None:
    num = _apply(live_server, live_tenant, CASES["without_start_time"])
    resp = send(live_server, live_tenant, "POST", HANDLE, handle_body(num, USER_ID, "acceptedIncident 111", {}))
    assert resp.status_code == 400
    assert resp.json()["error_msg"] == "The field[operate_key] value[acceptedIncident 111] invalid"
