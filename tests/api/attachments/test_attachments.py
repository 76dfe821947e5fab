"""/opencoc/v1/attachments: upload, metadata, download and delete; size, type and tenant are enforced."""

import hashlib
from collections.abc import Callable, Iterator
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from opencoc.attachments.models import Attachment
from opencoc.auth.models import Tenant
from opencoc.core.db import Database
from tests.support.signing import TenantKey, signed_headers

BASE = "/opencoc/v1/attachments"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(range(256))
MIB = 1024 * 1024


def _upload(
    client: TestClient, key: TenantKey, data: bytes, content_type: str | None, name: str = "f.txt", **params: str
) -> Any:
    headers = {"Content-Type": content_type} if content_type else {}
    return client.post(BASE, params={"name": name, **params}, content=data, headers=headers, auth=key.auth)


def _uploaded(client: TestClient, key: TenantKey, data: bytes, content_type: str, **kw: str) -> dict[str, Any]:
    resp = _upload(client, key, data, content_type, **kw)
    assert resp.status_code == 200, resp.text
    meta: dict[str, Any] = resp.json()["data"]
    return meta


def _count(db: Database, key: TenantKey) -> int:
    with db.read() as session:
        query = select(func.count(Attachment.id)).join(Tenant, Tenant.id == Attachment.tenant_id)
        return int(session.scalar(query.where(Tenant.name == key.name)) or 0)


def _error(resp: Any, status: int, fragment: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error_code", "error_msg"} and fragment in body["error_msg"], body


def test_a_file_round_trips_with_its_metadata(client: TestClient, tenant: TenantKey) -> None:
    data = "héllo, attachment\n".encode()
    meta = _uploaded(client, tenant, data, "text/plain; charset=utf-8", name="notes é.txt")
    assert meta["name"] == "notes é.txt" and meta["content_type"] == "text/plain" and meta["size"] == len(data)
    assert meta["sha256"] == hashlib.sha256(data).hexdigest() and meta["subject"] is None
    assert meta["uploader_id"] == tenant.user_id

    shown = client.get(f"{BASE}/{meta['attachment_id']}", auth=tenant.auth)
    assert shown.status_code == 200 and shown.json()["data"] == meta

    got = client.get(f"{BASE}/{meta['attachment_id']}/content", auth=tenant.auth)
    assert got.status_code == 200 and got.content == data
    assert got.headers["content-type"] == "text/plain; charset=utf-8"
    assert got.headers["x-content-type-options"] == "nosniff"
    assert (
        got.headers["content-disposition"]
        == "attachment; filename=\"notes _.txt\"; filename*=UTF-8''notes%20%C3%A9.txt"
    )


def test_a_binary_file_linked_to_a_subject(client: TestClient, tenant: TenantKey) -> None:
    meta = _uploaded(client, tenant, PNG, "image/png", name="graph.png", subject_kind="incident", subject_id="IM1")
    assert meta["subject"] == {"kind": "incident", "id": "IM1"} and meta["content_type"] == "image/png"
    got = client.get(f"{BASE}/{meta['attachment_id']}/content", auth=tenant.auth)
    assert got.content == PNG and got.headers["content-type"] == "image/png"
    assert got.headers["content-disposition"].startswith("attachment;")


def test_a_file_over_the_limit_is_413_and_nothing_is_stored(
    client: TestClient, tenant: TenantKey, db: Database
) -> None:
    _error(_upload(client, tenant, b"a" * (10 * MIB + 1), "text/plain"), 413, str(10 * MIB))

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap counts while the body arrives
        for _ in range(11):
            yield b"a" * MIB

    headers = signed_headers(tenant, "POST", BASE, "testserver", "name=big.txt", b"a" * 11 * MIB)
    resp = client.post(f"{BASE}?name=big.txt", content=chunks(), headers=headers | {"Content-Type": "text/plain"})
    assert resp.status_code == 413, resp.text
    assert _count(db, tenant) == 0
    meta = _uploaded(client, tenant, b"a" * (10 * MIB), "text/plain")
    assert meta["size"] == 10 * MIB, "exactly the limit is accepted"


def test_a_type_the_content_contradicts_is_refused(client: TestClient, tenant: TenantKey, db: Database) -> None:
    _error(_upload(client, tenant, b"not a png", "image/png"), 415, "does not match")
    _error(_upload(client, tenant, PNG, "text/plain"), 415, "image/png")
    _error(_upload(client, tenant, b"%PDF-1.7 ...", "application/zip"), 415, "application/pdf")
    _error(_upload(client, tenant, b"<html><script>x</script></html>", "text/html"), 415, "not allowed")
    _error(_upload(client, tenant, b"<svg onload=alert(1)/>", "image/svg+xml"), 415, "not allowed")
    _error(_upload(client, tenant, b"\xff\xfe\x00bad", "text/plain"), 415, "UTF-8")
    _error(_upload(client, tenant, b'{"a": ', "application/json"), 415, "JSON")
    _error(_upload(client, tenant, b"x", None), 415, "Content-Type")
    assert _count(db, tenant) == 0


def test_another_tenant_gets_not_found(
    client: TestClient, tenant: TenantKey, make_tenant: Callable[..., TenantKey]
) -> None:
    attachment_id = _uploaded(client, tenant, b"secret", "text/plain")["attachment_id"]
    other = make_tenant()
    for resp in (
        client.get(f"{BASE}/{attachment_id}", auth=other.auth),
        client.get(f"{BASE}/{attachment_id}/content", auth=other.auth),
        client.delete(f"{BASE}/{attachment_id}", auth=other.auth),
    ):
        _error(resp, 404, attachment_id)
    assert client.get(f"{BASE}/{attachment_id}/content", auth=tenant.auth).content == b"secret"


def test_delete_removes_the_file(client: TestClient, tenant: TenantKey, db: Database) -> None:
    attachment_id = _uploaded(client, tenant, b"{}", "application/json")["attachment_id"]
    resp = client.delete(f"{BASE}/{attachment_id}", auth=tenant.auth)
    assert resp.status_code == 200 and resp.json() == {"data": attachment_id}
    _error(client.get(f"{BASE}/{attachment_id}/content", auth=tenant.auth), 404, attachment_id)
    _error(client.delete(f"{BASE}/{attachment_id}", auth=tenant.auth), 404, attachment_id)
    assert _count(db, tenant) == 0


def test_malformed_requests_are_4xx(client: TestClient, tenant: TenantKey, db: Database) -> None:
    _error(client.get(f"{BASE}/nope", auth=tenant.auth), 400, "attachment_id")
    _error(client.get(f"{BASE}/{'a' * 5000}/content", auth=tenant.auth), 400, "attachment_id")
    _error(client.post(BASE, content=b"x", headers={"Content-Type": "text/plain"}, auth=tenant.auth), 400, "name")
    _error(_upload(client, tenant, b"x", "text/plain", name="../etc/passwd"), 400, "name")
    _error(_upload(client, tenant, b"x", "text/plain", name='a"b'), 400, "name")
    _error(_upload(client, tenant, b"x", "text/plain", name="n" * 256), 400, "name")
    _error(_upload(client, tenant, b"x", "text/plain", subject_kind="incident"), 400, "subject_id")
    _error(_upload(client, tenant, b"x", "text/plain", subject_kind="Bad Kind", subject_id="1"), 400, "subject_kind")
    _error(_upload(client, tenant, b"", "text/plain"), 400, "empty")
    _error(_upload(client, tenant, b"x", "text/" + "p" * 5000), 415, "not allowed")
    assert client.post(BASE, params={"name": "a.txt"}, content=b"x").status_code == 401
    assert _count(db, tenant) == 0
    bad_query = client.post(
        f"{BASE}?name=%ff%fe", content=b"x", headers={"Content-Type": "text/plain"}, auth=tenant.auth
    )
    # Bytes that are not UTF-8 in the query are decoded as U+FFFD (by Starlette), never a 500.
    assert bad_query.status_code == 200 and bad_query.json()["data"]["name"] == "\ufffd\ufffd", bad_query.text
