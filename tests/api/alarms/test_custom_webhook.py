"""POST /v1/event/huawei/custom/{integration_key}: the seed's contract, and nothing stored on any 4xx."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opencoc.core.db import Database
from tests.api.alarms.helpers import (
    ACCEPTED,
    INTEGRATIONS,
    alarm_body,
    alarms_of,
    custom_key,
    integration,
    report,
    reported,
    tenant_alarm_count,
)
from tests.support.signing import TenantKey

UNAUTHORIZED = {
    "error_code": "common.01010001",
    "error_msg": "Token missing or invalid.",
    "data": None,
    "provider_code": "049",
}


def _rejected(client: TestClient, db: Database, tenant: TenantKey, key: str, resp: Any, status: int = 400) -> str:
    """Assert a 4xx in the COC envelope with nothing stored; the message."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["provider_code"] == "049" and body["data"] is None
    assert tenant_alarm_count(db, tenant) == 0, "a rejected report stored an alarm"
    return str(body["error_msg"])


def test_seed_example_is_stored_and_acknowledged(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    resp = report(client, key)
    assert resp.status_code == 200
    assert resp.json() == ACCEPTED
    [alarm] = alarms_of(client, tenant)
    assert alarm["original_alarm_id"] == "18cf0a1b2c3d0f8"
    assert alarm["alarm_name"] == "CPU Usage Exceeding Threshold"
    assert alarm["alarm_level"] == "Critical" and alarm["alarm_status"] == "alarm"
    assert alarm["count"] == 1 and alarm["first_time"] == alarm["last_time"] == 1709118444540
    assert alarm["region_id"] == "cn-north-4" and alarm["application_id"] == "18cfa0a5ef8d"
    assert alarm["URL"] == "https://monitor.example.com/alarms/1" and alarm["additional"] == {}
    assert alarm["alarm_id"].startswith("AL") and len(alarm["alarm_id"]) == 32


def test_sdk_content_type_and_optional_fields_left_out(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    body = alarm_body(regionId=None, resourceName=None, resourceId=None, URL=None, alarmStatus=None, additional=None)
    resp = client.post(
        f"/v1/event/huawei/custom/{key}",
        content=__import__("json").dumps(body),
        headers={"Content-Type": "application/json; charset=utf-8"},
    )
    assert resp.status_code == 200, resp.text
    [alarm] = alarms_of(client, tenant)
    assert alarm["alarm_status"] == "alarm" and alarm["region_id"] is None and alarm["additional"] is None


def test_unknown_key_is_401_with_the_seed_body(client: TestClient, db: Database, tenant: TenantKey) -> None:
    custom_key(client, tenant)
    resp = report(client, "not-a-key")
    assert resp.status_code == 401
    assert resp.json() == UNAUTHORIZED
    assert tenant_alarm_count(db, tenant) == 0


def test_disabled_key_is_401_and_stores_nothing(client: TestClient, db: Database, tenant: TenantKey) -> None:
    created = integration(client, tenant)
    reported(client, created["integration_key"])
    disabled = client.post(f"{INTEGRATIONS}/{created['integration_id']}/disable", auth=tenant.auth)
    assert disabled.status_code == 200 and disabled.json()["data"]["enabled"] is False
    resp = report(client, created["integration_key"], alarmId="after-disable")
    assert resp.status_code == 401 and resp.json() == UNAUTHORIZED
    assert [a["original_alarm_id"] for a in alarms_of(client, tenant)] == ["18cf0a1b2c3d0f8"]
    client.post(f"{INTEGRATIONS}/{created['integration_id']}/enable", auth=tenant.auth)
    reported(client, created["integration_key"], alarmId="after-enable")


def test_missing_required_fields_are_all_named_in_the_seed_words(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    key = custom_key(client, tenant)
    msg = _rejected(client, db, tenant, key, report(client, key, alarmName=None, alarmId=None))
    assert msg == "alarmName must not be null | alarmId must not be null"
    resp = client.post(f"/v1/event/huawei/custom/{key}", json={})
    msg = _rejected(client, db, tenant, key, resp)
    for field in ("alarmName", "alarmId", "alarmLevel", "time", "nameSpace", "applicationId", "alarmDesc"):
        assert f"{field} must not be null" in msg
    assert msg.count(" | ") == 7


def test_null_and_blank_required_fields(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    assert _rejected(client, db, tenant, key, report(client, key, alarmDesc="  ")) == "alarmDesc must not be blank"
    resp = client.post(f"/v1/event/huawei/custom/{key}", json={**alarm_body(), "alarmSource": None})
    assert _rejected(client, db, tenant, key, resp) == "alarmSource must not be null"


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("alarmLevel", "Urgent", "The field[alarmLevel] value[Urgent] invalid"),
        ("alarmLevel", "critical", "The field[alarmLevel] value[critical] invalid"),
        ("alarmStatus", "resolved", "The field[alarmStatus] value[resolved] invalid"),
        ("time", "1709118444540", "The field[time] value[1709118444540] invalid"),
        ("time", 1.5, "The field[time] value[1.5] invalid"),
        ("time", True, "The field[time] value[true] invalid"),
        ("time", -1, "time must be between 0 and 9999999999999"),
        ("alarmName", "x" * 300, "alarmName size must be between 1 and 255"),
        ("regionId", "r" * 256, "regionId size must be between 0 and 255"),
        ("URL", "u" * 256, "URL size must be between 0 and 255"),
        ("alarmId", 12345, "The field[alarmId] value[12345] invalid"),
        ("nameSpace", {"a": 1}, 'The field[nameSpace] value[{"a": 1}] invalid'),
        ("additional", "text", "The field[additional] value[text] invalid"),
        ("additional", {"blob": "b" * 20000}, "additional size must be at most 16384 characters as JSON"),
    ],
)
def test_wrong_enum_type_or_length_is_400_naming_the_field(
    client: TestClient, db: Database, tenant: TenantKey, field: str, value: Any, expected: str
) -> None:
    key = custom_key(client, tenant)
    resp = client.post(f"/v1/event/huawei/custom/{key}", json={**alarm_body(), field: value})
    assert _rejected(client, db, tenant, key, resp) == expected
    assert resp.json()["error_code"] == "COC.00000001"


def test_every_problem_is_reported_at_once(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    resp = report(client, key, alarmName="x" * 300, time="soon", alarmLevel="Hot", alarmId=None)
    msg = _rejected(client, db, tenant, key, resp)
    assert msg == (
        "alarmName size must be between 1 and 255 | alarmId must not be null | "
        "The field[alarmLevel] value[Hot] invalid | The field[time] value[soon] invalid"
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "request body is not valid JSON"),
        (b"", "request body is not valid JSON"),
        (b"\xff\xfe", "request body is not valid JSON"),
        (b"[1, 2]", "request body must be a JSON object"),
        (b'"alarm"', "request body must be a JSON object"),
        (b"null", "request body must be a JSON object"),
    ],
)
def test_malformed_json_is_400(
    client: TestClient, db: Database, tenant: TenantKey, content: bytes, expected: str
) -> None:
    key = custom_key(client, tenant)
    resp = client.post(f"/v1/event/huawei/custom/{key}", content=content, headers={"Content-Type": "application/json"})
    assert _rejected(client, db, tenant, key, resp) == expected


def test_oversized_body_is_413(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    body = alarm_body(additional={"blob": "b" * (2 * 1024 * 1024)})
    resp = client.post(f"/v1/event/huawei/custom/{key}", json=body)
    _rejected(client, db, tenant, key, resp, status=413)


def test_an_oversized_chunked_body_is_413_as_it_arrives(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    chunks = (b'{"blob": "' + b"b" * 65536 for _ in range(32))  # 2 MiB without a Content-Length
    resp = client.post(f"/v1/event/huawei/custom/{key}", content=chunks, headers={"Content-Type": "application/json"})
    assert _rejected(client, db, tenant, key, resp, status=413) == "request body must be at most 1048576 bytes"


def test_prometheus_key_on_the_custom_path_is_refused(
    client: TestClient, db: Database, make_tenant: Callable[..., TenantKey]
) -> None:
    tenant = make_tenant()
    key = integration(client, tenant, type_="prometheus")["integration_key"]
    msg = _rejected(client, db, tenant, key, report(client, key))
    assert "prometheus integration" in msg


def test_unknown_key_wins_over_a_bad_body(client: TestClient) -> None:
    resp = client.post("/v1/event/huawei/custom/nope", content=b"{bad")
    assert resp.status_code == 401 and resp.json() == UNAUTHORIZED
