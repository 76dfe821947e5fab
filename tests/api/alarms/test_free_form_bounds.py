"""Alarm free-form JSON (`additional`, Alertmanager labels/annotations, `sub_task_info`) is bounded on input,
and an alarm stored deeper before the bounds existed no longer breaks the list, the detail or the history."""

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from opencoc.core.json_bounds import TRUNCATED
from tests.api.alarms.helpers import ALARMS, alarms_of, custom_key, integration, report, tenant_alarm_count
from tests.support.signing import TenantKey
from tests.support.stored_json import deep_json, store_json_text

DEPTH_RULE = "must be nested at most 16 levels deep"


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"a": value}
    return value


def _alarm_id(client: TestClient, tenant: TenantKey) -> str:
    key = custom_key(client, tenant)
    assert report(client, key).status_code == 200
    return str(alarms_of(client, tenant)[0]["alarm_id"])


def test_additional_sixteen_levels_deep_is_stored_and_seventeen_is_a_400(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    key = custom_key(client, tenant)
    resp = report(client, key, alarmId="deep17", additional=nested(17))
    assert resp.status_code == 400 and resp.json()["error_msg"] == f"additional {DEPTH_RULE}", resp.text
    assert resp.json()["provider_code"] == "049"
    assert tenant_alarm_count(db, tenant) == 0
    assert report(client, key, alarmId="deep16", additional=nested(16)).status_code == 200
    [alarm] = alarms_of(client, tenant)
    assert alarm["additional"] == nested(16)


def test_additional_over_its_size_is_a_400(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    resp = report(client, key, additional={f"k{i}": "v" * 100 for i in range(200)})
    assert resp.status_code == 400
    assert resp.json()["error_msg"] == "additional size must be at most 16384 characters as JSON"


@pytest.mark.parametrize("field", ["labels", "annotations"])
def test_deep_alertmanager_labels_or_annotations_are_a_400_naming_the_alert(
    client: TestClient, db: Database, tenant: TenantKey, field: str
) -> None:
    key = integration(client, tenant, type_="prometheus")["integration_key"]
    alert: dict[str, Any] = {"status": "firing", "labels": {"alertname": "Disk"}, "annotations": {}}
    alert[field] = {**alert[field], "deep": nested(16)}
    resp = client.post(
        f"/v1/event/prometheus/{key}", json={"alerts": [{"status": "firing", "labels": {"alertname": "ok"}}, alert]}
    )
    assert resp.status_code == 400, resp.text
    assert resp.json()["error_msg"] == f"alerts[1].{field} {DEPTH_RULE}"
    assert tenant_alarm_count(db, tenant) == 0


def test_alertmanager_labels_at_the_bound_are_stored_and_shown_whole(client: TestClient, tenant: TenantKey) -> None:
    key = integration(client, tenant, type_="prometheus")["integration_key"]
    labels = {"alertname": "Disk", "deep": nested(15)}  # 16 levels with the labels object itself
    resp = client.post(f"/v1/event/prometheus/{key}", json={"alerts": [{"status": "firing", "labels": labels}]})
    assert resp.status_code == 200, resp.text
    [alarm] = alarms_of(client, tenant)
    assert alarm["additional"]["labels"] == labels


def test_alertmanager_ends_at_must_be_a_time_string(client: TestClient, tenant: TenantKey) -> None:
    key = integration(client, tenant, type_="prometheus")["integration_key"]
    alert = {"status": "firing", "labels": {"alertname": "Disk"}, "endsAt": {"deep": nested(300)}}
    resp = client.post(f"/v1/event/prometheus/{key}", json={"alerts": [alert]})
    assert resp.status_code == 400 and resp.json()["error_msg"].startswith("The field[alerts[0].endsAt] value[")


def test_sub_task_info_is_bounded(client: TestClient, tenant: TenantKey) -> None:
    alarm_id = _alarm_id(client, tenant)
    body = {"task_type": "SCRIPT", "associated_task_id": "SC1", "sub_task_info": nested(17)}
    resp = client.post(f"/v1/alarm-mgmt/alarm/{alarm_id}/auto-process", json=body, auth=tenant.auth)
    assert resp.status_code == 400 and resp.json()["error_msg"] == f"sub_task_info {DEPTH_RULE}", resp.text


@pytest.mark.parametrize("depth", [990, 65_000])
def test_deeply_nested_target_instances_text_is_a_400(client: TestClient, tenant: TenantKey, depth: int) -> None:
    alarm_id = _alarm_id(client, tenant)
    hosts = "[" * depth + "]" * depth if depth < 1000 else "[" * depth
    body = {"task_type": "SCRIPT", "associated_task_id": "SC1", "target_instances": [{"target_instances": hosts}]}
    resp = client.post(f"/v1/alarm-mgmt/alarm/{alarm_id}/auto-process", json=body, auth=tenant.auth)
    assert resp.status_code == 400, resp.text[:300]
    assert "target_instances" in resp.json()["error_msg"]


@pytest.mark.parametrize(
    ("depth", "nested_rule", "nul_status", "nul_rule"),
    [
        (990, "alarm_ids[0] must be a string", 400, "remarks must not contain NUL characters"),
        # orjson reads 1024 levels; 100,000 levels of the NUL key exceed the 1 MB body limit
        (100_000, "request body is not valid JSON", 413, "request body must be at most 1048576 bytes"),
    ],
)
def test_a_deeply_nested_rejected_field_is_a_4xx_not_a_recursion_error(
    client: TestClient, tenant: TenantKey, depth: int, nested_rule: str, nul_status: int, nul_rule: str
) -> None:
    body = '{"alarm_ids": ' + "[" * depth + "]" * depth + "}"
    resp = client.post("/v1/alarm-mgmt/alarms/cancel", content=body, auth=tenant.auth)
    assert resp.status_code == 400, resp.text[:300]
    assert resp.json()["error_msg"] == nested_rule
    nul = '{"alarm_ids": "A1", "remarks": ' + '{"k\\u0000":' * depth + "1" + "}" * depth + "}"
    resp = client.post("/v1/alarm-mgmt/alarms/cancel", content=nul, auth=tenant.auth)
    assert resp.status_code == nul_status, resp.text[:300]
    assert resp.json()["error_msg"] == nul_rule


def test_an_alarm_stored_1000_levels_deep_still_lists_and_shows(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    alarm_id = _alarm_id(client, tenant)
    store_json_text(db, "alarms", "additional", "alarm_id = :id", {"id": alarm_id}, deep_json(1000))
    listed = client.get(ALARMS, auth=tenant.auth)
    assert listed.status_code == 200, listed.text[:300]
    [alarm] = listed.json()["data"]["list"]
    assert json.dumps(alarm["additional"]).count('{"a"') == 17 and TRUNCATED in json.dumps(alarm["additional"])
    shown = client.get(f"/v1/alarm-mgmt/alarm/{alarm_id}", auth=tenant.auth)
    assert shown.status_code == 200 and shown.json()["data"]["additional"] == alarm["additional"]


def test_a_handling_stored_1000_levels_deep_still_lists(client: TestClient, db: Database, tenant: TenantKey) -> None:
    alarm_id = _alarm_id(client, tenant)
    assert (
        client.post("/v1/alarm-mgmt/alarms/cancel", json={"alarm_ids": alarm_id}, auth=tenant.auth).status_code == 200
    )
    deep = '{"sub_task_info": ' + deep_json(1000) + "}"
    store_json_text(db, "alarm_histories", "detail", "alarm_id = :id AND task_type = 'clear'", {"id": alarm_id}, deep)
    resp = client.get(f"/v1/alarm-mgmt/alarm/{alarm_id}/handle-histories", auth=tenant.auth)
    assert resp.status_code == 200, resp.text[:300]
    [info] = [h["sub_task_info"] for h in resp.json()["alarm_handle_histories"] if h["task_type"] == "clear"]
    assert TRUNCATED in json.dumps(info)
