"""POST /v2/incidents/list and /v2/incidents/{id}/histories: filters, conditions, sort, paging, totals, bounds."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.incidents.helpers import create, error, handled
from tests.api.incidents.v2_helpers import acted, history
from tests.support.signing import TenantKey

LIST = "/v2/incidents/list"


def _list(client: TestClient, key: TenantKey, body: dict[str, Any]) -> dict[str, Any]:
    resp = client.post(LIST, json=body, auth=key.auth)
    assert resp.status_code == 200, resp.text
    return dict(resp.json()["data"])


def _eq(field: str, *values: Any, name: str | None = None, operator: str = "=") -> dict[str, Any]:
    item: dict[str, Any] = {"field": field, "operator": operator, "values": list(values)}
    if name:
        item["name"] = name
    return item


@pytest.fixture
def three(client: TestClient, tenant: TenantKey) -> list[str]:
    """Three incidents of one tenant: P1 (accepted), P3, P5 (interrupt false), oldest first."""
    nums = [
        create(client, tenant, incident_level="level_10", incident_title="db down", incident_assignee=["alice"]),
        create(client, tenant, incident_level="level_30", incident_title="slow api", incident_assignee=["bob"]),
        create(client, tenant, incident_level="level_50", incident_title="db slow", is_service_interrupt="false"),
    ]
    handled(client, tenant, nums[0], "acceptedIncident1", operator="alice")
    return nums


def test_the_tickets_carry_the_fields_terraform_reads(client: TestClient, tenant: TenantKey, three: list[str]) -> None:
    data = _list(client, tenant, {"contain_all": True, "contain_total": True})
    assert data["total"] == 3 and [t["ticket_id"] for t in data["tickets"]] == three[::-1], "newest first"
    first = data["tickets"][-1]
    assert first["level_id"] == "level_10" and first["work_flow_status"] == "INCIDENT_STATUS_ACKNOWLEDGED"
    assert first["assignee"] == "alice" and first["operator"] == "alice" and first["is_service_interrupt"] == "true"
    assert first["create_time"].isdigit() and first["phase"] == "incident_handle"
    assert {"prop_id": "level_id", "biz_id": "level_10", "name_zh": "P1", "name_en": "P1"} in first["enum_data_list"]


def test_string_int_and_list_filters_select(client: TestClient, tenant: TenantKey, three: list[str]) -> None:
    def ids(*filters: dict[str, Any], group: str = "string_filters") -> list[str]:
        data = _list(client, tenant, {group: list(filters), "sort_filter": _eq("create_time", "x", operator="asc")})
        return [t["ticket_id"] for t in data["tickets"]]

    assert ids(_eq("level_id", "level_10", "level_50", operator="in")) == [three[0], three[2]]
    assert ids(_eq("level_id", "level_10", operator="!=")) == three[1:]
    assert ids(_eq("title", "db", operator="startwith")) == [three[0], three[2]]
    assert ids(_eq("title", "slow", operator="endwith")) == [three[2]]
    assert ids(_eq("title", "api", operator="like")) == [three[1]]
    assert ids(_eq("assignee", "bob")) == [three[1]]
    assert ids(_eq("assignee", "bob", operator="not in")) == [three[0], three[2]]
    assert ids(_eq("is_service_interrupt", "false")) == [three[2]]
    assert ids(_eq("work_flow_status", "INCIDENT_STATUS_ACKNOWLEDGED")) == [three[0]]
    created = _list(client, tenant, {"contain_all": True})["tickets"]
    middle = next(t["create_time"] for t in created if t["ticket_id"] == three[1])
    assert ids(_eq("create_time", middle, operator=">="), group="int_filters") == three[1:]
    assert ids(_eq("create_time", int(middle), operator="<")) == [three[0]]


def test_a_condition_combines_named_filters(client: TestClient, tenant: TenantKey, three: list[str]) -> None:
    filters = [_eq("level_id", "level_10", name="p1"), _eq("title", "slow", operator="like", name="slow")]
    body = {"string_filters": filters, "sort_filter": _eq("create_time", "x", operator="asc")}
    assert [t["ticket_id"] for t in _list(client, tenant, {**body, "condition": "p1 OR slow"})["tickets"]] == three
    assert _list(client, tenant, {**body, "condition": "p1 AND slow"})["tickets"] == []
    none_p1 = _list(client, tenant, {**body, "condition": "(slow && !p1)"})["tickets"]
    assert [t["ticket_id"] for t in none_p1] == three[1:]
    assert _list(client, tenant, body)["tickets"] == [], "without a condition every filter must hold"


def test_paging_totals_counts_groups_and_fields(client: TestClient, tenant: TenantKey, three: list[str]) -> None:
    body = {
        "page": 2,
        "per_page": 2,
        "sort_filter": _eq("create_time", "x", operator="asc"),
        "count_filters": [{"name": "p1", "filters": [_eq("level_id", "level_10")]}],
        "group_by_filter": [_eq("work_flow_status", "x")],
        "fields": ["ticket_id", "level_id"],
    }
    data = _list(client, tenant, body)
    assert data["tickets"] == [{"ticket_id": three[2], "level_id": "level_50"}]
    assert (data["total"], data["page"], data["per_page"]) == (3, 2, 2)
    assert data["counts"] == [{"name": "p1", "count": 1}]
    assert data["groups"] == [
        {"value": "INCIDENT_STATUS_TRIGGERED", "count": 2},
        {"value": "INCIDENT_STATUS_ACKNOWLEDGED", "count": 1},
    ]


def test_another_tenants_incidents_are_not_listed(client: TestClient, three: list[str], make_tenant: Any) -> None:
    other = make_tenant()
    assert _list(client, other, {"contain_all": True}) == {
        "tickets": [],
        "total": 0,
        "page": 1,
        "per_page": 1000,
        "counts": [],
        "groups": [],
    }


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ({"per_page": 101}, "per_page"),
        ({"page": 2**40}, "page"),
        ({"page": 0}, "page"),
        ({"string_filters": [_eq("level_id", "x")] * 51}, "stringFilters size must be between 0 and 50"),
        ({"string_filters": [_eq("level_id", "x" * 256)]}, "values"),
        ({"int_filters": [_eq("create_time", 2**70)]}, "int_filters.values"),
        ({"int_filters": [_eq("create_time", 2**63)]}, "64 bits"),
        ({"int_filters": [_eq("create_time", "12a")]}, "int_filters.values"),
        ({"string_filters": [_eq("secret", "x")]}, "string_filters.field"),
        ({"string_filters": [_eq("title", "x", operator="~")]}, "string_filters.operator"),
        ({"string_filters": [_eq("create_time", "1", operator="like")]}, "text fields"),
        ({"string_filters": [{"field": "title", "operator": "="}]}, "values"),
        ({"string_filters": [_eq("title", "a", name="a")], "condition": "(" * 17 + "a" + ")" * 17}, "deep"),
        ({"string_filters": [_eq("title", "a", name="a")], "condition": "a AND b"}, "filter[b]"),
        ({"string_filters": [_eq("title", "a", name="a")], "condition": "a AND"}, "condition"),
        ({"string_filters": [_eq("title", "a", name="a")], "condition": "a $ a"}, "condition"),
        ({"condition": "x" * 1025}, "condition"),
        ({"sort_filter": _eq("title", "x", operator="sideways")}, "sort_filter.operator"),
        ({"group_by_filter": [_eq("assignee", "x"), _eq("assignee", "y")]}, "group_by_filter"),
        ({"group_by_filter": _eq("assignee", "x")}, "group_by_filter.field"),
        ({"fields": ["password"]}, "fields"),
        ({"string_filters": [_eq("title", ["nested"])]}, "values"),
    ],
)
def test_an_invalid_list_body_is_refused_naming_the_rule(
    client: TestClient, tenant: TenantKey, body: dict[str, Any], named: str
) -> None:
    code, msg = error(client.post(LIST, json=body, auth=tenant.auth))
    assert code == "COC.00000001" and named in msg, msg


def test_histories_list_v1_and_v2_operations_with_filters_and_sort(client: TestClient, tenant: TenantKey) -> None:
    num = create(client, tenant)
    handled(client, tenant, num, "acceptedIncident1")
    acted(client, tenant, num, "addRemark", {"note": "first"})
    acted(client, tenant, num, "addRemark", {"note": "second"})
    sort = {"field": "start_time", "operator": "desc", "name": "start_time", "values": ["start_time"]}
    resp = history(client, tenant, num, {"incident_id": num, "sort_filter": sort})
    data = resp.json()["data"]
    assert data["total"] == 4
    assert [(i["action"], i["comment"]) for i in data["info"]][:2] == [("addRemark", "second"), ("addRemark", "first")]
    assert data["info"][-1]["action"] == "create" and data["info"][-1]["status"] == "INCIDENT_STATUS_TRIGGERED"
    remarks = history(client, tenant, num, {"string_filters": [_eq("action", "addRemark")]}).json()["data"]
    assert remarks["total"] == 2 and all(i["status"] == "INCIDENT_STATUS_ACKNOWLEDGED" for i in remarks["info"])


def test_histories_of_an_unknown_incident_are_not_found(client: TestClient, tenant: TenantKey) -> None:
    assert error(history(client, tenant, "IM-nope"))[0] == "COC.00067003"


def test_an_attachment_upload_is_stored_and_readable(client: TestClient, tenant: TenantKey) -> None:
    resp = client.post(
        "/v1/external/incident/attachments", files={"file": ("log.txt", b"disk full\n", "text/plain")}, auth=tenant.auth
    )
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["code"] == "GOM.00000000" and body["data"]["doc_name"] == "log.txt"
    stored = client.get(f"/opencoc/v1/attachments/{body['data']['doc_id']}/content", auth=tenant.auth)
    assert stored.content == b"disk full\n"


def test_an_attachment_upload_without_a_file_part_is_refused(client: TestClient, tenant: TenantKey) -> None:
    resp = client.post("/v1/external/incident/attachments", files={"other": ("a", b"x")}, auth=tenant.auth)
    code, msg = error(resp)
    assert code == "COC.00000001" and "file must not be null" in msg
