"""The Terraform provider's v2 incident resources replayed as it sends them, on both databases.

- `data.huaweicloud_coc_incident_tasks` GETs /v2/incidents/{id}/tasks and reads `data[*]`;
  its acceptance test feeds `data[0].operations[*].task_id` (the first non-empty) to
- `huaweicloud_coc_incident_action`, which POSTs `{incident_id, task_id, action, params}` (no
  RemoveNil: `params` is `null` when the map is empty; every param is a string) and whose read
  does nothing (its state is what was configured);
- `data.huaweicloud_coc_incidents` POSTs /v2/incidents/list with `contain_all` and
  `contain_total` true and reads `data.tickets[*]`; its `group_by_filter` goes as a list;
- `data.huaweicloud_coc_incident_action_histories` POSTs /v2/incidents/{id}/histories (with
  `incident_id` in the body too) and reads `data.info[*]`.
A data source is read on every plan: read twice with nothing changed, it must give the same
values, or every plan would show a difference.
"""

import time
from typing import Any

from fastapi.testclient import TestClient

from tests.support.signing import TenantKey
from tests.support.terraform import data, go_json, ignore_empty, remove_nil, send

FILTER_KEYS = ("field", "operator", "values", "name", "group", "match_type", "priority_type")
TICKET_KEYS = (
    "current_cloud_service_id", "level_id", "mtm_region", "source_id", "forward_rule_id", "enterprise_project_id",
    "mtm_type", "title", "description", "ticket_id", "is_service_interrupt", "work_flow_status", "phase", "assignee",
    "creator", "operator", "update_time", "create_time", "start_time", "handle_time", "incident_ownership",
)  # fmt: skip
# What the acceptance tests check is set (TestCheckResourceAttrSet: present and not empty).
TICKET_SET = (
    "current_cloud_service_id", "level_id", "source_id", "enterprise_project_id", "mtm_type", "title",
    "description", "ticket_id", "is_service_interrupt", "work_flow_status", "assignee", "creator", "operator",
    "update_time", "create_time",
)  # fmt: skip
HISTORY_SET = ("action", "action_name_zh", "action_name_en", "operator", "status", "start_time")


def _create(client: TestClient, key: TenantKey) -> str:
    """huaweicloud_coc_incident as its acceptance test configures it (testIncident_basic): creator and
    assignee are HW_USER_ID, the user who then acts through huaweicloud_coc_incident_action."""
    body = {
        "incident_level": "level_50",
        "is_service_interrupt": False,
        "incident_type": "inc_type_p_security_issues",
        "incident_title": "tf-acc-test",
        "incident_description": "created by terraform",
        "incident_source": "incident_source_manual",
        "creator": key.user_id,
        "region": ["cn-north-4"],
        "enterprise_project": ["0"],
        "current_cloud_service": ["6470681a31da2a47ed50a919"],
        "incident_assignee": [key.user_id],
    }
    return str(data(send(client, key, "POST", "/v1/external/incident/create", go_json(body)))["incident_num"])


def _filters(items: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
    """buildIncidentsFiltersQueryOpts: the three required keys as given, the optional ones ignored when empty."""
    if not items:
        return None
    return [
        {k: (item.get(k) if k in ("field", "operator", "values") else ignore_empty(item.get(k))) for k in FILTER_KEYS}
        for item in items
    ]


def tasks_read(client: TestClient, key: TenantKey, num: str) -> list[dict[str, Any]]:
    """showIncidentTaskToSchema: type, key, name, state and operations' task_id and key."""
    raw = data(send(client, key, "GET", f"/v2/incidents/{num}/tasks"))
    return [
        {
            "type": n["type"],
            "key": n["key"],
            "name": n["name"],
            "state": n["state"],
            "operations": [{"task_id": o["task_id"], "key": o["key"]} for o in n["operations"]],
        }
        for n in raw
    ]


def action_create(
    client: TestClient, key: TenantKey, num: str, task_id: str, action: str, params: dict[str, str]
) -> Any:
    """resourceIncidentActionCreate: buildIncidentActionCreateOpts, without RemoveNil."""
    body = {"incident_id": num, "task_id": task_id, "action": action, "params": ignore_empty(params)}
    return send(client, key, "POST", f"/v2/incidents/{num}/actions", go_json(body))


def incidents_read(client: TestClient, key: TenantKey, config: dict[str, Any]) -> list[dict[str, Any]]:
    """dataSourceCocIncidentsRead: buildIncidentsQueryOpts, RemoveNil, flattenCocIncidents."""
    sort = _filters(config.get("sort_filter"))
    body = {
        "contain_all": True,
        "contain_total": True,
        "contain_sub_ticket": ignore_empty(config.get("contain_sub_ticket", True)),
        "string_filters": _filters(config.get("string_filters")),
        "sort_filter": sort[0] if sort else None,
        "condition": ignore_empty(config.get("condition")),
        "count_filters": None,
        "fields": ignore_empty(config.get("fields")),
        "group_by_filter": _filters(config.get("group_by_filter")),
        "int_filters": _filters(config.get("int_filters")),
        "ticket_types": ignore_empty(config.get("ticket_types")),
    }
    tickets = data(send(client, key, "POST", "/v2/incidents/list", go_json(remove_nil(body))))["tickets"]
    return [
        {
            **{k: t.get(k) for k in TICKET_KEYS},
            "enum_data_list": [
                {k: e.get(k) for k in ("prop_id", "biz_id", "name_zh", "name_en")}
                for e in t.get("enum_data_list") or []
            ],
        }
        for t in tickets
    ]


def histories_read(client: TestClient, key: TenantKey, num: str, sort: dict[str, Any]) -> list[dict[str, Any]]:
    """dataSourceCocIncidentActionHistoriesRead: the body with incident_id, RemoveNil, data.info."""
    [sort_filter] = _filters([sort]) or []
    body = {"incident_id": num, "sort_filter": sort_filter}
    info = data(send(client, key, "POST", f"/v2/incidents/{num}/histories", go_json(remove_nil(body))))["info"]
    keys = (*HISTORY_SET, "stop_time", "comment")
    return [
        {
            **{k: i.get(k) for k in keys},
            "enum_data_list": [
                {k: e.get(k) for k in ("prop_id", "biz_id", "name_zh", "name_en")} for e in i["enum_data_list"]
            ],
        }
        for i in info
    ]


def _is_set(value: Any) -> bool:
    return value not in (None, "", [])


def test_incident_action_with_the_task_id_from_the_tasks_data_source(client: TestClient, tenant: TenantKey) -> None:
    num = _create(client, tenant)
    nodes = tasks_read(client, tenant, num)
    assert tasks_read(client, tenant, num) == nodes, "a second read of the tasks differs"
    task_id = [o["task_id"] for o in nodes[0]["operations"] if o["task_id"] != ""][0]
    resp = action_create(client, tenant, num, task_id, "rejected", {"virtual_confirm_comment": "test comment"})
    assert data(resp) is None and resp.json()["error_code"] == "GOM.00000000"
    after = tasks_read(client, tenant, num)
    assert after[0]["key"] == "incident_rejected"
    assert after[0]["operations"][0]["task_id"] != task_id, "the action's task_id is stale now (ignore_changes)"
    assert tasks_read(client, tenant, num) == after


def test_incident_action_with_no_params_sends_null(client: TestClient, tenant: TenantKey) -> None:
    num = _create(client, tenant)
    task_id = tasks_read(client, tenant, num)[0]["operations"][0]["task_id"]
    assert data(action_create(client, tenant, num, task_id, "accepted", {})) is None
    task_id = tasks_read(client, tenant, num)[0]["operations"][0]["task_id"]
    params = {"virtual_target_level": "level_20", "virtual_change_level_comment": "customers affected"}
    data(action_create(client, tenant, num, task_id, "changeLevel", params))
    task_id = tasks_read(client, tenant, num)[0]["operations"][0]["task_id"]
    data(action_create(client, tenant, num, task_id, "agreed", {"conclusion": "true", "note": "ok"}))
    detail = data(send(client, tenant, "GET", f"/v1/external/incident/{num}"))
    assert (detail["status"], detail["incident_level"]) == ("INCIDENT_STATUS_ACKNOWLEDGED", "level_20")


def test_an_invalid_action_answers_an_error_the_provider_reports(client: TestClient, tenant: TenantKey) -> None:
    num = _create(client, tenant)
    task_id = tasks_read(client, tenant, num)[0]["operations"][0]["task_id"]
    resp = action_create(client, tenant, num, task_id, "recovery", {})
    assert resp.status_code == 400
    assert resp.json()["error_code"] == "COC.00067004" and "action[recovery]" in resp.json()["error_msg"]


def test_incidents_data_source_as_its_acceptance_test_reads_it(client: TestClient, tenant: TenantKey) -> None:
    num = _create(client, tenant)
    now = int(time.time()) * 1000
    config = {
        "contain_sub_ticket": True,
        "string_filters": [
            {"field": "create_time", "operator": ">=", "values": [str(now - 600_000)], "name": "create_time_start"},
            {"field": "create_time", "operator": "<=", "values": [str(now + 600_000)], "name": "create_time_end"},
        ],
        "sort_filter": [{"field": "create_time", "operator": "desc", "values": ["create_time"], "name": "create_time"}],
        "group_by_filter": [{"field": "level_id", "operator": "=", "values": ["level_50"]}],
    }
    tickets = incidents_read(client, tenant, config)
    assert tickets[0]["ticket_id"] == num
    assert [k for k in TICKET_SET if not _is_set(tickets[0][k])] == []
    assert all(_is_set(v) for v in tickets[0]["enum_data_list"][0].values())
    assert incidents_read(client, tenant, config) == tickets, "a second read of the data source differs"


def test_action_histories_data_source_as_its_acceptance_test_reads_it(client: TestClient, tenant: TenantKey) -> None:
    num = _create(client, tenant)
    sort = {"operator": "desc", "field": "start_time", "name": "start_time", "values": ["start_time"]}
    info = histories_read(client, tenant, num, sort)
    assert len(info) > 0, "sort_filter_is_useful"
    assert [k for k in HISTORY_SET if not _is_set(info[0][k])] == []
    assert all(_is_set(v) for v in info[0]["enum_data_list"][0].values())
    assert histories_read(client, tenant, num, sort) == info, "a second read of the data source differs"
