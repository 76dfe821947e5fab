"""The signed /v1/alarm-mgmt API: list, show, clear, to incident, handling history, auto-process."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from tests.api.alarms.helpers import ALARMS, alarms_of, custom_key, incident, incident_operations, reported
from tests.support.signing import TenantKey

CANCEL = "/v1/alarm-mgmt/alarms/cancel"
TO_INCIDENT = "/v1/alarm-mgmt/alarms-linked-incident"


def _alarm(client: TestClient, tenant: TenantKey, key: str, original: str, **overrides: Any) -> str:
    reported(client, key, alarmId=original, **overrides)
    return next(a["alarm_id"] for a in alarms_of(client, tenant) if a["original_alarm_id"] == original)


def test_list_filters_pages_and_envelope(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    for i, level in enumerate(("Critical", "Major", "Info", "Info")):
        reported(client, key, alarmId=f"a{i}", alarmLevel=level)
    reported(client, key, alarmId="a0", alarmStatus="ok")
    resp = client.get(ALARMS, params={"limit": 2, "offset": 0}, auth=tenant.auth)
    assert resp.status_code == 200
    body = resp.json()
    assert body["provider_code"] == "049" and body["error_code"] == "GOM.00000000"
    assert body["data"]["total"] == 4 and [a["original_alarm_id"] for a in body["data"]["list"]] == ["a3", "a2"]
    page2 = client.get(ALARMS, params={"limit": 2, "offset": 2}, auth=tenant.auth).json()["data"]["list"]
    assert [a["original_alarm_id"] for a in page2] == ["a1", "a0"]
    assert [a["original_alarm_id"] for a in alarms_of(client, tenant, status="ok")] == ["a0"]
    assert [a["original_alarm_id"] for a in alarms_of(client, tenant, alarm_level="Info")] == ["a3", "a2"]
    assert len(alarms_of(client, tenant, integration_key=key)) == 4
    assert alarms_of(client, tenant, integration_key="not-a-key") == []
    item = page2[0]
    for field in ("alarm_id", "original_alarm_id", "alarm_name", "alarm_level", "alarm_status", "count"):
        assert field in item
    assert isinstance(item["first_time"], int) and isinstance(item["last_time"], int)
    assert item["incident_num"].startswith("IM") and item["integration_name"] == "monitor"


@pytest.mark.parametrize(
    ("query", "field"),
    [({"limit": 0}, "limit"), ({"offset": -1}, "offset"), ({"limit": "x"}, "limit"), ({"status": "open"}, "status")],
)
def test_list_rejects_bad_queries(client: TestClient, tenant: TenantKey, query: dict[str, Any], field: str) -> None:
    resp = client.get(ALARMS, params=query, auth=tenant.auth)
    assert resp.status_code == 400 and resp.json()["error_code"] == "COC.00000001"
    assert resp.json()["error_msg"].startswith(field)


def test_list_requires_a_signature(client: TestClient) -> None:
    assert client.get(ALARMS).status_code == 401


def test_show_has_the_sdk_fields(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    alarm_id = _alarm(client, tenant, key, "x1")
    reported(client, key, alarmId="x1")
    resp = client.get(f"/v1/alarm-mgmt/alarm/{alarm_id}", auth=tenant.auth)
    assert resp.status_code == 200
    data = resp.json()["data"]
    assert data["id"] == alarm_id and data["name"] == "CPU Usage Exceeding Threshold"
    assert data["importance"] == "Critical" and data["status"] == "alarm" and data["converge_count"] == 2
    assert data["associate_event_id"].startswith("IM") and data["domain_id"] == tenant.domain_id
    assert data["app"] == "18cfa0a5ef8d" and data["region"] == "cn-north-4"
    assert data["owner"] == tenant.user_id and data["owner_name"] == "admin"
    assert data["transfer_rule_name"] == "monitor" and data["come_from"] == "custom"
    assert data["task_type"] == "incident" and data["associated_task_id"] == data["associate_event_id"]
    assert isinstance(data["create_time"], int)


def test_show_unknown_alarm_is_404(client: TestClient, tenant: TenantKey) -> None:
    resp = client.get("/v1/alarm-mgmt/alarm/AL-nope", auth=tenant.auth)
    assert resp.status_code == 404 and resp.json()["error_msg"] == "alarm[AL-nope] does not exist"


def test_clear_by_api_records_history_and_incident(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    first = _alarm(client, tenant, key, "c1")
    second = _alarm(client, tenant, key, "c2", alarmLevel="Info")
    body = {"alarm_ids": f"{first},{second}", "remarks": "fixed by restart", "is_service_interrupt": False}
    resp = client.post(CANCEL, json=body, auth=tenant.auth)
    assert resp.status_code == 200 and sorted(resp.json()["data"]) == sorted([first, second])
    again = client.post(CANCEL, json={"alarm_ids": first}, auth=tenant.auth)
    assert again.status_code == 200 and again.json()["data"] == []
    by_id = {a["alarm_id"]: a for a in alarms_of(client, tenant)}
    assert by_id[first]["alarm_status"] == "ok" and by_id[first]["cleared_by"] == "admin"
    ops = incident_operations(db, by_id[first]["incident_num"])
    assert ops[-1][0] == "alarmCleared" and ops[-1][1]["remarks"] == "fixed by restart"
    histories = client.get(f"/v1/alarm-mgmt/alarm/{first}/handle-histories", auth=tenant.auth).json()
    assert histories["count"] == 2
    assert [h["task_type"] for h in histories["alarm_handle_histories"]] == ["incident", "clear"]
    assert histories["resolved_record"]["create_name"] == "admin"
    assert histories["resolved_record"]["remarks"] == "fixed by restart"
    reported(client, key, alarmId="c1")
    assert len(alarms_of(client, tenant, status="alarm")) == 1, "a report after a clear opens a new alarm"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({}, 400, "alarm_ids must not be null"),
        ({"alarm_ids": ""}, 400, "alarm_ids size must be at least 1"),
        ({"alarm_ids": "AL-missing"}, 404, "alarm[AL-missing] does not exist"),
        ({"alarm_ids": 5}, 400, "alarm_ids must be an array"),
    ],
)
def test_clear_errors_change_nothing(
    client: TestClient, tenant: TenantKey, body: dict[str, Any], status: int, message: str
) -> None:
    key = custom_key(client, tenant)
    alarm_id = _alarm(client, tenant, key, "keep")
    if body.get("alarm_ids") == "AL-missing":
        body = {"alarm_ids": f"{alarm_id},AL-missing"}
    resp = client.post(CANCEL, json=body, auth=tenant.auth)
    assert resp.status_code == status, resp.text
    assert resp.json()["error_msg"] == message
    assert alarms_of(client, tenant)[0]["alarm_status"] == "alarm"


def test_transfer_makes_one_incident_for_several_alarms(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    first = _alarm(client, tenant, key, "t1", alarmLevel="Info")
    second = _alarm(client, tenant, key, "t2", alarmLevel="Info", alarmName="Disk full")
    body = {
        "alarm_ids": f"{first},{second}",
        "title": "storage node sick",
        "level_id": "level_30",
        "mtm_type": "inc_type_p_hardware_issues",
        "assignee": "u-oncall",
        "is_service_interrupt": True,
        "enterprise_project_id": "0",
    }
    resp = client.post(TO_INCIDENT, json=body, auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    [num] = resp.json()["data"]
    created = incident(db, num)
    assert created.incident_title == "storage node sick" and created.incident_level == "level_30"
    assert created.incident_type == "inc_type_p_hardware_issues" and created.incident_assignee == ["u-oncall"]
    assert created.is_service_interrupt is True and created.creator == tenant.user_id
    assert created.incident_source == "incident_source_alarm" and created.enterprise_project == ["0"]
    assert {a["incident_num"] for a in alarms_of(client, tenant)} == {num}
    again = client.post(TO_INCIDENT, json={"alarm_ids": first}, auth=tenant.auth)
    assert again.status_code == 409 and num in again.json()["error_msg"]


def test_transfer_defaults_from_the_alarm_and_rules(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant, level_map={"Critical": None})
    alarm_id = _alarm(client, tenant, key, "d1")
    resp = client.post(TO_INCIDENT, json={"alarm_ids": [alarm_id]}, auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    created = incident(db, resp.json()["data"][0])
    assert created.incident_title == "CPU Usage Exceeding Threshold" and created.incident_level == "level_30"
    assert created.region == ["cn-north-4"] and created.incident_assignee == [tenant.user_id]


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"level_id": "level_99"}, "The field[level_id] value[level_99] invalid"),
        ({"mtm_type": "bogus"}, "The field[mtm_type] value[bogus] invalid"),
        ({"title": "t" * 201}, "title length must be at most 200 characters"),
        ({"is_service_interrupt": "maybe"}, "is_service_interrupt must be a boolean"),
    ],
)
def test_transfer_rejects_bad_fields(
    client: TestClient, db: Database, tenant: TenantKey, extra: dict[str, Any], message: str
) -> None:
    key = custom_key(client, tenant, level_map={"Critical": None})
    alarm_id = _alarm(client, tenant, key, "bad")
    resp = client.post(TO_INCIDENT, json={"alarm_ids": alarm_id, **extra}, auth=tenant.auth)
    assert resp.status_code == 400 and resp.json()["error_msg"] == message
    assert alarms_of(client, tenant)[0]["incident_num"] is None


def test_handle_histories_pages(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    alarm_id = _alarm(client, tenant, key, "h1")
    assert client.post(CANCEL, json={"alarm_ids": alarm_id}, auth=tenant.auth).json()["data"] == [alarm_id]
    resp = client.get(
        f"/v1/alarm-mgmt/alarm/{alarm_id}/handle-histories", params={"offset": 1, "limit": 5}, auth=tenant.auth
    )
    body = resp.json()
    assert resp.status_code == 200 and body["count"] == 2
    [entry] = body["alarm_handle_histories"]
    assert entry["task_type"] == "clear" and entry["status"] == "FINISHED" and entry["duration"] == 0
    assert entry["work_order_id"].startswith("WO")


def test_auto_process_rejects_unsupported_tasks_and_unknown_scripts(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    alarm_id = _alarm(client, tenant, key, "p1")
    path = f"/v1/alarm-mgmt/alarm/{alarm_id}/auto-process"
    runbook = {"task_type": "RUNBOOK", "associated_task_id": "rb-1"}
    resp = client.post(path, json=runbook, auth=tenant.auth)
    assert resp.status_code == 400 and "task_type" in resp.json()["error_msg"]
    missing = client.post(path, json={"task_type": "SCRIPT"}, auth=tenant.auth)
    assert missing.status_code == 400 and missing.json()["error_msg"] == "associated_task_id must not be null"
    no_hosts = client.post(path, json={"task_type": "SCRIPT", "associated_task_id": "SC1"}, auth=tenant.auth)
    assert no_hosts.status_code == 400 and no_hosts.json()["error_msg"] == "target_instances must not be empty"
    hosts = [{"target_instances": "h1"}]
    malformed = client.post(
        path, json={"task_type": "SCRIPT", "associated_task_id": "SC1", "target_instances": hosts}, auth=tenant.auth
    )
    assert (malformed.status_code, malformed.json()["error_code"]) == (400, "COC.00040601"), malformed.text
    assert malformed.json()["error_msg"].startswith("script_uuid[SC1] is invalid")
    unknown_uuid = "SC20990101000000abcdef123"
    body = {"task_type": "SCRIPT", "associated_task_id": unknown_uuid, "target_instances": hosts}
    unknown = client.post(path, json=body, auth=tenant.auth)
    assert (unknown.status_code, unknown.json()["error_code"]) == (400, "COC.00040604"), unknown.text
    assert unknown.json()["error_msg"] == f"script[{unknown_uuid}] does not exist"
    gone = client.post("/v1/alarm-mgmt/alarm/AL-none/auto-process", json=runbook, auth=tenant.auth)
    assert gone.status_code == 404 and gone.json()["error_msg"] == "alarm[AL-none] does not exist"
    histories = client.get(f"/v1/alarm-mgmt/alarm/{alarm_id}/handle-histories", auth=tenant.auth).json()
    assert [h["task_type"] for h in histories["alarm_handle_histories"]] == ["incident"]
