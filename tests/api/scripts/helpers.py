"""Request bodies and calls shared by the scripts API tests."""

import itertools
from typing import Any, TypeVar

from fastapi.testclient import TestClient
from sqlalchemy import select

from opencoc.auth.models import Tenant
from opencoc.core.db import Database
from tests.support.signing import TenantKey

_n = itertools.count(1)
T = TypeVar("T")
MASK = "*" * 17


def unique_name(prefix: str = "s") -> str:
    return f"{prefix}_{next(_n)}"


def param(name: str = "a", value: str = "v", order: int = 1, sensitive: bool = False, **kw: Any) -> dict[str, Any]:
    return {
        "param_name": name,
        "param_value": value,
        "param_description": kw.pop("param_description", "desc"),
        "param_order": order,
        "sensitive": sensitive,
        **kw,
    }


def script_body(**overrides: Any) -> dict[str, Any]:
    """A valid create body; keyword overrides replace top-level keys, `props` merges into properties."""
    props = {"risk_level": "LOW", "version": "1.0.0"} | overrides.pop("props", {})
    body: dict[str, Any] = {
        "name": unique_name(),
        "type": "SHELL",
        "content": "echo ${a}",
        "description": "a test script",
        "properties": props,
        "script_params": [param()],
    }
    body.update(overrides)
    return body


def create(client: TestClient, tenant: TenantKey, **overrides: Any) -> str:
    resp = client.post("/v1/job/scripts", json=script_body(**overrides), auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    uuid: str = resp.json()["data"]
    return uuid


def show(client: TestClient, tenant: TenantKey, uuid: str) -> dict[str, Any]:
    resp = client.get(f"/v1/job/scripts/{uuid}", auth=tenant.auth)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()["data"]
    return data


def edit_body(current: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A modify body from a shown script, as the Terraform provider sends it."""
    body = {
        "description": current["description"],
        "type": current["type"],
        "content": current["content"],
        "script_params": current["script_params"],
        "properties": {k: current["properties"][k] for k in ("risk_level", "version", "reviewers", "protocol")},
    }
    body.update(overrides)
    return body


def assert_error(resp: Any, status: int, code: str | None, *fragments: str) -> None:
    """The error body; `code` None skips the code (the tag routes' schema code depends on their family)."""
    assert resp.status_code == status, resp.text
    body = resp.json()
    if resp.url.path.startswith("/v1/job/"):
        assert set(body) == {"error_code", "error_msg"}, body
    assert code is None or body["error_code"] == code, body
    for fragment in fragments:
        assert fragment in body["error_msg"], body


def tenant_id(db: Database, key: TenantKey) -> int:
    """The database id of a test tenant (service functions take it explicitly)."""
    with db.read() as session:
        found: int = session.scalars(select(Tenant.id).where(Tenant.domain_id == key.domain_id)).one()
        return found
