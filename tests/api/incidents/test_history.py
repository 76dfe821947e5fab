"""Every operation, create included, is appended to the incident's history."""

from collections.abc import Callable

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
    for operate_key, parameter in (
        ("acceptedIncident1", {}),
        ("commitSolution1", {**commit_parameter(), "is_service_interrupt": "true"}),
        ("confirm", {"virtual_confirm_result": "false", "virtual_confirm_comment": "no"}),
    ):
        resp = handle(client, tenant, num, operate_key, parameter)
        assert resp.status_code == 200, (operate_key, resp.text)
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
    assert error(handle(client, tenant, num, "confirm", {}))[0] == "COC.00067004"
    assert error(handle(client, tenant, num, "acceptedIncident1", {}, operator="stranger"))[0] == "COC.00067005"
    assert [key for _, key, _, _ in _history(db, num)] == ["create"]


LIST = "/v1/external/incident/list-histories"


def _by_ticket(*nums: str, operator: str = "=") -> dict[str, object]:
    return {"string_filters": [{"operator": operator, "field": "ticket_id", "values": list(nums)}]}


def test_list_histories_returns_each_operation_as_the_terraform_data_source_reads_it(
    client: TestClient, tenant: TenantKey
) -> None:
    num = create(client, tenant)
    assert handle(client, tenant, num, "acceptedIncident1", {}).status_code == 200
    resp = client.post(LIST, json=_by_ticket(num), auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert (body["provider_code"], body["error_code"]) == ("049", "GOM.00000000")
    first, second = body["data"]["info"]
    assert body["data"]["total"] == 2
    assert (first["ticket_id"], first["action"], first["operator"]) == (num, "create", CREATOR)
    assert (second["action"], second["operator"], second["action_name_en"]) == ("acceptedIncident1", OWNER,
                                                                              "Accept incident")  # fmt: skip
    assert isinstance(second["start_time"], int) and second["is_deleted"] is False
    same = client.post("/v1/incident/list-histories", json=_by_ticket(num), auth=tenant.auth).json()
    assert same["data"] == body["data"], "the provider's path without /external answers the same"
    newest = client.post(LIST, json={**_by_ticket(num), "sort_filter": {"operator": "desc"}}, auth=tenant.auth)
    assert [e["action"] for e in newest.json()["data"]["info"]] == ["acceptedIncident1", "create"]


def test_list_histories_rules(client: TestClient, tenant: TenantKey, make_tenant: Callable[[], TenantKey]) -> None:
    num = create(client, tenant)
    assert error(client.post("/v1/external/issues_mgmt/list-histories", json=_by_ticket(num), auth=tenant.auth)) == (
        "COC.00000001", "The field[ticket_type] value[issues_mgmt] invalid")  # fmt: skip
    assert error(client.post(LIST, json={}, auth=tenant.auth)) == (
        "COC.00000001", "string_filters must contain a ticket_id filter with values")  # fmt: skip
    assert error(client.post(LIST, json=_by_ticket(num, operator="like"), auth=tenant.auth))[1] == (
        "The field[string_filters.operator] value[like] invalid")  # fmt: skip
    assert error(client.post(LIST, json=_by_ticket(num, "IM000"), auth=tenant.auth)) == (
        "COC.00067003", "incident[IM000] does not exist")  # fmt: skip
    assert error(client.post(LIST, json={"string_filters": "x"}, auth=tenant.auth))[0] == "COC.00000001"
    assert error(client.post(LIST, content=b"{", auth=tenant.auth))[1] == "request body is not valid JSON"
    other = make_tenant()
    assert error(client.post(LIST, json=_by_ticket(num), auth=other.auth))[0] == "COC.00067003"
