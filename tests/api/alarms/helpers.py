"""Integrations, webhook bodies and database reads shared by the alarm API tests."""

from typing import Any

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import func, select

from opencoc.alarms.models import Alarm
from opencoc.auth.models import Tenant
from opencoc.core.db import Database
from opencoc.incidents.models import Incident, IncidentHistory
from tests.support.signing import TenantKey

INTEGRATIONS = "/opencoc/v1/alarm-mgmt/integrations"
ALARMS = "/opencoc/v1/alarm-mgmt/alarms"
ACCEPTED = {"error_code": "COC.00000000", "error_msg": "success", "data": None, "provider_code": "049"}


def integration(
    client: TestClient, key: TenantKey, type_: str = "custom", name: str = "monitor", **rules: Any
) -> dict[str, Any]:
    """Create an integration through our signed API; the result carries `integration_key` and `url`."""
    body: dict[str, Any] = {"name": name, "type": type_}
    if rules:
        body["rules"] = rules
    resp = client.post(INTEGRATIONS, json=body, auth=key.auth)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]  # type: ignore[no-any-return]


def custom_key(client: TestClient, key: TenantKey, **rules: Any) -> str:
    return str(integration(client, key, **rules)["integration_key"])


def alarm_body(**overrides: Any) -> dict[str, Any]:
    """The seed's request example (§4.4.2), with `overrides` applied (None removes a key)."""
    body: dict[str, Any] = {
        "alarmId": "18cf0a1b2c3d0f8",
        "alarmName": "CPU Usage Exceeding Threshold",
        "alarmLevel": "Critical",
        "time": 1709118444540,
        "nameSpace": "shanghai",
        "regionId": "cn-north-4",
        "applicationId": "18cfa0a5ef8d",
        "resourceName": "machine-1",
        "resourceId": "18c0a1b2c3d4e5ff68625",
        "alarmDesc": "cpu above 90% for 5 minutes",
        "URL": "https://monitor.example.com/alarms/1",
        "alarmStatus": "alarm",
        "alarmSource": "coc",
        "additional": {},
    }
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not None}


def report(client: TestClient, integration_key: str, **overrides: Any) -> Response:
    return client.post(f"/v1/event/huawei/custom/{integration_key}", json=alarm_body(**overrides))


def reported(client: TestClient, integration_key: str, **overrides: Any) -> None:
    resp = report(client, integration_key, **overrides)
    assert resp.status_code == 200, resp.text
    assert resp.json() == ACCEPTED


def alarms_of(client: TestClient, key: TenantKey, **query: Any) -> list[dict[str, Any]]:
    resp = client.get(ALARMS, params={"limit": 1000, **query}, auth=key.auth)
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]["list"]  # type: ignore[no-any-return]


def tenant_alarm_count(db: Database, key: TenantKey) -> int:
    """Alarms stored for the tenant (any status), read from the database."""
    with db.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Alarm)
                .join(Tenant, Alarm.tenant_id == Tenant.id)
                .where(Tenant.name == key.name)
            )
            or 0
        )


def incident(db: Database, incident_num: str) -> Incident:
    with db.read() as session:
        found = session.scalar(select(Incident).where(Incident.incident_num == incident_num))
    assert found is not None, f"incident {incident_num} was not stored"
    return found


def incident_operations(db: Database, incident_num: str) -> list[tuple[str, dict[str, Any]]]:
    with db.read() as session:
        rows = session.scalars(
            select(IncidentHistory).where(IncidentHistory.incident_num == incident_num).order_by(IncidentHistory.id)
        ).all()
    return [(row.operate_key, row.parameter) for row in rows]


def tenant_incident_count(db: Database, key: TenantKey) -> int:
    with db.read() as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(Incident)
                .join(Tenant, Incident.tenant_id == Tenant.id)
                .where(Tenant.name == key.name)
            )
            or 0
        )
