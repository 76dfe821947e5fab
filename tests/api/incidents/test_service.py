"""The service functions other domains call: create_incident, add_history, get_incident."""

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlalchemy import select

from opencoc.auth.models import Tenant
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import schemas, service
from opencoc.incidents.models import IncidentHistory
from tests.api.incidents.helpers import CREATE, create_body
from tests.support.signing import TenantKey


def _tenant_id(db: Database, key: TenantKey) -> int:
    with db.read() as session:
        return int(session.scalar(select(Tenant.id).where(Tenant.name == key.name)) or 0)


def test_create_incident_returns_the_row_and_records_history(db: Database, tenant: TenantKey) -> None:
    tenant_id = _tenant_id(db, tenant)
    body = schemas.CreateIncidentRequest.model_validate(create_body(incident_source="incident_source_alarm"))
    with db.write() as session:
        incident = service.create_incident(session, tenant_id=tenant_id, body=body, project_id="p-1")
        service.add_history(
            session,
            tenant_id=tenant_id,
            incident_num=incident.incident_num,
            operator="alarm-engine",
            operate_key="alarmLinked",
            parameter={"alarm_id": "a-1"},
        )
    assert incident.id > 0 and incident.status == "INCIDENT_STATUS_TRIGGERED"
    with db.read() as session:
        stored = service.get_incident(session, tenant_id=tenant_id, incident_num=incident.incident_num)
        assert (stored.project_id, stored.incident_source, stored.is_service_interrupt) == (
            "p-1",
            "incident_source_alarm",
            True,
        )
        keys = session.scalars(
            select(IncidentHistory.operate_key)
            .where(IncidentHistory.incident_num == incident.incident_num)
            .order_by(IncidentHistory.id)
        ).all()
    assert list(keys) == ["create", "alarmLinked"]


def test_get_incident_of_another_tenant_raises_not_found(db: Database, make_tenant: Callable[..., TenantKey]) -> None:
    owner, other = make_tenant(), make_tenant()
    body = schemas.CreateIncidentRequest.model_validate(create_body())
    with db.write() as session:
        num = service.create_incident(session, tenant_id=_tenant_id(db, owner), body=body).incident_num
    with db.read() as session, pytest.raises(OpenCOCError) as missing:
        service.get_incident(session, tenant_id=_tenant_id(db, other), incident_num=num)
    assert (missing.value.status, missing.value.error_code) == (400, "COC.00067003")


def test_request_model_enforces_the_route_rules() -> None:
    with pytest.raises(ValidationError):
        schemas.CreateIncidentRequest.model_validate(create_body(incident_assignee=None))
    with pytest.raises(OpenCOCError) as invalid:
        schemas.parse(schemas.CreateIncidentRequest, create_body(incident_level="level_0"))
    assert invalid.value.error_msg == "The field[incident_level] value[level_0] invalid"


def test_project_header_is_recorded_on_the_incident(client: TestClient, db: Database, tenant: TenantKey) -> None:
    resp = client.post(CREATE, json=create_body(), headers={"X-Project-Id": "proj-9"}, auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    with db.read() as session:
        stored = service.get_incident(
            session, tenant_id=_tenant_id(db, tenant), incident_num=resp.json()["data"]["incident_num"]
        )
    assert stored.project_id == "proj-9"
