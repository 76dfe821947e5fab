"""Every alarm and integration belongs to a tenant; another tenant gets "not found"."""

from collections.abc import Callable

from fastapi.testclient import TestClient

from tests.api.alarms.helpers import ALARMS, INTEGRATIONS, alarms_of, integration, reported
from tests.support.signing import TenantKey


def test_other_tenant_cannot_see_or_touch_alarms(client: TestClient, make_tenant: Callable[..., TenantKey]) -> None:
    owner, stranger = make_tenant(), make_tenant()
    created = integration(client, owner)
    reported(client, created["integration_key"])
    [alarm] = alarms_of(client, owner)
    alarm_id = alarm["alarm_id"]
    assert alarms_of(client, stranger) == []
    assert client.get(ALARMS, params={"integration_key": created["integration_key"]}, auth=stranger.auth).json()[
        "data"
    ] == {"total": 0, "list": []}
    assert client.get(f"/v1/alarm-mgmt/alarm/{alarm_id}", auth=stranger.auth).status_code == 404
    assert client.get(f"/v1/alarm-mgmt/alarm/{alarm_id}/handle-histories", auth=stranger.auth).status_code == 404
    cleared = client.post("/v1/alarm-mgmt/alarms/cancel", json={"alarm_ids": alarm_id}, auth=stranger.auth)
    assert cleared.status_code == 404
    linked = client.post("/v1/alarm-mgmt/alarms-linked-incident", json={"alarm_ids": alarm_id}, auth=stranger.auth)
    assert linked.status_code == 404
    auto = client.post(
        f"/v1/alarm-mgmt/alarm/{alarm_id}/auto-process",
        json={"task_type": "SCRIPT", "associated_task_id": "SC1"},
        auth=stranger.auth,
    )
    assert auto.status_code == 404
    assert alarms_of(client, owner)[0]["alarm_status"] == "alarm"


def test_other_tenant_cannot_manage_integrations(client: TestClient, make_tenant: Callable[..., TenantKey]) -> None:
    owner, stranger = make_tenant(), make_tenant()
    created = integration(client, owner, name="shared-name")
    assert client.get(INTEGRATIONS, auth=stranger.auth).json()["data"]["total"] == 0
    for ref in (created["integration_id"], "shared-name"):
        assert client.post(f"{INTEGRATIONS}/{ref}/disable", auth=stranger.auth).status_code == 404
        assert client.delete(f"{INTEGRATIONS}/{ref}", auth=stranger.auth).status_code == 404
    integration(client, stranger, name="shared-name")
    reported(client, created["integration_key"])
    assert len(alarms_of(client, owner)) == 1 and alarms_of(client, stranger) == []
