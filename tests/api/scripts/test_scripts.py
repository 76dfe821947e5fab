"""Create, show, list, modify, delete and tag scripts; tenants never see each other's scripts."""

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencoc.core.db import Database
from opencoc.scripts.models import ScriptVersion
from tests.api.scripts.helpers import MASK, assert_error, create, edit_body, param, script_body, show, unique_name
from tests.support.signing import TenantKey


def test_create_then_show_returns_every_field_with_real_types(client: TestClient, tenant: TenantKey) -> None:
    body = script_body(enterprise_project_id="0", props={"protocol": "NOT_TO_NOTIFY"})
    resp = client.post("/v1/job/scripts", json=body, auth=tenant.auth)
    assert resp.status_code == 200 and set(resp.json()) == {"data"}, resp.text
    uuid = resp.json()["data"]
    assert re.fullmatch(r"SC\d{14}[0-9a-f]{9}", uuid)
    data = show(client, tenant, uuid)
    assert data["script_uuid"] == uuid and data["name"] == body["name"] and data["type"] == "SHELL"
    assert data["content"] == "echo ${a}" and data["description"] == "a test script"
    assert data["status"] == "APPROVED", "a script without reviewers needs no review"
    assert data["version"] == "1.0.0" and data["enterprise_project_id"] == "0"
    assert data["properties"] == {"risk_level": "LOW", "version": "1.0.0", "reviewers": [], "protocol": "NOT_TO_NOTIFY"}
    assert data["script_params"] == [param()]
    assert isinstance(data["gmt_created"], int) and data["gmt_modified"] == data["gmt_created"]
    assert data["creator"] == "admin" and data["creator_id"] == tenant.user_id and data["operator"] == "admin"
    assert data["resource_tags"] == []


def test_list_pages_by_marker_newest_first_with_filters(client: TestClient, tenant: TenantKey) -> None:
    uuids = [create(client, tenant, name=unique_name("page")) for _ in range(5)]
    python = {"type": "PYTHON", "content": "print(${a})"}
    create(client, tenant, name=unique_name("other"), props={"risk_level": "HIGH"}, **python)
    seen: list[str] = []
    marker = None
    while True:
        query: dict[str, Any] = {"limit": 2, "name_like": "PAGE"}
        if marker is not None:
            query["marker"] = marker
        page = client.get("/v1/job/scripts", params=query, auth=tenant.auth).json()["data"]
        assert page["total"] == 5
        if not page["data"]:
            break
        seen += [s["script_uuid"] for s in page["data"]]
        marker = page["data"][-1]["id"]
    assert seen == uuids[::-1]
    item = client.get("/v1/job/scripts", params={"limit": 10, "type": "PYTHON"}, auth=tenant.auth).json()["data"]
    assert item["total"] == 1 and item["data"][0]["properties"]["risk_level"] == "HIGH"
    assert isinstance(item["data"][0]["id"], int)
    by_risk = client.get("/v1/job/scripts", params={"limit": 10, "risk_level": "LOW"}, auth=tenant.auth)
    assert by_risk.json()["data"]["total"] == 5
    by_creator = client.get("/v1/job/scripts", params={"limit": 10, "creator": "nobody"}, auth=tenant.auth)
    assert by_creator.json()["data"] == {"total": 0, "data": []}
    literal = client.get("/v1/job/scripts", params={"limit": 10, "name_like": "%"}, auth=tenant.auth)
    assert literal.json()["data"]["total"] == 0, "name_like is a literal substring, not a LIKE pattern"


def test_other_tenants_scripts_are_not_found(client: TestClient, make_tenant: Any) -> None:
    owner, other = make_tenant(), make_tenant()
    uuid = create(client, owner)
    url = f"/v1/job/scripts/{uuid}"
    current = show(client, owner, uuid)
    for resp in (
        client.get(url, auth=other.auth),
        client.put(url, json=edit_body(current), auth=other.auth),
        client.delete(url, auth=other.auth),
        client.post(f"{url}/action", json={"status": "APPROVED"}, auth=other.auth),
        client.post(f"/v1/script/coc:script/{uuid}/tags/update", json={"tags": []}, auth=other.auth),
    ):
        assert_error(resp, 400, "COC.00040604", uuid)
    assert client.get("/v1/job/scripts", params={"limit": 100}, auth=other.auth).json()["data"]["total"] == 0
    assert show(client, owner, uuid)["description"] == current["description"]


def test_malformed_uuid_is_invalid_and_unknown_uuid_does_not_exist(client: TestClient, tenant: TenantKey) -> None:
    for bad in ("SC123", "x" * 26, "SC2023102521413701c4a8a6!"):
        assert_error(client.get(f"/v1/job/scripts/{bad}", auth=tenant.auth), 400, "COC.00040601", "script_uuid")
    assert_error(client.delete("/v1/job/scripts/SC2023102521413701c4a8a62", auth=tenant.auth), 400, "COC.00040604")


def test_delete_returns_the_uuid_and_then_it_is_gone(client: TestClient, tenant: TenantKey) -> None:
    name = unique_name("gone")
    uuid = create(client, tenant, name=name)
    resp = client.delete(f"/v1/job/scripts/{uuid}", auth=tenant.auth)
    assert resp.status_code == 200 and resp.json() == {"data": uuid}
    assert_error(client.get(f"/v1/job/scripts/{uuid}", auth=tenant.auth), 400, "COC.00040604")
    assert_error(client.delete(f"/v1/job/scripts/{uuid}", auth=tenant.auth), 400, "COC.00040604")
    create(client, tenant, name=name)  # the name is free again


def test_sensitive_values_are_masked_encrypted_and_kept_when_sent_back(
    client: TestClient, tenant: TenantKey, db: Database
) -> None:
    params = [param("user", "root", 1), param("password", "s3cret", 2, sensitive=True)]
    uuid = create(client, tenant, script_params=params)
    shown = show(client, tenant, uuid)
    assert [p["param_value"] for p in shown["script_params"]] == ["root", MASK]
    with db.read() as session:
        stored = session.scalars(select(ScriptVersion.params).where(ScriptVersion.script_uuid == uuid)).one()
    assert stored[1]["param_value"] not in ("s3cret", MASK) and "s3cret" not in str(stored), "encrypted at rest"

    resp = client.put(f"/v1/job/scripts/{uuid}", json=edit_body(shown, content="echo changed"), auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    cipher = client.app.state.cipher  # type: ignore[attr-defined]
    with db.read() as session:
        versions = session.scalars(select(ScriptVersion).where(ScriptVersion.script_uuid == uuid)).all()
    assert [cipher.decrypt(v.params[1]["param_value"]) for v in versions] == ["s3cret", "s3cret"]

    changed = edit_body(shown, script_params=[param("user", "root", 1), param("password", "n3w", 2, sensitive=True)])
    assert client.put(f"/v1/job/scripts/{uuid}", json=changed, auth=tenant.auth).status_code == 200
    with db.read() as session:
        last = session.scalars(
            select(ScriptVersion).where(ScriptVersion.script_uuid == uuid).order_by(ScriptVersion.id.desc())
        ).first()
    assert last is not None and cipher.decrypt(last.params[1]["param_value"]) == "n3w"
    assert show(client, tenant, uuid)["script_params"][1]["param_value"] == MASK


def test_modify_keeps_every_previous_version(client: TestClient, tenant: TenantKey, db: Database) -> None:
    uuid = create(client, tenant, content="echo one", props={"version": "1"})
    first = show(client, tenant, uuid)
    second_body = edit_body(
        first,
        content="echo two",
        description="second",
        script_params=[param("b", "x", 1)],
        properties={"risk_level": "MEDIUM", "version": "2"},
    )
    assert client.put(f"/v1/job/scripts/{uuid}", json=second_body, auth=tenant.auth).status_code == 200
    second = show(client, tenant, uuid)
    assert second["content"] == "echo two" and second["description"] == "second" and second["version"] == "2"
    assert second["properties"]["risk_level"] == "MEDIUM" and second["script_params"] == [param("b", "x", 1)]
    assert second["gmt_modified"] > first["gmt_modified"] and second["gmt_created"] == first["gmt_created"]
    with db.read() as session:
        rows = session.scalars(
            select(ScriptVersion).where(ScriptVersion.script_uuid == uuid).order_by(ScriptVersion.id)
        ).all()
    assert [(v.content, v.version, v.risk_level) for v in rows] == [
        ("echo one", "1", "LOW"),
        ("echo two", "2", "MEDIUM"),
    ]
    assert rows[0].params == [param()]


def test_modify_without_properties_keeps_them_and_without_params_clears_them(
    client: TestClient, tenant: TenantKey
) -> None:
    uuid = create(client, tenant, props={"risk_level": "HIGH", "version": "9"})
    body = {"description": "only this", "content": "echo"}
    assert client.put(f"/v1/job/scripts/{uuid}", json=body, auth=tenant.auth).status_code == 200
    shown = show(client, tenant, uuid)
    assert shown["properties"]["risk_level"] == "HIGH" and shown["version"] == "9"
    assert shown["script_params"] == [], "Terraform omits script_params when the last one is removed"


def test_tags_replace_the_whole_set_and_show_as_resource_tags(client: TestClient, tenant: TenantKey) -> None:
    uuid = create(client, tenant)
    url = f"/v1/script/coc:script/{uuid}/tags/update"
    first = {"tags": [{"key": "env", "value": "prod"}, {"key": "team", "value": "ops"}]}
    resp = client.post(url, json=first, auth=tenant.auth)
    assert resp.status_code == 200 and resp.json() == {"data": uuid}, resp.text
    assert show(client, tenant, uuid)["resource_tags"] == first["tags"]
    assert client.post(url, json={"tags": [{"key": "env", "value": "dev"}]}, auth=tenant.auth).status_code == 200
    assert show(client, tenant, uuid)["resource_tags"] == [{"key": "env", "value": "dev"}]
    listed = client.get("/v1/script/coc:script/tags", auth=tenant.auth).json()["data"]
    assert listed == {"tags": [{"key": "env", "values": ["dev"]}], "total": 1}
    assert client.post(url, json={"tags": []}, auth=tenant.auth).status_code == 200
    assert show(client, tenant, uuid)["resource_tags"] == []

    duplicated = {"tags": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}
    assert_error(client.post(url, json=duplicated, auth=tenant.auth), 400, "COC.00040701", "duplicated")
    too_many = {"tags": [{"key": f"k{i}", "value": ""} for i in range(21)]}
    assert_error(client.post(url, json=too_many, auth=tenant.auth), 400, None, "tags size")
    long_key = {"tags": [{"key": "k" * 129, "value": ""}]}
    assert_error(client.post(url, json=long_key, auth=tenant.auth), 400, None, "tags[0].key")
    wrong_type = client.post(f"/v1/script/coc:job/{uuid}/tags/update", json=first, auth=tenant.auth)
    assert wrong_type.status_code == 400 and "resource_type" in wrong_type.json()["error_msg"]


def test_unauthenticated_requests_are_401(client: TestClient) -> None:
    assert client.get("/v1/job/scripts", params={"limit": 1}).status_code == 401
    assert client.post("/v1/job/scripts", json=script_body()).status_code == 401


def test_without_an_enterprise_project_the_list_says_0_and_the_detail_null(
    client: TestClient, tenant: TenantKey
) -> None:
    uuid = create(client, tenant, name=unique_name("noep"))
    listed = client.get("/v1/job/scripts", params={"limit": 10, "name_like": "NOEP"}, auth=tenant.auth).json()["data"][
        "data"
    ]
    [item] = [s for s in listed if s["script_uuid"] == uuid]
    assert item["enterprise_project_id"] == "0" and isinstance(item["id"], int)
    assert show(client, tenant, uuid)["enterprise_project_id"] is None
