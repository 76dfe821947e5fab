"""Alarm paths never change what an incident was created with: conversion, clears, and the v1 handles after them."""

from typing import Any

from fastapi.testclient import TestClient

from tests.api.alarms.helpers import alarms_of, custom_key, reported
from tests.api.incidents.helpers import CREATOR_FIELDS, commit_parameter, define_scene, handle, show
from tests.support.signing import TenantKey


def _fields(client: TestClient, key: TenantKey, num: str) -> dict[str, Any]:
    data = show(client, key, num).json()["data"]
    return {name: data[name] for name in CREATOR_FIELDS}


def _handle_all(client: TestClient, key: TenantKey, num: str, operator: str, creator: str) -> None:
    solution = commit_parameter(mtm_type="inc_type_p_hardware_issues", start_time=1_600_000_000_000)
    for operate_key, parameter, who in (
        ("acceptedIncident1", {}, operator),
        ("commitSolution1", solution, operator),
        ("confirm", {}, creator),
    ):
        resp = handle(client, key, num, operate_key, parameter, operator=who)
        assert resp.status_code == 200, (operate_key, resp.text)


def test_incident_converted_by_the_webhook_keeps_its_fields_through_clear_and_handles(
    client: TestClient, tenant: TenantKey
) -> None:
    define_scene(client, tenant, "scene-db", {"role-dba": ["u-oncall-3"]})
    key = custom_key(client, tenant, assignee_scene="scene-db", assignee_role="role-dba")
    reported(client, key, alarmId="web-1")
    num = alarms_of(client, tenant)[0]["incident_num"]
    before = _fields(client, tenant, num)
    assert before["incident_assignee"] == [] and before["start_time"] == 1709118444540

    reported(client, key, alarmId="web-1", alarmStatus="ok")
    assert _fields(client, tenant, num) == before
    _handle_all(client, tenant, num, operator="u-oncall-3", creator=before["creator"])
    assert _fields(client, tenant, num) == before


def test_incident_linked_by_the_api_keeps_its_fields_through_clear_and_handles(
    client: TestClient, tenant: TenantKey
) -> None:
    key = custom_key(client, tenant, level_map={"Critical": None})
    reported(client, key, alarmId="api-1")
    alarm_id = alarms_of(client, tenant)[0]["alarm_id"]
    body = {"alarm_ids": alarm_id, "assignee": "u-oncall", "is_service_interrupt": False}
    resp = client.post("/v1/alarm-mgmt/alarms-linked-incident", json=body, auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    [num] = resp.json()["data"]
    before = _fields(client, tenant, num)

    clear = {"alarm_ids": alarm_id, "remarks": "ok"}
    cleared = client.post("/v1/alarm-mgmt/alarms/cancel", json=clear, auth=tenant.auth)
    assert cleared.status_code == 200, cleared.text
    assert _fields(client, tenant, num) == before
    _handle_all(client, tenant, num, operator="u-oncall", creator=before["creator"])
    assert _fields(client, tenant, num) == before
