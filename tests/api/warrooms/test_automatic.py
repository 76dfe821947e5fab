"""The tenant setting that opens a war room by itself for every new level_10 (P1) incident: admins change it,
the region is then mandatory for a person's create, and the war room is opened for incidents created
through the API and an alarm's conversion (webhook and API), linked and in the history (the console's:
tests/api/console/test_warroom_pages.py)."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from opencoc.core.db import Database
from tests.api.alarms.helpers import alarms_of, custom_key, integration, reported, tenant_incident_count
from tests.api.incidents.helpers import OWNER, create, create_body, define_scene, error, show
from tests.api.incidents.v2_helpers import history_info
from tests.api.warrooms.helpers import OWN, listed, shown
from tests.support.signing import TenantKey

SETTINGS = f"{OWN}/settings"


def _auto(client: TestClient, key: TenantKey, on: bool = True) -> dict[str, Any]:
    resp = client.put(SETTINGS, json={"auto_level_10": on}, auth=key.auth)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def _war_room_of(client: TestClient, key: TenantKey, num: str) -> str | None:
    detail = show(client, key, num).json()["data"]
    return detail["warroom_id"]  # type: ignore[no-any-return]


def test_the_setting_is_off_until_an_admin_turns_it_on_and_an_operator_may_not(
    client: TestClient, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    assert client.get(SETTINGS, auth=tenant.auth).json()["data"] == {
        "auto_level_10": False, "modified_by": None, "modified": None,
    }  # fmt: skip
    operator = make_user(tenant, "olga", role="operator")
    refused = client.put(SETTINGS, json={"auto_level_10": True}, auth=operator.auth)
    assert refused.status_code == 403 and "war-room settings" in refused.json()["error_msg"], refused.text
    invalid = client.put(SETTINGS, json={"auto_level_10": "maybe"}, auth=tenant.auth)
    assert invalid.status_code == 400 and "auto_level_10" in invalid.text, invalid.text
    assert client.get(SETTINGS, auth=operator.auth).json()["data"]["auto_level_10"] is False
    data = _auto(client, tenant)
    assert data["auto_level_10"] is True and data["modified_by"] == tenant.user_id
    assert client.get(SETTINGS, auth=operator.auth).json()["data"] == data


def test_a_p1_incident_opens_its_war_room_with_the_assignee_and_who_is_on_call(
    client: TestClient, tenant: TenantKey
) -> None:
    _auto(client, tenant)
    define_scene(client, tenant, "payments", {"primary": ["u-pat"]})
    num = create(client, tenant, incident_level="level_10", assignee_scene="payments", assignee_role="primary")
    war_room = _war_room_of(client, tenant, num)
    assert war_room is not None and war_room.startswith("WR")
    room = shown(client, tenant, war_room)
    assert [(m["user_id"], m["joined_as"], m["scene"]) for m in room["members"]] == [
        (OWNER, "admin", None), ("u-pat", "oncall", "payments"),
    ]  # fmt: skip
    assert room["regions"] == ["cn-southwest-252"] and room["incident_level"] == "level_10"
    assert "automatically" in room["timeline"][0]["text"]
    last = history_info(client, tenant, num)[-1]
    assert last["action"] == "createWarRoom", last
    assert listed(client, tenant)["total_num"] == 1


def test_without_the_setting_or_below_p1_no_war_room_opens(
    client: TestClient, tenant: TenantKey, make_tenant: Callable[..., TenantKey]
) -> None:
    other = make_tenant()
    _auto(client, other)  # another tenant's setting is not this one's
    assert _war_room_of(client, tenant, create(client, tenant, incident_level="level_10")) is None
    _auto(client, tenant)
    assert _war_room_of(client, tenant, create(client, tenant, incident_level="level_20", region=None)) is None
    assert listed(client, tenant)["total_num"] == 0


def test_a_p1_without_a_region_is_refused_naming_region_and_writes_nothing(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    _auto(client, tenant)
    before = tenant_incident_count(db, tenant)
    for region in (None, [], [""]):
        resp = client.post(
            "/v1/external/incident/create", json=create_body(incident_level="level_10", region=region), auth=tenant.auth
        )
        assert resp.status_code == 400, resp.text
        code, msg = error(resp)
        assert code == "COC.00000001" and msg.startswith("region is mandatory") and "level_10" in msg, msg
    assert tenant_incident_count(db, tenant) == before and listed(client, tenant)["total_num"] == 0


def test_alarm_conversions_open_the_war_room_of_a_p1(client: TestClient, tenant: TenantKey) -> None:
    _auto(client, tenant)
    key = custom_key(client, tenant)  # Critical -> level_10
    reported(client, key, alarmId="with-region")
    reported(client, key, alarmId="no-region", regionId=None)  # nobody to ask: opened without a region
    by_alarm = {a["original_alarm_id"]: a["incident_num"] for a in alarms_of(client, tenant)}
    rooms = {name: shown(client, tenant, str(_war_room_of(client, tenant, num))) for name, num in by_alarm.items()}
    assert rooms["with-region"]["regions"] == ["cn-north-4"] and rooms["no-region"]["regions"] == []

    manual = str(integration(client, tenant, name="by hand", level_map={"Critical": None})["integration_key"])
    reported(client, manual, alarmId="by-hand", regionId=None)
    alarm_id = next(a["alarm_id"] for a in alarms_of(client, tenant) if a["original_alarm_id"] == "by-hand")
    body = {"alarm_ids": alarm_id, "assignee": "u-oncall", "level_id": "level_10", "is_service_interrupt": False}
    refused = client.post("/v1/alarm-mgmt/alarms-linked-incident", json=body, auth=tenant.auth)
    assert refused.status_code == 400 and "region is mandatory" in refused.text, refused.text
    converted = client.post(
        "/v1/alarm-mgmt/alarms-linked-incident", json={**body, "mtm_region": "cn-east-3"}, auth=tenant.auth
    )
    assert converted.status_code == 200, converted.text
    [num] = converted.json()["data"]
    room = shown(client, tenant, str(_war_room_of(client, tenant, num)))
    assert room["regions"] == ["cn-east-3"] and [m["user_id"] for m in room["members"]] == ["u-oncall"]
