"""Deduplication of active alarms, clearing by `alarmStatus: ok`, and conversion into incidents."""

from fastapi.testclient import TestClient

from opencoc.core.db import Database
from tests.api.alarms.helpers import (
    alarms_of,
    custom_key,
    incident,
    incident_operations,
    reported,
    tenant_alarm_count,
    tenant_incident_count,
)
from tests.api.incidents.helpers import define_scene
from tests.support.signing import TenantKey


def test_repeat_of_an_active_alarm_counts_instead_of_duplicating(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    key = custom_key(client, tenant)
    reported(client, key, time=1_700_000_000_000)
    reported(client, key, time=1_700_000_060_000, alarmDesc="still hot")
    reported(client, key, time=1_700_000_120_000)
    [alarm] = alarms_of(client, tenant)
    assert alarm["count"] == 3
    assert alarm["first_time"] == 1_700_000_000_000 and alarm["last_time"] == 1_700_000_120_000
    assert tenant_alarm_count(db, tenant) == 1
    assert tenant_incident_count(db, tenant) == 1, "a repeat opened a second incident"


def test_distinct_alarm_ids_are_distinct_alarms(client: TestClient, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    reported(client, key, alarmId="a")
    reported(client, key, alarmId="b")
    assert sorted(a["original_alarm_id"] for a in alarms_of(client, tenant)) == ["a", "b"]


def test_same_alarm_id_in_two_integrations_is_two_alarms(client: TestClient, tenant: TenantKey) -> None:
    first = custom_key(client, tenant)
    second = str(
        client.post(
            "/opencoc/v1/alarm-mgmt/integrations", json={"name": "second", "type": "custom"}, auth=tenant.auth
        ).json()["data"]["integration_key"]
    )
    reported(client, first)
    reported(client, second)
    assert len(alarms_of(client, tenant)) == 2


def test_critical_alarm_becomes_one_p1_incident_from_the_alarm(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    key = custom_key(client, tenant)
    reported(client, key)
    [alarm] = alarms_of(client, tenant)
    num = alarm["incident_num"]
    assert num and num.startswith("IM")
    created = incident(db, num)
    assert created.incident_source == "incident_source_alarm"
    assert created.incident_level == "level_10"
    assert created.incident_title == "CPU Usage Exceeding Threshold"
    assert created.incident_description.startswith("cpu above 90% for 5 minutes")
    assert "machine-1" in created.incident_description
    assert created.region == ["cn-north-4"] and created.current_cloud_service == ["18cfa0a5ef8d"]
    assert created.incident_assignee == [tenant.user_id] and created.creator == tenant.user_id
    assert created.status == "INCIDENT_STATUS_TRIGGERED" and created.start_time == 1709118444540


def test_level_mapping_major_minor_and_info(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    for level in ("Major", "Minor", "Info"):
        reported(client, key, alarmId=level, alarmLevel=level)
    by_id = {a["original_alarm_id"]: a for a in alarms_of(client, tenant)}
    assert incident(db, by_id["Major"]["incident_num"]).incident_level == "level_20"
    assert incident(db, by_id["Minor"]["incident_num"]).incident_level == "level_30"
    assert by_id["Info"]["incident_num"] is None
    assert tenant_incident_count(db, tenant) == 2


def test_integration_rules_choose_level_type_application_and_scene(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    define_scene(client, tenant, "scene-1", {"role-1": ["u-oncall-1"]})
    key = custom_key(
        client,
        tenant,
        level_map={"Critical": "level_20", "Major": None, "Info": "level_50"},
        incident_type="inc_type_p_networking_issues",
        current_cloud_service="app-default",
        assignee_scene="scene-1",
        assignee_role="role-1",
    )
    reported(client, key, alarmId="crit")
    reported(client, key, alarmId="major", alarmLevel="Major")
    reported(client, key, alarmId="info", alarmLevel="Info")
    by_id = {a["original_alarm_id"]: a for a in alarms_of(client, tenant)}
    crit = incident(db, by_id["crit"]["incident_num"])
    assert crit.incident_level == "level_20" and crit.incident_type == "inc_type_p_networking_issues"
    assert crit.current_cloud_service == ["18cfa0a5ef8d"], "the alarm's application comes before the rule's"
    assert crit.assignee_scene == "scene-1" and crit.assignee_role == "role-1" and crit.incident_assignee == []
    assert crit.oncall_assignee == "u-oncall-1"
    assert by_id["major"]["incident_num"] is None
    assert incident(db, by_id["info"]["incident_num"]).incident_level == "level_50"


def test_info_alarm_escalated_to_critical_opens_the_incident_then(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    key = custom_key(client, tenant)
    reported(client, key, alarmLevel="Info")
    assert alarms_of(client, tenant)[0]["incident_num"] is None
    reported(client, key, alarmLevel="Critical")
    [alarm] = alarms_of(client, tenant)
    assert alarm["count"] == 2 and alarm["alarm_level"] == "Critical"
    assert incident(db, alarm["incident_num"]).incident_level == "level_10"
    reported(client, key, alarmLevel="Critical")
    assert tenant_incident_count(db, tenant) == 1


def test_ok_clears_the_alarm_and_notes_it_on_the_incident(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    reported(client, key)
    reported(client, key, alarmStatus="ok", time=1709118999000)
    [alarm] = alarms_of(client, tenant)
    assert alarm["alarm_status"] == "ok" and alarm["clear_time"] is not None and alarm["cleared_by"] == "coc"
    assert alarm["last_time"] == 1709118999000
    operations = incident_operations(db, alarm["incident_num"])
    assert [op for op, _ in operations] == ["create", "alarmCleared"]
    assert operations[1][1]["alarm_id"] == alarm["alarm_id"]
    assert operations[1][1]["original_alarm_id"] == "18cf0a1b2c3d0f8"
    assert alarms_of(client, tenant, status="alarm") == []


def test_report_after_clear_opens_a_new_alarm_and_incident(client: TestClient, db: Database, tenant: TenantKey) -> None:
    key = custom_key(client, tenant)
    reported(client, key)
    reported(client, key, alarmStatus="ok")
    reported(client, key)
    alarms = alarms_of(client, tenant)
    assert [a["alarm_status"] for a in alarms] == ["alarm", "ok"]
    assert alarms[0]["incident_num"] != alarms[1]["incident_num"]
    assert tenant_incident_count(db, tenant) == 2


def test_ok_for_an_unknown_or_cleared_alarm_is_accepted_and_stores_nothing(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    key = custom_key(client, tenant)
    reported(client, key, alarmStatus="ok")
    assert tenant_alarm_count(db, tenant) == 0
    reported(client, key)
    reported(client, key, alarmStatus="ok")
    reported(client, key, alarmStatus="ok")
    [alarm] = alarms_of(client, tenant)
    assert [op for op, _ in incident_operations(db, alarm["incident_num"])] == ["create", "alarmCleared"]
