"""Our own war-room API: the timeline takes status updates, decisions and notes (bounded, newlines kept);
the lifecycle goes open -> recovered -> closed and refuses any other move naming the rule; viewers read only."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from opencoc.core.clock import now_ms
from tests.api.incidents.helpers import create, handled
from tests.api.incidents.v2_helpers import acted, history_info
from tests.api.warrooms.helpers import OWN, open_war_room, shown
from tests.support.signing import TenantKey


def _post(client: TestClient, key: TenantKey, war_room: str, **body: object) -> dict[str, object]:
    resp = client.post(f"{OWN}/{war_room}/timeline", json=body, auth=key.auth)
    assert resp.status_code == 200, resp.text
    data: dict[str, object] = resp.json()["data"]
    return data


def _status(client: TestClient, key: TenantKey, war_room: str, status: str) -> tuple[int, dict[str, object]]:
    resp = client.post(f"{OWN}/{war_room}/status", json={"status": status}, auth=key.auth)
    return resp.status_code, resp.json()


def test_posts_reach_the_timeline_in_order_with_their_newlines(client: TestClient, tenant: TenantKey) -> None:
    war_room = open_war_room(client, tenant, create(client, tenant))
    _post(client, tenant, war_room, kind="status", text="DB failover started")
    _post(client, tenant, war_room, kind="decision", text="roll back\nthe 14:00 deploy")
    _post(client, tenant, war_room, text="<script>alert(1)</script>")
    timeline = shown(client, tenant, war_room)["timeline"]
    assert [(e["kind"], e["text"]) for e in timeline[1:]] == [
        ("status", "DB failover started"),
        ("decision", "roll back\nthe 14:00 deploy"),
        ("note", "<script>alert(1)</script>"),
    ]
    assert all(e["author"] == tenant.user_id for e in timeline)


def test_a_post_too_long_empty_or_of_another_kind_is_refused(client: TestClient, tenant: TenantKey) -> None:
    war_room = open_war_room(client, tenant, create(client, tenant))
    for body, field in (
        ({"text": "x" * 2001}, "text"),
        ({"text": ""}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"kind": "event", "text": "forged"}, "kind"),
        ({"kind": "shout", "text": "x"}, "kind"),
        ({"text": "x", "extra": 1}, "extra"),
    ):
        resp = client.post(f"{OWN}/{war_room}/timeline", json=body, auth=tenant.auth)
        assert resp.status_code == 400, (body, resp.text)
        assert field in resp.json()["error_msg"], (body, resp.text)
    assert len(shown(client, tenant, war_room)["timeline"]) == 1


def test_the_lifecycle_goes_open_recovered_closed_and_refuses_other_moves(
    client: TestClient, tenant: TenantKey
) -> None:
    num = create(client, tenant)
    war_room = open_war_room(client, tenant, num)
    assert _status(client, tenant, war_room, "open")[0] == 400
    status, body = _status(client, tenant, war_room, "recovered")
    data = body["data"]
    assert status == 200 and isinstance(data, dict) and data["status"] == "recovered" and data["recover_time"], body
    status, body = _status(client, tenant, war_room, "open")
    message = str(body["error_msg"])
    assert status == 400 and "is recovered" in message and "open -> recovered -> closed" in message, body
    assert _status(client, tenant, war_room, "closed")[0] == 200
    status, body = _status(client, tenant, war_room, "closed")
    assert status == 400 and "is closed" in str(body["error_msg"]), body
    refused = client.post(f"{OWN}/{war_room}/timeline", json={"text": "late"}, auth=tenant.auth)
    assert refused.status_code == 400 and "closed" in refused.json()["error_msg"], refused.text
    room = shown(client, tenant, war_room)
    assert [e["text"] for e in room["timeline"] if e["kind"] == "status"] == [
        "Status open -> recovered",
        "Status recovered -> closed",
    ]
    assert [h["action"] for h in history_info(client, tenant, num)][-2:] == ["warRoomStatus", "warRoomStatus"]


def test_a_viewer_reads_but_may_not_post_or_move_the_war_room(
    client: TestClient, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    war_room = open_war_room(client, tenant, create(client, tenant))
    viewer = make_user(tenant, "watcher", role="viewer")
    assert shown(client, viewer, war_room)["war_room_num"] == war_room
    for path, body in (
        (f"{OWN}/{war_room}/timeline", {"text": "hi"}),
        (f"{OWN}/{war_room}/status", {"status": "closed"}),
    ):
        resp = client.post(path, json=body, auth=viewer.auth)
        assert resp.status_code == 403 and resp.json()["error_msg"].startswith("role viewer may not"), resp.text
    room = shown(client, viewer, war_room)
    assert room["status"] == "open" and len(room["timeline"]) == 1


def test_an_unknown_war_room_is_not_found(client: TestClient, tenant: TenantKey) -> None:
    for resp in (
        client.get(f"{OWN}/WR404", auth=tenant.auth),
        client.post(f"{OWN}/WR404/timeline", json={"text": "x"}, auth=tenant.auth),
        client.post(f"{OWN}/WR404/status", json={"status": "closed"}, auth=tenant.auth),
    ):
        assert resp.status_code == 404 and "WR404" in resp.json()["error_msg"], resp.text


def test_the_incidents_operations_flow_into_the_timeline_in_words(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant, incident_assignee=[tenant.user_id])
    war_room = open_war_room(client, tenant, num)
    _post(client, tenant, war_room, text="on it")
    handled(client, tenant, num, "acceptedIncident1", operator=tenant.user_id)
    acted(client, tenant, num, "addRemark", {"note": "db failover done"})
    level = {"virtual_target_level": "level_20", "virtual_change_level_comment": "customers hit"}
    acted(client, tenant, num, "changeLevel", level)
    acted(client, tenant, num, "rejected", {"note": "stays P5"})
    acted(client, tenant, num, "incidentPause", {"pause_end_time": now_ms() + 3_600_000, "pause_reason": "vendor"})
    timeline = shown(client, tenant, war_room)["timeline"]
    assert [(e["source"], e["kind"]) for e in timeline[:3]] == [
        ("war_room", "event"),
        ("war_room", "note"),
        ("incident", "event"),
    ]
    assert timeline[2]["id"] is None and timeline[2]["author"] == tenant.user_id
    assert [e["text"] for e in timeline[2:]] == [
        "accepted the incident",
        "added a remark: db failover done",
        "asked to change the level to P2: customers hit",
        "refused to change the incident's level: stays P5",
        "asked to pause the incident: vendor",
    ]
