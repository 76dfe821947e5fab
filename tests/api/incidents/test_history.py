"""Every operation, create included, is appended to the incident's history."""

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencoc.core.db import Database
from opencoc.incidents.models import IncidentHistory
from tests.api.incidents.helpers import CREATOR, OWNER, commit_parameter, create, error, handle
from tests.support.signing import TenantKey


def _history(db: Database, num: str) -> list[tuple[str, str, dict, int]]:  # type: ignore[type-arg]
    with db.read() as session:
        rows = session.scalars(
            select(IncidentHistory).where(IncidentHistory.incident_num == num).order_by(IncidentHistory.id)
        ).all()
        return [(r.operator, r.operate_key, r.parameter, r.operate_time) for r in rows]


def test_history_records_each_operation_with_operator_time_and_parameter(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    num = create(client, tenant)
    handle(client, tenant, num, "acceptedIncident1", {})
    handle(client, tenant, num, "commitSolution1", {**commit_parameter(), "is_service_interrupt": "true"})
    handle(client, tenant, num, "confirm", {"virtual_confirm_result": "false", "virtual_confirm_comment": "no"})
    rows = _history(db, num)
    assert [(op, key) for op, key, _, _ in rows] == [
        (CREATOR, "create"),
        (OWNER, "acceptedIncident1"),
        (OWNER, "commitSolution1"),
        (OWNER, "confirm"),
    ]
    assert rows[0][2]["incident_title"] == "Test Time Ticket No. 10001"
    assert rows[0][2]["is_service_interrupt"] is True
    assert rows[1][2] == {}
    assert rows[2][2]["is_service_interrupt"] is True and rows[2][2]["cause"] == "100001"
    assert rows[3][2] == {"virtual_confirm_result": False, "virtual_confirm_comment": "no"}
    times = [t for _, _, _, t in rows]
    assert times == sorted(times) and all(t > 1_700_000_000_000 for t in times)


def test_rejected_operations_leave_no_history(client: TestClient, db: Database, tenant: TenantKey) -> None:
    num = create(client, tenant)
    error(handle(client, tenant, num, "confirm", {}))
    error(handle(client, tenant, num, "acceptedIncident1", {}, operator="stranger"))
    assert [key for _, key, _, _ in _history(db, num)] == ["create"]
