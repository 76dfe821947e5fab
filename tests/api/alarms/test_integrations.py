"""Our signed integration API: create, list, disable, enable, delete; the key is shown only once."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.alarms.helpers import INTEGRATIONS, alarms_of, integration, report, reported
from tests.support.signing import TenantKey


def test_create_returns_key_and_url_once(client: TestClient, tenant: TenantKey) -> None:
    created = integration(client, tenant, type_="prometheus", name="am")
    key = created["integration_key"]
    assert len(key) >= 40
    assert created["url"].endswith(f"/v1/event/prometheus/{key}")
    assert created["rules"]["level_map"] == {
        "Critical": "level_10",
        "Major": "level_20",
        "Minor": "level_30",
        "Info": None,
    }
    assert created["rules"]["assignee"] == tenant.user_id and created["enabled"] is True
    listed = client.get(INTEGRATIONS, auth=tenant.auth).json()["data"]
    assert listed["total"] == 1
    [item] = listed["list"]
    assert item["integration_id"] == created["integration_id"] and item["integration_key_prefix"] == key[:6]
    assert key not in str(listed), "a listing shows the whole key"


def test_keys_are_unguessable_and_distinct(client: TestClient, tenant: TenantKey) -> None:
    keys = {integration(client, tenant, name=f"n{i}")["integration_key"] for i in range(5)}
    assert len(keys) == 5


def test_duplicate_name_is_409(client: TestClient, tenant: TenantKey) -> None:
    integration(client, tenant, name="dup")
    resp = client.post(INTEGRATIONS, json={"name": "dup", "type": "custom"}, auth=tenant.auth)
    assert resp.status_code == 409 and resp.json()["error_msg"] == "integration[dup] already exists"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"type": "custom"}, "name must not be null"),
        ({"name": "x", "type": "zabbix"}, "type value[zabbix] invalid"),
        ({"name": "", "type": "custom"}, "name length must be at least 1 characters"),
        ({"name": "x", "type": "custom", "rules": {"level_map": {"Fatal": "level_10"}}}, "rules.level_map key Fatal"),
        ({"name": "x", "type": "custom", "rules": {"level_map": {"Major": "P1"}}}, "rules.level_map Major value[P1]"),
        ({"name": "x", "type": "custom", "rules": {"incident_type": "bad"}}, "rules.incident_type value[bad]"),
        ({"name": "x", "type": "custom", "rules": {"assignee_scene": "s"}}, "rules assignee_scene and assignee_role"),
        ({"name": "x", "type": "custom", "rules": {"colour": "red"}}, "rules.colour is not allowed"),
        (
            {"name": "x", "type": "custom", "rules": {"assignee_scene": "nope", "assignee_role": "r"}},
            "rules.assignee_scene: no on-call scene named [nope]",
        ),
    ],
)
def test_bad_create_is_400(client: TestClient, tenant: TenantKey, body: dict[str, Any], message: str) -> None:
    resp = client.post(INTEGRATIONS, json=body, auth=tenant.auth)
    assert resp.status_code == 400, resp.text
    assert resp.json()["error_msg"].startswith(message), resp.json()["error_msg"]
    assert client.get(INTEGRATIONS, auth=tenant.auth).json()["data"]["total"] == 0


def test_disable_enable_delete_by_id_or_name(client: TestClient, tenant: TenantKey) -> None:
    created = integration(client, tenant, name="mon")
    key = created["integration_key"]
    reported(client, key)
    assert client.post(f"{INTEGRATIONS}/mon/disable", auth=tenant.auth).json()["data"]["enabled"] is False
    assert report(client, key).status_code == 401
    assert client.post(f"{INTEGRATIONS}/mon/enable", auth=tenant.auth).json()["data"]["enabled"] is True
    reported(client, key)
    resp = client.delete(f"{INTEGRATIONS}/{created['integration_id']}", auth=tenant.auth)
    assert resp.status_code == 200 and resp.json()["data"]["name"] == "mon"
    assert report(client, key).status_code == 401
    [alarm] = alarms_of(client, tenant)
    assert alarm["count"] == 2 and alarm["integration_id"] is None, "the alarm outlives its integration"
    assert client.delete(f"{INTEGRATIONS}/mon", auth=tenant.auth).status_code == 404


def test_unknown_integration_is_404(client: TestClient, tenant: TenantKey) -> None:
    resp = client.post(f"{INTEGRATIONS}/nothing/disable", auth=tenant.auth)
    assert resp.status_code == 404 and resp.json()["error_msg"] == "integration[nothing] does not exist"
