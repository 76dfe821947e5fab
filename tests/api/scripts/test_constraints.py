"""Every constraint of the seed on create, modify and list: each boundary just inside and just outside."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.scripts.helpers import assert_error, create, edit_body, param, script_body, show, unique_name
from tests.support.signing import TenantKey

SCHEMA = "COC.00040701"  # a request that fails the wire schema
INVALID = "COC.00040601"  # the seed's "invalid script" code


def _post(client: TestClient, tenant: TenantKey, **overrides: Any) -> Any:
    return client.post("/v1/job/scripts", json=script_body(**overrides), auth=tenant.auth)


def _params(n: int) -> list[dict[str, Any]]:
    return [param(f"p{i}", order=i) for i in range(1, n + 1)]


def _reviewers(n: int) -> list[dict[str, str]]:
    return [{"reviewer_name": f"r{i}", "reviewer_id": f"{i:032d}"} for i in range(n)]


ACCEPTED: list[tuple[str, dict[str, Any]]] = [
    ("name of 64 chars", {"name": "N" * 54 + unique_name("")[-10:].rjust(10, "0")}),
    ("name of 1 char", {}),
    ("content of 4096 chars", {"content": "#" * 4096}),
    ("description of 256 chars", {"description": "d" * 256}),
    ("type PYTHON", {"type": "PYTHON", "content": "print(${a})"}),
    ("type BAT", {"type": "BAT"}),
    ("risk MEDIUM", {"props": {"risk_level": "MEDIUM"}}),
    ("risk HIGH", {"props": {"risk_level": "HIGH"}}),
    ("version of 10 chars", {"props": {"version": "1234567890"}}),
    ("20 params", {"script_params": _params(20)}),
    ("no params", {"script_params": []}),
    ("params absent", {"script_params": None}),
    ("param name of 64 chars", {"script_params": [param("p" * 64)]}),
    ("param value of 1024 chars", {"script_params": [param(value="v" * 1024)]}),
    ("empty param value", {"script_params": [param(value="")]}),
    ("param value with every allowed sign", {"script_params": [param(value="a-Z_0/9.*? :\"',=+@[]{}")]}),
    ("param description of 256 chars", {"script_params": [param(param_description="d" * 256)]}),
    ("empty param description", {"script_params": [param(param_description="")]}),
    ("params given out of order", {"script_params": [param("b", order=2), param("a", order=1)]}),
    ("5 reviewers", {"props": {"reviewers": _reviewers(5)}}),
    ("reviewer name of 64, id of 32", {"props": {"reviewers": [{"reviewer_name": "r" * 64, "reviewer_id": "i" * 32}]}}),
    ("reviewer with an empty id", {"props": {"reviewers": [{"reviewer_name": "r", "reviewer_id": ""}]}}),
    ("enterprise project", {"enterprise_project_id": "0"}),
] + [(f"protocol {p}", {"props": {"protocol": p}}) for p in ("DEFAULT", "SMS", "EMAIL", "DING_TALK", "WE_LINK",
                                                              "WECHAT", "CALLNOTIFY", "NOT_TO_NOTIFY")]  # fmt: skip


@pytest.mark.parametrize(("case", "overrides"), ACCEPTED, ids=[c for c, _ in ACCEPTED])
def test_create_accepts_values_at_the_boundaries(
    client: TestClient, tenant: TenantKey, case: str, overrides: dict[str, Any]
) -> None:
    resp = _post(client, tenant, **overrides)
    assert resp.status_code == 200, f"{case}: {resp.text}"
    assert len(resp.json()["data"]) == 25


REFUSED: list[tuple[str, dict[str, Any], str, str]] = [
    ("name of 65 chars", {"name": "n" * 65}, SCHEMA, "name length must be at most 64"),
    ("empty name", {"name": ""}, SCHEMA, "name length must be at least 1"),
    ("name with a dash", {"name": "a-b"}, SCHEMA, "name must match pattern"),
    ("name missing", {"name": None}, SCHEMA, "name"),
    ("content of 4097 chars", {"content": "#" * 4097}, SCHEMA, "content length must be at most 4096"),
    ("empty content", {"content": ""}, SCHEMA, "content length must be at least 1"),
    ("description of 257 chars", {"description": "d" * 257}, SCHEMA, "description length must be at most 256"),
    ("empty description", {"description": ""}, SCHEMA, "description length must be at least 1"),
    ("type RUBY", {"type": "RUBY"}, SCHEMA, "type value[RUBY] invalid"),
    ("risk CRITICAL", {"props": {"risk_level": "CRITICAL"}}, SCHEMA, "properties.risk_level"),
    ("version of 11 chars", {"props": {"version": "12345678901"}}, SCHEMA, "properties.version length must be at most"),
    ("empty version", {"props": {"version": ""}}, SCHEMA, "properties.version"),
    ("21 params", {"script_params": _params(21)}, SCHEMA, "script_params size must be at most 20"),
    ("param name of 65 chars", {"script_params": [param("p" * 65)]}, SCHEMA, "script_params[0].param_name length"),
    ("param name with a dot", {"script_params": [param("a.b")]}, SCHEMA, "script_params[0].param_name must match"),
    ("param value of 1025 chars", {"script_params": [param(value="v" * 1025)]}, INVALID, "The paramValue is invalid."),
    ("param value with ;", {"script_params": [param(value="a;b")]}, INVALID, "The paramValue is invalid."),
    ("param value with $", {"script_params": [param(value="${HOME}")]}, INVALID, "The paramValue is invalid."),
    ("param value with |", {"script_params": [param(value="a|b")]}, INVALID, "The paramValue is invalid."),
    ("param value with ..", {"script_params": [param(value="../etc")]}, INVALID, "The paramValue is invalid."),
    ("param value with a newline", {"script_params": [param(value="a\nb")]}, INVALID, "The paramValue is invalid."),
    ("param description of 257", {"script_params": [param(param_description="d" * 257)]}, SCHEMA, "param_description"),
    ("param order 0", {"script_params": [param(order=0)]}, SCHEMA, "script_params[0].param_order must be >= 1"),
    ("param order 21", {"script_params": [param(order=21)]}, SCHEMA, "script_params[0].param_order must be <= 20"),
    ("param orders with a gap", {"script_params": [param("a", order=1), param("b", order=3)]}, SCHEMA, "consecutive"),
    ("param orders from 2", {"script_params": [param(order=2)]}, SCHEMA, "start from 1"),
    ("param names repeated", {"script_params": [param("a", order=1), param("a", order=2)]}, SCHEMA, "duplicated"),
    ("6 reviewers", {"props": {"reviewers": _reviewers(6)}}, SCHEMA, "properties.reviewers size must be at most 5"),
    ("reviewer name of 65", {"props": {"reviewers": [{"reviewer_name": "r" * 65, "reviewer_id": ""}]}}, SCHEMA,
     "reviewer_name length must be at most 64"),
    ("empty reviewer name", {"props": {"reviewers": [{"reviewer_name": "", "reviewer_id": ""}]}}, SCHEMA,
     "reviewer_name length must be at least 1"),
    ("reviewer id of 33", {"props": {"reviewers": [{"reviewer_name": "r", "reviewer_id": "i" * 33}]}}, SCHEMA,
     "reviewer_id length must be at most 32"),
    ("protocol PIGEON", {"props": {"protocol": "PIGEON"}}, SCHEMA, "properties.protocol"),
    ("properties missing", {"properties": None}, SCHEMA, "properties"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "overrides", "code", "fragment"), REFUSED, ids=[c[0] for c in REFUSED])
def test_create_refuses_values_just_outside(
    client: TestClient, tenant: TenantKey, case: str, overrides: dict[str, Any], code: str, fragment: str
) -> None:
    resp = _post(client, tenant, **overrides)
    assert_error(resp, 400, code, fragment)
    listed = client.get("/v1/job/scripts", params={"limit": 100}, auth=tenant.auth).json()["data"]
    assert listed["total"] == 0, f"{case}: a refused create must change nothing"


def test_name_is_unique_per_tenant_only(client: TestClient, make_tenant: Any) -> None:
    first, second = make_tenant(), make_tenant()
    name = unique_name("dup")
    create(client, first, name=name)
    assert_error(_post(client, first, name=name), 400, INVALID)
    assert _post(client, first, name=name).json()["error_msg"] == f"Exist script with same name: {name}."
    create(client, second, name=name)


def test_modify_checks_the_same_constraints(client: TestClient, tenant: TenantKey) -> None:
    uuid = create(client, tenant)
    current = show(client, tenant, uuid)
    url = f"/v1/job/scripts/{uuid}"
    ok = client.put(url, json=edit_body(current, description="d" * 256, content="#" * 4096), auth=tenant.auth)
    assert ok.status_code == 200, ok.text
    assert ok.json() == {"data": uuid}
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"description": "d" * 257}, SCHEMA, "description length must be at most 256"),
        ({"content": "#" * 4097}, SCHEMA, "content length must be at most 4096"),
        ({"script_params": _params(21)}, SCHEMA, "script_params size must be at most 20"),
        ({"script_params": [param(value="a;b")]}, INVALID, "The paramValue is invalid."),
        ({"script_params": [param(order=2)]}, SCHEMA, "start from 1"),
        ({"properties": {"risk_level": "LOW", "version": "12345678901"}}, SCHEMA, "properties.version"),
        ({"properties": {"risk_level": "LOW", "version": "1", "reviewers": _reviewers(6)}}, SCHEMA, "reviewers"),
        ({"type": "PYTHON"}, INVALID, "type cannot be changed"),
        ({"name": "other_name"}, INVALID, "name cannot be changed"),
    ]
    for change, code, fragment in cases:
        assert_error(client.put(url, json=edit_body(current, **change), auth=tenant.auth), 400, code, fragment)
    after = show(client, tenant, uuid)
    assert after["description"] == "d" * 256 and after["content"] == "#" * 4096, "refused modifies change nothing"
    same = edit_body(current, name=current["name"], type=current["type"])
    assert client.put(url, json=same, auth=tenant.auth).status_code == 200, "the same name and type may be sent"


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"limit": 0}, "limit must be >= 1"),
        ({"limit": 101}, "limit must be <= 100"),
        ({}, "limit must not be null"),
        ({"limit": 10, "marker": -1}, "marker must be >= 0"),
        ({"limit": 10, "name_like": "n" * 33}, "name_like length must be at most 32"),
        ({"limit": 10, "creator": "c" * 65}, "creator length must be at most 64"),
        ({"limit": 10, "risk_level": "SEVERE"}, "risk_level"),
        ({"limit": 10, "type": "RUBY"}, "type"),
        ({"limit": "ten"}, "limit must be an integer"),
    ],
)
def test_list_refuses_bad_queries(client: TestClient, tenant: TenantKey, query: dict[str, Any], fragment: str) -> None:
    assert_error(client.get("/v1/job/scripts", params=query, auth=tenant.auth), 400, SCHEMA, fragment)


@pytest.mark.parametrize("limit", [1, 100])
def test_list_accepts_limit_bounds(client: TestClient, tenant: TenantKey, limit: int) -> None:
    create(client, tenant)
    create(client, tenant)
    resp = client.get("/v1/job/scripts", params={"limit": limit, "name_like": "n" * 32}, auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    page = client.get("/v1/job/scripts", params={"limit": limit}, auth=tenant.auth).json()["data"]
    assert page["total"] == 2 and len(page["data"]) == min(limit, 2)


def test_list_marker_spans_a_long(client: TestClient, tenant: TenantKey) -> None:
    uuid = create(client, tenant)
    page = client.get("/v1/job/scripts", params={"limit": 1, "marker": 2**63 - 1}, auth=tenant.auth)
    assert page.status_code == 200 and page.json()["data"]["data"][0]["script_uuid"] == uuid, page.text
    assert client.get("/v1/job/scripts", params={"limit": 1, "marker": 0}, auth=tenant.auth).json()["data"]["data"]
    over = client.get("/v1/job/scripts", params={"limit": 1, "marker": 2**63}, auth=tenant.auth)
    assert_error(over, 400, SCHEMA, "marker must be <=")
