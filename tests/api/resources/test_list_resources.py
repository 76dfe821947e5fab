"""GET /v1/resources and /v1/external/resources: item fields, filters, limits, marker, isolation."""

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from opencoc.core.clock import now_ms
from opencoc.core.db import Database
from opencoc.resources import service
from opencoc.resources.schemas import ImportedResource
from tests.api.agents.helpers import enroll, enroll_token
from tests.support.signing import TenantKey

BASE = "/v1/resources?provider=ecs&type=cloudservers"
ITEM_FIELDS = {
    "id", "resource_id", "domain_id", "name", "provider", "type", "project_id", "project_name", "region_id",
    "ep_id", "ep_name", "tags", "agent_id", "agent_state", "properties", "ingest_properties", "is_delegated",
    "inner_ip", "operable", "is_associate_group", "associated_group_list", "create_time", "update_time",
}  # fmt: skip


def _import(db: Database, tenant: TenantKey, *items: dict[str, Any]) -> None:
    with db.write() as session:
        service.import_resources(
            session, tenant_name=tenant.name, items=[ImportedResource(**i) for i in items], now=now_ms()
        )


def _list(client: TestClient, tenant: TenantKey, query: str, path: str = BASE) -> list[dict[str, Any]]:
    resp = client.get(f"{path}&{query}", auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    assert set(resp.json()) == {"data"}
    return resp.json()["data"]  # type: ignore[no-any-return]


def _hosts(n: int) -> list[dict[str, Any]]:
    return [
        {"resource_id": f"vm-{i}", "name": f"host-{i}", "region_id": "r1" if i % 2 else "r2", "inner_ip": f"10.0.0.{i}"}
        for i in range(1, n + 1)
    ]


def test_an_enrolled_host_is_an_online_ecs_resource_with_its_agent(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    agent = enroll(client, enroll_token(db, tenant), hostname="web-9", fixed_ip="10.3.3.3", region_id="r9")
    for path in (
        "/v1/resources?provider=ecs&type=cloudservers",
        "/v1/external/resources?provider=ecs&type=cloudservers",
    ):
        (item,) = _list(client, tenant, f"limit=10&resource_id_list={agent.resource_id}", path)
        assert set(item) == ITEM_FIELDS
        assert item["resource_id"] == agent.resource_id and item["agent_id"] == agent.agent_sn
        assert (item["agent_state"], item["name"], item["region_id"]) == ("ONLINE", "web-9", "r9")
        assert (item["provider"], item["type"], item["domain_id"]) == ("ecs", "cloudservers", tenant.domain_id)
        assert item["properties"]["hostname"] == "web-9" and item["inner_ip"] == "10.3.3.3"
        assert item["create_time"].endswith("Z") and item["is_delegated"] is True


def test_imported_resources_have_no_agent(client: TestClient, db: Database, tenant: TenantKey) -> None:
    _import(db, tenant, {"resource_id": "vm-x", "name": "legacy", "tags": [{"key": "env", "value": "prod"}]})
    (item,) = _list(client, tenant, "limit=10")
    assert item["agent_id"] is None and item["agent_state"] is None and item["is_delegated"] is False
    assert item["tags"] == [{"key": "env", "value": "prod"}]


def test_marker_pages_through_in_order(client: TestClient, db: Database, tenant: TenantKey) -> None:
    _import(db, tenant, *_hosts(5))
    seen, marker = [], ""
    while True:
        page = _list(client, tenant, f"limit=2{marker}")
        if not page:
            break
        assert len(page) <= 2
        seen += [i["resource_id"] for i in page]
        marker = f"&marker={page[-1]['id']}"
    assert seen == [f"vm-{i}" for i in range(1, 6)]


@pytest.mark.parametrize("form", ["repeated", "comma", "both"])
def test_resource_id_list_in_each_form(client: TestClient, db: Database, tenant: TenantKey, form: str) -> None:
    _import(db, tenant, *_hosts(4))
    query = {
        "repeated": "resource_id_list=vm-1&resource_id_list=vm-3",
        "comma": "resource_id_list=vm-1,vm-3",
        "both": "resource_id_list=vm-1&resource_id_list=vm-3,vm-9",
    }[form]
    assert {i["resource_id"] for i in _list(client, tenant, f"limit=10&{query}")} == {"vm-1", "vm-3"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("name=host-2", {"vm-2"}),
        ("name=host", {"vm-1", "vm-2", "vm-3"}),
        ("region_id=r1", {"vm-1", "vm-3"}),
        ("ip=10.0.0.3", {"vm-3"}),
        ("agent_state=ONLINE", set()),
    ],
)
def test_filters(client: TestClient, db: Database, tenant: TenantKey, query: str, expected: set[str]) -> None:
    _import(db, tenant, *_hosts(3))
    assert {i["resource_id"] for i in _list(client, tenant, f"limit=10&{query}")} == expected


def test_agent_state_filter(client: TestClient, db: Database, tenant: TenantKey) -> None:
    _import(db, tenant, *_hosts(2))
    agent = enroll(client, enroll_token(db, tenant))
    assert [i["agent_id"] for i in _list(client, tenant, "limit=10&agent_state=ONLINE")] == [agent.agent_sn]
    assert _list(client, tenant, "limit=10&agent_state=OFFLINE") == []


def test_provider_and_type_select_the_kind(client: TestClient, db: Database, tenant: TenantKey) -> None:
    _import(db, tenant, {"resource_id": "db-1", "name": "orders", "provider": "rds", "type": "instances"})
    assert _list(client, tenant, "limit=10") == []
    (item,) = _list(client, tenant, "limit=10", "/v1/resources?provider=rds&type=instances")
    assert item["resource_id"] == "db-1"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("provider=ecs&type=cloudservers", "limit"),
        ("provider=ecs&type=cloudservers&limit=0", "limit"),
        ("provider=ecs&type=cloudservers&limit=101", "limit"),
        ("provider=ecs&type=cloudservers&limit=x", "limit"),
        ("type=cloudservers&limit=10", "provider"),
        ("provider=ecs&limit=10", "type"),
        ("provider=ecs&type=cloudservers&limit=10&marker=nope", "marker"),
        (
            "provider=ecs&type=cloudservers&limit=10&resource_id_list=" + ",".join(map(str, range(101))),
            "resource_id_list",
        ),
    ],
)
def test_bad_query_is_400_naming_the_parameter(client: TestClient, tenant: TenantKey, query: str, field: str) -> None:
    resp = client.get(f"/v1/resources?{query}", auth=tenant.auth)
    assert resp.status_code == 400, resp.text
    body = resp.json()
    assert body["error_code"] == "COC.00040701" and field in body["error_msg"]


def test_tenants_see_only_their_own_resources(
    client: TestClient, db: Database, make_tenant: Callable[..., TenantKey]
) -> None:
    mine, theirs = make_tenant(), make_tenant()
    _import(db, mine, *_hosts(2))
    agent = enroll(client, enroll_token(db, mine))
    assert _list(client, theirs, "limit=100") == []
    assert _list(client, theirs, f"limit=100&resource_id_list={agent.resource_id}") == []
    marker = _list(client, mine, "limit=1")[0]["id"]
    assert client.get(f"{BASE}&limit=10&marker={marker}", auth=theirs.auth).status_code == 400


def test_unsigned_request_is_401(client: TestClient) -> None:
    assert client.get(f"{BASE}&limit=10").status_code == 401


@pytest.mark.parametrize("path", ["/v1/external/resources/sync", "/v1/resources/sync"])
def test_sync_succeeds_at_once(client: TestClient, tenant: TenantKey, path: str) -> None:
    resp = client.post(path, json={"provider": "ecs", "type": "cloudservers"}, auth=tenant.auth)
    assert resp.status_code == 200 and resp.json() == {"data": "success"}
    bad = client.post(path, json={"type": "cloudservers"}, auth=tenant.auth)
    assert bad.status_code == 400 and "provider" in bad.json()["error_msg"]


def test_enterprise_project_not_given_is_0_and_filters_narrow_by_it(
    client: TestClient, db: Database, tenant: TenantKey
) -> None:
    agent = enroll(client, enroll_token(db, tenant), hostname="web-ep")
    _import(
        db,
        tenant,
        {"resource_id": "vm-ep1", "name": "in-ep1", "ep_id": "ep-1"},
        {"resource_id": "vm-none", "name": "n"},
    )
    eps = {i["resource_id"]: i["ep_id"] for i in _list(client, tenant, "limit=100")}
    assert eps == {agent.resource_id: "0", "vm-ep1": "ep-1", "vm-none": "0"}
    for name in ("ep_id", "enterprise_project_id"):  # Terraform's filter name, the SDK's
        assert {i["resource_id"] for i in _list(client, tenant, f"limit=100&{name}=0")} == {
            agent.resource_id,
            "vm-none",
        }
        assert [i["resource_id"] for i in _list(client, tenant, f"limit=100&{name}=ep-1")] == ["vm-ep1"]
        assert _list(client, tenant, f"limit=100&{name}=ep-2") == []
