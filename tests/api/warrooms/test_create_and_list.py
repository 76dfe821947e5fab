"""create_war_room and list_war_rooms: the incident is linked and its history says so, the on-call
people join, one war room per incident, another tenant's incident is not found, the list filters and counts."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.incidents.helpers import create, define_scene, error
from tests.api.incidents.v2_helpers import history_info
from tests.api.warrooms.helpers import CREATE, LIST, listed, open_war_room, shown, war_room_body
from tests.support.signing import TenantKey


def test_opening_a_war_room_links_the_incident_records_history_and_brings_in_who_is_on_call(
    client: TestClient, tenant: TenantKey
) -> None:
    define_scene(client, tenant, "payments", {"primary": ["u-pat"], "commander": ["u-cid"]})
    num = create(client, tenant)
    war_room = open_war_room(
        client, tenant, num, schedule_group=[{"scene_id": "payments", "role_id": "commander"}],
        participant=["u-ann", tenant.user_id],
    )  # fmt: skip
    detail = client.get(f"/v1/external/incident/{num}", auth=tenant.auth).json()["data"]
    assert detail["warroom_id"] == war_room
    assert history_info(client, tenant, num)[-1]["action"] == "createWarRoom"
    room = shown(client, tenant, war_room)
    members = [(m["user_id"], m["joined_as"], m["scene"], m["role"]) for m in room["members"]]
    assert members == [
        (tenant.user_id, "admin", None, None),
        ("u-ann", "participant", None, None),
        ("u-cid", "oncall", "payments", "commander"),
    ]
    assert room["status"] == "open" and [e["kind"] for e in room["timeline"]] == ["event"]


def test_a_second_war_room_for_one_incident_is_refused_and_changes_nothing(
    client: TestClient, tenant: TenantKey
) -> None:
    num = create(client, tenant)
    first = open_war_room(client, tenant, num)
    code, msg = error(client.post(CREATE, json=war_room_body(num, tenant.user_id), auth=tenant.auth))
    assert code == "COC.00000001" and "incident_number" in msg and "already has a war room" in msg, msg
    assert listed(client, tenant)["total_num"] == 1
    assert client.get(f"/v1/external/incident/{num}", auth=tenant.auth).json()["data"]["warroom_id"] == first


def test_an_unknown_scene_or_role_is_refused_naming_the_field(client: TestClient, tenant: TenantKey) -> None:
    define_scene(client, tenant, "payments", {"primary": ["u-pat"]})
    num = create(client, tenant)
    for group, field in (
        ({"scene_id": "nope", "role_id": "primary"}, "schedule_group[0].scene_id"),
        ({"scene_id": "payments", "role_id": "nope"}, "schedule_group[0].role_id"),
    ):
        body = war_room_body(num, tenant.user_id, schedule_group=[group])
        code, msg = error(client.post(CREATE, json=body, auth=tenant.auth))
        assert field in msg, msg
    assert client.get(f"/v1/external/incident/{num}", auth=tenant.auth).json()["data"]["warroom_id"] is None


def test_another_tenants_incident_or_war_room_is_not_found(
    client: TestClient, tenant: TenantKey, make_tenant: Callable[..., TenantKey]
) -> None:
    other = make_tenant()
    num = create(client, other)
    code, msg = error(client.post(CREATE, json=war_room_body(num, tenant.user_id), auth=tenant.auth), 404)
    assert "incident_number" in msg and "does not exist" in msg, msg
    code, msg = error(client.post(CREATE, json=war_room_body("IM-none", tenant.user_id), auth=tenant.auth), 404)
    war_room = open_war_room(client, other, num)
    assert client.get(f"/opencoc/v1/warrooms/{war_room}", auth=tenant.auth).status_code == 404
    assert listed(client, tenant)["total_num"] == 0
    assert listed(client, tenant, war_room_nums=[war_room])["list"] == []


def test_the_list_filters_and_counts_running_and_closed(client: TestClient, tenant: TenantKey) -> None:
    rooms = [open_war_room(client, tenant, create(client, tenant), war_room_name=f"room {i}") for i in range(3)]
    closed = client.post(f"/opencoc/v1/warrooms/{rooms[0]}/status", json={"status": "closed"}, auth=tenant.auth)
    assert closed.status_code == 200, closed.text
    everything = listed(client, tenant)
    assert (everything["total_num"], everything["running_num"], everything["closed_num"]) == (3, 2, 1)
    assert [r["war_room_num"] for r in everything["list"]] == rooms[::-1]
    item = everything["list"][0]
    assert item["id"] == rooms[2] and item["title"] == "room 2" and item["war_room_status"]["id"] == "1"
    assert item["regions"] == [{"code": "cn-north-4", "name": "Beijing 4"}]
    assert item["impacted_application"] == [{"id": "app-1", "name": "checkout"}]
    only_closed = listed(client, tenant, status=["20"])
    assert [r["war_room_num"] for r in only_closed["list"]] == [rooms[0]] and only_closed["total_num"] == 1
    assert listed(client, tenant, title="room 1")["total_num"] == 1
    assert listed(client, tenant, title="%")["total_num"] == 0
    assert listed(client, tenant, current_users=["u-ann"])["total_num"] == 3
    assert listed(client, tenant, region_code_list=["elsewhere"])["total_num"] == 0
    page = listed(client, tenant, limit=1, offset=1)
    assert [r["war_room_num"] for r in page["list"]] == [rooms[1]] and page["total_num"] == 3
    counts = listed(client, tenant, statistic_flag=True)
    assert counts == {"list": None, "total_num": 3, "running_num": 2, "closed_num": 1}


def test_the_region_and_application_filters_match_codes_and_ids_with_paging_and_counts(
    client: TestClient, tenant: TenantKey
) -> None:
    east = [
        open_war_room(client, tenant, create(client, tenant), region_code_list=["cn-east-3"], region_names=["Shanghai"],
                      application_id_list=["app-2", "app-3"], application_names=["cart", "search"])
        for _ in range(3)
    ]  # fmt: skip
    north = open_war_room(client, tenant, create(client, tenant))
    closed = client.post(f"/opencoc/v1/warrooms/{east[0]}/status", json={"status": "closed"}, auth=tenant.auth)
    assert closed.status_code == 200, closed.text
    in_east = listed(client, tenant, region_code_list=["cn-east-3", "nowhere"], limit=1, offset=1)
    assert [r["war_room_num"] for r in in_east["list"]] == [east[1]]
    assert (in_east["total_num"], in_east["running_num"], in_east["closed_num"]) == (3, 2, 1)
    assert listed(client, tenant, region_code_list=["Shanghai"])["total_num"] == 0  # a name is not a code
    by_app = listed(client, tenant, impacted_application_ids=["app-3"], status=["1"])
    assert [r["war_room_num"] for r in by_app["list"]] == [east[2], east[1]] and by_app["total_num"] == 2
    both = listed(client, tenant, region_code_list=["cn-north-4"], impacted_application_ids=["app-1"])
    assert [r["war_room_num"] for r in both["list"]] == [north]


def _names(msg: str, field: str) -> bool:
    """COC's wording names a field in camelCase (warRoomName): compare without case and underscores."""
    return field.replace("_", "").lower() in msg.replace("_", "").lower()


def test_bad_bodies_are_refused_naming_the_field(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    for overrides, field in (
        ({"war_room_name": None}, "war_room_name"),
        ({"war_room_name": "a\x00b"}, "war_room_name"),
        ({"war_room_name": "x" * 256}, "war_room_name"),
        ({"participant": [{"deep": [[[[1]]]]}]}, "participant"),
        ({"participant": ["u"] * 101}, "participant"),
        ({"schedule_group": [{"scene_id": "s"}]}, "role_id"),
        ({"notification_modes": [{"a": "x" * 10_000}]}, "notification_modes"),
    ):
        code, msg = error(client.post(CREATE, json=war_room_body(num, tenant.user_id, **overrides), auth=tenant.auth))
        assert _names(msg, field), (overrides, msg)
    for bad in ({"limit": 2**64}, {"offset": 2**63}, {"offset": -1}, {"limit": 0}, {"triggered_start_time": 10**20}):
        code, msg = error(client.post(LIST, json=bad, auth=tenant.auth))
        assert _names(msg, next(iter(bad))), msg
    assert listed(client, tenant)["total_num"] == 0


def test_a_newline_in_a_description_is_stored_as_given(client: TestClient, tenant: TenantKey) -> None:
    war_room = open_war_room(client, tenant, create(client, tenant), description="line one\nline two")
    assert shown(client, tenant, war_room)["description"] == "line one\nline two"
