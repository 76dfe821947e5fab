"""POST /v1/event/prometheus/{integration_key}: Alertmanager's webhook payload (version 4) as alarms."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from tests.api.alarms.helpers import ACCEPTED, alarms_of, incident, incident_operations, integration, tenant_alarm_count
from tests.support.signing import TenantKey


def alert(status: str = "firing", fingerprint: str = "c0ffee1234567890", **labels: str) -> dict[str, Any]:
    return {
        "status": status,
        "labels": {"alertname": "HighLatency", "severity": "critical", "instance": "web-1:9100", **labels},
        "annotations": {"summary": "p99 above 1s", "description": "p99 latency of web-1 above 1s for 5m"},
        "startsAt": "2024-02-28T11:07:24.540123456Z",
        "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2024-02-28T11:20:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=latency",
        "fingerprint": fingerprint,
    }


def payload(*alerts: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "4",
        "groupKey": '{}:{alertname="HighLatency"}',
        "truncatedAlerts": 0,
        "status": "firing",
        "receiver": "opencoc",
        "groupLabels": {"alertname": "HighLatency"},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": list(alerts),
    }


def _post(client: TestClient, key: str, body: Any) -> Any:
    return client.post(f"/v1/event/prometheus/{key}", json=body)


def _key(client: TestClient, tenant: TenantKey, **rules: Any) -> str:
    return str(integration(client, tenant, type_="prometheus", **rules)["integration_key"])


def test_firing_alert_becomes_an_alarm_and_an_incident(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = _key(client, tenant, current_cloud_service="web-app")
    resp = _post(client, key, payload(alert(region="cn-north-4")))
    assert resp.status_code == 200 and resp.json() == ACCEPTED
    [alarm] = alarms_of(client, tenant)
    assert alarm["alarm_name"] == "HighLatency" and alarm["alarm_level"] == "Critical"
    assert alarm["original_alarm_id"] == "c0ffee1234567890"
    assert alarm["first_time"] == 1709118444540
    assert alarm["alarm_desc"] == "p99 latency of web-1 above 1s for 5m"
    assert alarm["resource_name"] == "web-1:9100" and alarm["alarm_source"] == "prometheus"
    assert alarm["region_id"] == "cn-north-4"
    assert alarm["additional"]["labels"]["severity"] == "critical"
    created = incident(db, alarm["incident_num"])
    assert created.incident_level == "level_10" and created.current_cloud_service == ["web-app"]
    assert created.incident_source == "incident_source_alarm"


@pytest.mark.parametrize(
    ("severity", "level"),
    [("critical", "Critical"), ("error", "Major"), ("warning", "Minor"), ("info", "Info"), ("odd", "Minor")],
)
def test_severity_label_maps_to_level(client: TestClient, tenant: TenantKey, severity: str, level: str) -> None:
    key = _key(client, tenant)
    assert _post(client, key, payload(alert(severity=severity))).status_code == 200
    assert alarms_of(client, tenant)[0]["alarm_level"] == level


def test_fingerprint_deduplicates_and_resolved_clears(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = _key(client, tenant)
    other = alert(fingerprint="another00000001", alertname="DiskFull")
    assert _post(client, key, payload(alert(), other)).status_code == 200
    assert _post(client, key, payload(alert())).status_code == 200
    assert _post(client, key, payload(alert(status="resolved"))).status_code == 200
    by_fp = {a["original_alarm_id"]: a for a in alarms_of(client, tenant)}
    assert by_fp["c0ffee1234567890"]["count"] == 2
    assert by_fp["c0ffee1234567890"]["alarm_status"] == "ok"
    assert by_fp["another00000001"]["alarm_status"] == "alarm"
    ops = [op for op, _ in incident_operations(db, by_fp["c0ffee1234567890"]["incident_num"])]
    assert ops == ["create", "alarmCleared"]


def test_missing_fingerprint_is_derived_from_the_labels(client: TestClient, tenant: TenantKey) -> None:
    key = _key(client, tenant)
    bare = alert()
    del bare["fingerprint"]
    assert _post(client, key, payload(bare)).status_code == 200
    assert _post(client, key, payload(bare)).status_code == 200
    [alarm] = alarms_of(client, tenant)
    assert alarm["count"] == 2 and len(alarm["original_alarm_id"]) == 16


def test_empty_alert_list_is_accepted(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = _key(client, tenant)
    assert _post(client, key, payload()).status_code == 200
    assert tenant_alarm_count(db, tenant) == 0


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"version": "4"}, "alerts must not be null"),
        ({"alerts": {}}, "The field[alerts] value[{}] invalid"),
        (payload(alert(status="pending")), "The field[alerts[0].status] value[pending] invalid"),
        (payload({**alert(), "labels": None}), "alerts[0].labels must not be null"),
        (payload(alert(), {**alert(), "labels": {"severity": "x"}}), "alerts[1].labels.alertname must not be null"),
        (payload({**alert(), "startsAt": "yesterday"}), "The field[alerts[0].startsAt] value[yesterday] invalid"),
        (payload({**alert(), "fingerprint": 7}), "The field[alerts[0].fingerprint] value[7] invalid"),
        (payload("text"), "The field[alerts[0]] value[text] invalid"),
        ([], "request body must be a JSON object"),
    ],
)
def test_bad_payload_is_400_and_stores_nothing(
    client: TestClient, db: Database, tenant: TenantKey, body: Any, expected: str
) -> None:
    key = _key(client, tenant)
    resp = _post(client, key, body)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error_msg"] == expected
    assert tenant_alarm_count(db, tenant) == 0


def test_one_bad_alert_rejects_the_whole_payload(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = _key(client, tenant)
    resp = _post(client, key, payload(alert(), alert(status="nope")))
    assert resp.status_code == 400, resp.text
    assert resp.json()["error_msg"] == "The field[alerts[1].status] value[nope] invalid"
    assert tenant_alarm_count(db, tenant) == 0


def test_custom_key_on_the_prometheus_path_and_unknown_key(client: TestClient, tenant: TenantKey) -> None:
    custom = integration(client, tenant)["integration_key"]
    wrong_path = _post(client, custom, payload(alert()))
    assert wrong_path.status_code == 400, wrong_path.text
    assert wrong_path.json()["error_msg"].startswith("integration_key belongs to a custom integration")
    resp = _post(client, "unknown", payload(alert()))
    assert resp.status_code == 401 and resp.json()["error_code"] == "common.01010001"


def test_malformed_json_is_400(client: TestClient, tenant: TenantKey) -> None:
    key = _key(client, tenant)
    resp = client.post(f"/v1/event/prometheus/{key}", content=b'{"alerts": [')
    assert resp.status_code == 400 and resp.json()["error_msg"] == "request body is not valid JSON"
