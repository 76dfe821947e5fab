"""Inputs a database would choke on (NUL characters, huge numbers) are 4xx, never 500, on both backends."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from tests.api.alarms.helpers import ALARMS, INTEGRATIONS, alarm_body, alarms_of, custom_key, integration, report
from tests.support.signing import TenantKey


@pytest.mark.parametrize(
    "overrides",
    [{"alarmName": "cpu\x00"}, {"alarmId": "\x00"}, {"regionId": "r\x00"}, {"additional": {"k\x00": "v"}}],
)
def test_nul_in_a_custom_report_is_400(client: TestClient, db: Database, tenant: TenantKey, overrides: Any) -> None:
    key = custom_key(client, tenant)
    resp = report(client, key, **overrides)
    assert resp.status_code == 400, resp.text
    assert alarms_of(client, tenant) == []


def test_nul_in_alertmanager_labels_is_dropped(client: TestClient, tenant: TenantKey) -> None:
    key = integration(client, tenant, type_="prometheus")["integration_key"]
    alert = {"status": "firing", "labels": {"alertname": "Disk\x00Full", "instance": "h\x001"}, "annotations": {}}
    resp = client.post(f"/v1/event/prometheus/{key}", json={"alerts": [alert]})
    assert resp.status_code == 200, resp.text
    [alarm] = alarms_of(client, tenant)
    assert alarm["alarm_name"] == "DiskFull" and alarm["resource_name"] == "h1"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/v1/alarm-mgmt/alarm/AL%00x", None),
        ("GET", "/v1/alarm-mgmt/alarm/AL%00x/handle-histories", None),
        ("POST", "/v1/alarm-mgmt/alarms/cancel", {"alarm_ids": "AL\x00x"}),
        ("POST", "/v1/alarm-mgmt/alarms-linked-incident", {"alarm_ids": "AL1", "title": "t\x00"}),
        ("POST", "/v1/alarm-mgmt/alarm/AL%00x/auto-process", {"task_type": "SCRIPT", "associated_task_id": "S"}),
        ("POST", INTEGRATIONS, {"name": "n\x00", "type": "custom"}),
        ("POST", INTEGRATIONS, {"name": "n", "type": "custom", "rules": {"assignee": "u\x00"}}),
        ("POST", f"{INTEGRATIONS}/n%00/disable", None),
        ("DELETE", f"{INTEGRATIONS}/n%00", None),
    ],
)
def test_nul_in_the_signed_api_is_400(
    client: TestClient, tenant: TenantKey, method: str, path: str, body: dict[str, Any] | None
) -> None:
    resp = client.request(method, path, json=body, auth=tenant.auth)
    assert resp.status_code == 400, resp.text
    assert "NUL" in resp.json()["error_msg"]


@pytest.mark.parametrize(
    ("query", "rule"),
    [
        ({"offset": 10**30}, "offset must be <= 2000000000"),
        ({"limit": 10**30}, "limit must be <= 1000"),
        ({"offset": 3_000_000_000}, "offset must be <= 2000000000"),
    ],
)
def test_huge_paging_numbers_are_400(client: TestClient, tenant: TenantKey, query: dict[str, Any], rule: str) -> None:
    resp = client.get(ALARMS, params=query, auth=tenant.auth)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error_msg"] == rule


def test_huge_time_is_400(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    resp = client.post(f"/v1/event/huawei/custom/{key}", content=b'{"time": 1' + b"0" * 40 + b"}")
    assert resp.status_code == 400 and "time must be between" in resp.json()["error_msg"]
    assert report(client, key, time=1e300).status_code == 400
    assert report(client, key, alarmId="x" * 10_000).status_code == 400
    assert alarms_of(client, tenant) == []
    assert report(client, key, **{k: v for k, v in alarm_body().items() if k != "URL"}).status_code == 200
