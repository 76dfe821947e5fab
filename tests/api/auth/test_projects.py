"""IAM's project look-up (GET /v3/projects?name=, what the SDK's `with_region` calls) reads and never writes."""

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text

from opencoc.core.db import Database
from tests.support.signing import TenantKey


def _projects_of(db: Database, key: TenantKey) -> int:
    with db.read() as session:
        return int(
            session.scalar(
                text("SELECT count(*) FROM projects p JOIN tenants t ON t.id = p.tenant_id WHERE t.name = :n"),
                {"n": key.name},
            )
        )


def _project(client: TestClient, key: TenantKey, name: str) -> dict[str, Any]:
    resp = client.get("/v3/projects", params={"name": name}, auth=key.auth)
    assert resp.status_code == 200, resp.text
    (project,) = resp.json()["projects"]
    return dict(project)


def test_looking_up_a_project_writes_nothing_and_gives_the_same_id_every_time(
    client: TestClient, db: Database, tenant: TenantKey, make_tenant: Callable[..., TenantKey]
) -> None:
    first = _project(client, tenant, "cn-north-4")
    assert _project(client, tenant, "cn-north-4")["id"] == first["id"]
    assert _projects_of(db, tenant) == 0, "a GET stored a project"
    assert first["name"] == "cn-north-4" and first["domain_id"] == tenant.domain_id and len(first["id"]) == 32
    assert _project(client, tenant, "ap-southeast-1")["id"] != first["id"]
    assert _project(client, make_tenant(), "cn-north-4")["id"] != first["id"], "another tenant shares the id"


def test_a_token_scoped_to_a_region_names_the_project_the_look_up_gave(
    client: TestClient, db: Database, make_tenant: Callable[..., TenantKey]
) -> None:
    key = make_tenant(user="alice", password="s3cret-pass")
    looked_up = _project(client, key, "cn-north-4")["id"]
    user = {"name": "alice", "password": "s3cret-pass", "domain": {"name": key.name}}
    body = {
        "auth": {
            "identity": {"methods": ["password"], "password": {"user": user}},
            "scope": {"project": {"name": "cn-north-4"}},
        }
    }
    resp = client.post("/v3/auth/tokens", json=body)
    assert resp.status_code == 201, resp.text
    assert resp.json()["token"]["project"] == {"id": looked_up, "name": "cn-north-4"}
    assert _project(client, key, "cn-north-4")["id"] == looked_up
    assert _projects_of(db, key) == 1, "the scoped token stores its project"
