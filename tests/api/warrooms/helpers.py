"""Bodies and calls shared by the war-room tests."""

from typing import Any

import httpx

from tests.support.signing import TenantKey

CREATE = "/v1/external/warrooms"
LIST = "/v1/external/warrooms/list"
OWN = "/opencoc/v1/warrooms"


def war_room_body(incident_num: str, admin: str, **overrides: Any) -> dict[str, Any]:
    """What the SDK's CreateWarRoomRequestBody sends, with `overrides` applied (None removes a key)."""
    body: dict[str, Any] = {
        "war_room_name": "checkout is down",
        "description": "payments fail in cn-north-4",
        "region_code_list": ["cn-north-4"],
        "region_names": ["Beijing 4"],
        "application_id_list": ["app-1"],
        "application_names": ["checkout"],
        "incident_number": incident_num,
        "schedule_group": [],
        "participant": ["u-ann"],
        "war_room_admin": admin,
        "enterprise_project_id": "0",
        "notification_type": "EMAIL",
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def open_war_room(client: httpx.Client, key: TenantKey, incident_num: str, **overrides: Any) -> str:
    resp = client.post(CREATE, json=war_room_body(incident_num, key.user_id, **overrides), auth=key.auth)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["error_code"] == "GOM.00000000" and isinstance(body["data"], str), body
    return str(body["data"])


def listed(client: httpx.Client, key: TenantKey, **filters: Any) -> dict[str, Any]:
    resp = client.post(LIST, json={"limit": 100, "offset": 0, **filters}, auth=key.auth)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def shown(client: httpx.Client, key: TenantKey, war_room_num: str) -> dict[str, Any]:
    resp = client.get(f"{OWN}/{war_room_num}", auth=key.auth)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data
