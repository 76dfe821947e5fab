"""The on-call API: admins build scenes, roles, rotations and overrides; everyone asks who is on call."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from tests.api.incidents.helpers import ONCALL
from tests.support.signing import TenantKey

DAY = 86_400_000
MONDAY = 1_735_516_800_000  # 2024-12-30 00:00 UTC


def _scene(client: TestClient, key: TenantKey, name: str = "payments", **extra: object) -> None:
    made = client.post(f"{ONCALL}/scenes", json={"name": name, **extra}, auth=key.auth)
    assert made.status_code == 200, made.text


def _weekly(client: TestClient, key: TenantKey, scene: str, role: str, level: int, users: list[str]) -> None:
    rotation = {"kind": "weekly", "users": users, "handoff_time": "09:00", "time_zone": "Europe/Berlin",
                "start_date": "2024-12-30"}  # fmt: skip
    put = client.put(
        f"{ONCALL}/scenes/{scene}/roles/{role}", json={"level": level, "rotation": rotation}, auth=key.auth
    )
    assert put.status_code == 200, put.text


def _who(client: TestClient, key: TenantKey, scene: str, role: str, at: int) -> dict[str, object]:
    resp = client.get(f"{ONCALL}/who", params={"scene": scene, "role": role, "at": at}, auth=key.auth)
    assert resp.status_code == 200, resp.text
    data: dict[str, object] = resp.json()["data"]
    return data


def test_an_admin_builds_a_weekly_rotation_and_anyone_asks_who_is_on_call(
    client: TestClient, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    _scene(client, tenant, escalation_delay_seconds=300)
    _weekly(client, tenant, "payments", "primary", 1, ["ann", "bob"])
    viewer = make_user(tenant, "watcher", role="viewer")
    assert _who(client, viewer, "payments", "primary", MONDAY + 9 * 3_600_000)["user_id"] == "ann"
    assert _who(client, viewer, "payments", "primary", MONDAY + 7 * DAY + 8 * 3_600_000)["user_id"] == "bob"
    shown = client.get(f"{ONCALL}/scenes/payments", auth=viewer.auth).json()["data"]
    assert shown["escalation_delay_seconds"] == 300 and [r["name"] for r in shown["roles"]] == ["primary"]
    week = client.get(f"{ONCALL}/schedule", params={"scene": "payments", "start": MONDAY + DAY, "days": 14},
                      auth=viewer.auth).json()["data"]  # fmt: skip
    assert [s["user_id"] for s in week["roles"][0]["shifts"]] == ["ann", "bob", "ann"]


def test_an_override_puts_its_user_on_call_until_it_is_removed(client: TestClient, tenant: TenantKey) -> None:
    _scene(client, tenant)
    _weekly(client, tenant, "payments", "primary", 1, ["ann", "bob"])
    at = MONDAY + 2 * DAY
    body = {"user_id": "cat", "start_ms": at - 1000, "end_ms": at + 1000}
    added = client.post(f"{ONCALL}/scenes/payments/roles/primary/overrides", json=body, auth=tenant.auth)
    assert added.status_code == 200, added.text
    assert _who(client, tenant, "payments", "primary", at)["user_id"] == "cat"
    assert client.delete(f"{ONCALL}/overrides/{added.json()['data']['id']}", auth=tenant.auth).status_code == 200
    assert _who(client, tenant, "payments", "primary", at)["user_id"] == "ann"


def test_viewers_and_operators_may_not_edit_schedules(
    client: TestClient, tenant: TenantKey, make_user: Callable[..., TenantKey]
) -> None:
    operator = make_user(tenant, "olga", role="operator")
    refused = client.post(f"{ONCALL}/scenes", json={"name": "payments"}, auth=operator.auth)
    assert refused.status_code == 403 and "edit on-call schedules" in refused.json()["error_msg"]
    assert client.get(f"{ONCALL}/scenes", auth=operator.auth).json() == {"data": []}


@pytest.mark.parametrize(
    ("scene", "role", "field"),
    [("", "primary", "scene"), ("payments", "", "role"), ("nope", "primary", "scene"), ("payments", "nope", "role")],
)
def test_an_empty_or_unknown_scene_or_role_is_a_400_naming_the_field(
    client: TestClient, tenant: TenantKey, scene: str, role: str, field: str
) -> None:
    _scene(client, tenant)
    _weekly(client, tenant, "payments", "primary", 1, ["ann"])
    resp = client.get(f"{ONCALL}/who", params={"scene": scene, "role": role}, auth=tenant.auth)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error_msg"].startswith(f"{field}"), resp.json()


def test_another_tenants_scene_is_not_found(
    client: TestClient, tenant: TenantKey, make_tenant: Callable[..., TenantKey]
) -> None:
    _scene(client, tenant)
    _weekly(client, tenant, "payments", "primary", 1, ["ann"])
    other = make_tenant()
    assert client.get(f"{ONCALL}/scenes/payments", auth=other.auth).status_code == 404
    assert (
        client.get(f"{ONCALL}/who", params={"scene": "payments", "role": "primary"}, auth=other.auth).status_code == 400
    )
    assert client.put(f"{ONCALL}/scenes/payments/roles/x", json={"level": 2}, auth=other.auth).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"level": 99}, "level"),
        ({"level": 1, "rotation": {"kind": "daily", "time_zone": "Mars/Olympus"}}, "unknown IANA time zone"),
        ({"level": 1, "rotation": {"kind": "daily", "handoff_time": "25:00"}}, "handoff_time"),
        ({"level": 1, "rotation": {"kind": "daily", "users": ["u"] * 101}}, "users"),
        ({"level": 1, "rotation": {"kind": "shifts", "shifts": [{"user_id": "u", "start_ms": 2**70, "end_ms": 1}]}},
         "start_ms"),
        ({"level": 1, "rotation": {"kind": "daily", "start_date": "9999-01-01"}}, "start_date"),
        ({"level": 1, "rotation": {"kind": "weekly", "shifts": [{"user_id": "u", "start_ms": 1, "end_ms": 2}]}},
         "shifts"),
    ],
)  # fmt: skip
def test_a_bad_role_is_a_400_and_nothing_is_written(
    client: TestClient, tenant: TenantKey, body: dict[str, object], message: str
) -> None:
    _scene(client, tenant)
    resp = client.put(f"{ONCALL}/scenes/payments/roles/primary", json=body, auth=tenant.auth)
    assert resp.status_code == 400, resp.text
    assert message in resp.json()["error_msg"]
    assert client.get(f"{ONCALL}/scenes/payments", auth=tenant.auth).json()["data"]["roles"] == []


def test_huge_numbers_in_queries_are_a_400(client: TestClient, tenant: TenantKey) -> None:
    _scene(client, tenant)
    resp = client.get(f"{ONCALL}/schedule", params={"scene": "payments", "start": 2**80}, auth=tenant.auth)
    assert resp.status_code == 400
    assert client.delete(f"{ONCALL}/overrides/{2**70}", auth=tenant.auth).status_code == 400


def test_a_second_role_at_the_same_level_is_a_conflict(client: TestClient, tenant: TenantKey) -> None:
    _scene(client, tenant)
    _weekly(client, tenant, "payments", "primary", 1, ["ann"])
    clash = client.put(f"{ONCALL}/scenes/payments/roles/secondary", json={"level": 1}, auth=tenant.auth)
    assert clash.status_code == 409 and "level" in clash.json()["error_msg"]
