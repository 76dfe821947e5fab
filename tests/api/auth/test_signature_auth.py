"""Authentication on COC routes: SDK-HMAC-SHA256 as each client signs it, tokens, and 401s."""

import hashlib
import time

from fastapi.testclient import TestClient

from opencoc.auth import signature
from tests.support.signing import TenantKey

UNAUTHORIZED = {
    "error_code": "common.01010001",
    "error_msg": "Token missing or invalid.",
    "provider_code": "049",
    "data": None,
}


def _signed_headers(
    key: TenantKey,
    method: str,
    path: str,
    query: str,
    headers: dict[str, str],
    body: bytes,
    signed: list[str],
    date: str | None = None,
) -> dict[str, str]:
    headers = dict(headers)
    headers["X-Sdk-Date"] = date or time.strftime(signature.DATE_FORMAT, time.gmtime())
    lower = {k.lower(): v for k, v in headers.items()}
    to_sign = signature.string_to_sign(method, path, query, lower, signed, body)
    sig = signature.signature(key.secret_key, to_sign)
    headers["Authorization"] = signature.authorization_header(key.access_key, signed, sig)
    return headers


def test_missing_credentials_is_401_with_coc_body_and_request_id(client: TestClient) -> None:
    resp = client.get("/v3/auth/domains")
    assert resp.status_code == 401
    assert resp.json() == UNAUTHORIZED
    assert len(resp.headers["x-request-id"]) == 32


def test_sdk_style_signature_with_domain_header_is_accepted(client: TestClient, tenant: TenantKey) -> None:
    headers = {
        "Content-Type": "application/json",
        "Host": "testserver",
        "User-Agent": "huaweicloud-usdk-python/3.0",
        "X-Domain-Id": tenant.domain_id,
    }
    signed = ["content-type", "host", "user-agent", "x-domain-id", "x-sdk-date"]
    resp = client.get(
        "/v3/auth/domains", headers=_signed_headers(tenant, "GET", "/v3/auth/domains", "", headers, b"", signed)
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["domains"][0]["id"] == tenant.domain_id


def test_terraform_style_signature_without_host_and_unsigned_project_header(
    client: TestClient, tenant: TenantKey
) -> None:
    headers = {"Accept": "application/json", "Content-Type": "application/json", "User-Agent": "terraform"}
    signed = ["accept", "content-type", "user-agent", "x-sdk-date"]
    headers = _signed_headers(tenant, "GET", "/v3/projects", "name=cn-north-4", headers, b"", signed)
    headers["X-Project-Id"] = "added-after-signing"
    resp = client.get("/v3/projects?name=cn-north-4", headers=headers)
    assert resp.status_code == 200, resp.text
    assert resp.json()["projects"][0]["name"] == "cn-north-4"


def test_query_is_canonicalised_sorted_and_reencoded(client: TestClient, tenant: TenantKey) -> None:
    # The signer sorts pairs and quotes with safe='~'; the wire carries the same string.
    query = "name=a%20b~c"
    headers = _signed_headers(tenant, "GET", "/v3/projects", query, {"Host": "testserver"}, b"", ["host", "x-sdk-date"])
    assert client.get("/v3/projects?" + query, headers=headers).status_code == 200


def test_wrong_secret_is_rejected(client: TestClient, tenant: TenantKey) -> None:
    forged = TenantKey(tenant.name, tenant.domain_id, tenant.user_id, tenant.access_key, "x" * 40)
    headers = _signed_headers(
        forged, "GET", "/v3/auth/domains", "", {"Host": "testserver"}, b"", ["host", "x-sdk-date"]
    )
    assert client.get("/v3/auth/domains", headers=headers).json() == UNAUTHORIZED


def test_tampered_body_is_rejected(client: TestClient, tenant: TenantKey) -> None:
    headers = _signed_headers(
        tenant, "GET", "/v3/auth/domains", "", {"Host": "testserver"}, b"{}", ["host", "x-sdk-date"]
    )
    assert client.request("GET", "/v3/auth/domains", headers=headers, content=b"{ }").status_code == 401


def _signed_with_payload_hash(
    key: TenantKey, headers: dict[str, str], signed: list[str], payload_hash: str
) -> dict[str, str]:
    """Headers of a GET /v3/auth/domains whose signature covers `payload_hash` (as a non-SDK signer might)."""
    headers = dict(headers, **{"X-Sdk-Date": time.strftime(signature.DATE_FORMAT, time.gmtime())})
    lower = {k.lower(): v for k, v in headers.items()}
    to_sign = signature.string_to_sign_for_hash("GET", "/v3/auth/domains", "", lower, signed, payload_hash)
    headers["Authorization"] = signature.authorization_header(
        key.access_key, signed, signature.signature(key.secret_key, to_sign)
    )
    return headers


def test_unsigned_payload_marker_counts_only_when_it_is_itself_signed(client: TestClient, tenant: TenantKey) -> None:
    base = {"Host": "testserver", "Content-Type": "multipart/form-data; boundary=x"}
    marker = {"X-Sdk-Content-Sha256": signature.UNSIGNED_PAYLOAD}
    body = b"--x\r\n\r\nfile\r\n--x--\r\n"
    unsigned_marker = _signed_with_payload_hash(
        tenant, base | marker, ["content-type", "host", "x-sdk-date"], signature.UNSIGNED_PAYLOAD
    )
    assert client.request("GET", "/v3/auth/domains", headers=unsigned_marker, content=body).status_code == 401
    signed_marker = _signed_with_payload_hash(
        tenant,
        base | marker,
        ["content-type", "host", "x-sdk-content-sha256", "x-sdk-date"],
        signature.UNSIGNED_PAYLOAD,
    )
    assert client.request("GET", "/v3/auth/domains", headers=signed_marker, content=body).status_code == 200


def test_content_hash_header_that_is_not_the_bodys_hash_is_rejected(client: TestClient, tenant: TenantKey) -> None:
    claimed = hashlib.sha256(b"another body").hexdigest()
    headers = _signed_with_payload_hash(
        tenant,
        {"Host": "testserver", "X-Sdk-Content-Sha256": claimed},
        ["host", "x-sdk-content-sha256", "x-sdk-date"],
        claimed,
    )
    assert client.request("GET", "/v3/auth/domains", headers=headers, content=b"{}").status_code == 401


def test_empty_body_is_hashed_as_empty_whatever_the_marker(client: TestClient, tenant: TenantKey) -> None:
    # The SDK adds UNSIGNED-PAYLOAD for any non-JSON Content-Type but hashes an empty body as empty.
    headers = _signed_with_payload_hash(
        tenant,
        {"Host": "testserver", "Content-Type": "text/plain", "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD"},
        ["content-type", "host", "x-sdk-content-sha256", "x-sdk-date"],
        signature.EMPTY_SHA256,
    )
    assert client.get("/v3/auth/domains", headers=headers).status_code == 200


def test_signature_without_sdk_date_in_signed_headers_is_rejected(client: TestClient, tenant: TenantKey) -> None:
    headers = _signed_headers(tenant, "GET", "/v3/auth/domains", "", {"Host": "testserver"}, b"", ["host"])
    assert client.get("/v3/auth/domains", headers=headers).status_code == 401


def test_date_outside_fifteen_minutes_is_rejected(client: TestClient, tenant: TenantKey) -> None:
    old = time.strftime(signature.DATE_FORMAT, time.gmtime(time.time() - 16 * 60))
    headers = _signed_headers(
        tenant, "GET", "/v3/auth/domains", "", {"Host": "testserver"}, b"", ["host", "x-sdk-date"], date=old
    )
    assert client.get("/v3/auth/domains", headers=headers).status_code == 401
    recent = time.strftime(signature.DATE_FORMAT, time.gmtime(time.time() - 14 * 60))
    headers = _signed_headers(
        tenant, "GET", "/v3/auth/domains", "", {"Host": "testserver"}, b"", ["host", "x-sdk-date"], date=recent
    )
    assert client.get("/v3/auth/domains", headers=headers).status_code == 200


def test_domain_header_of_another_tenant_is_rejected(client: TestClient, tenant: TenantKey) -> None:
    headers = _signed_headers(
        tenant,
        "GET",
        "/v3/auth/domains",
        "",
        {"Host": "testserver", "X-Domain-Id": "0" * 32},
        b"",
        ["host", "x-domain-id", "x-sdk-date"],
    )
    assert client.get("/v3/auth/domains", headers=headers).status_code == 401


def test_payload_hash_matches_sdk_empty_body_constant() -> None:
    assert signature.EMPTY_SHA256 == hashlib.sha256(b"").hexdigest()
    assert signature.canonical_uri("/v1/job/scripts/a%20b%2Fc") == "/v1/job/scripts/a%20b/c/"


def test_password_token_authenticates(client: TestClient, make_tenant) -> None:  # type: ignore[no-untyped-def]
    key = make_tenant(user="alice", password="s3cret-pass")
    body = {
        "auth": {
            "identity": {
                "methods": ["password"],
                "password": {"user": {"name": "alice", "password": "s3cret-pass", "domain": {"name": key.name}}},
            },
            "scope": {"project": {"name": "cn-north-4"}},
        }
    }
    resp = client.post("/v3/auth/tokens", json=body)
    assert resp.status_code == 201, resp.text
    token = resp.headers["x-subject-token"]
    assert resp.json()["token"]["user"]["id"] == key.user_id
    domains = client.get("/v3/auth/domains", headers={"X-Auth-Token": token})
    assert domains.status_code == 200 and domains.json()["domains"][0]["id"] == key.domain_id
    body["auth"]["identity"]["password"]["user"]["password"] = "wrong"
    assert client.post("/v3/auth/tokens", json=body).status_code == 401
    assert client.get("/v3/auth/domains", headers={"X-Auth-Token": "MIIbogus"}).status_code == 401


def test_malformed_json_is_400_and_oversized_body_is_413(client: TestClient) -> None:
    resp = client.post("/v3/auth/tokens", content=b'{"auth": ', headers={"Content-Type": "application/json"})
    assert resp.status_code == 400
    assert "JSON" in resp.json()["error_msg"]
    resp = client.post(
        "/v3/auth/tokens", content=b"x" * (1024 * 1024 + 1), headers={"Content-Type": "application/json"}
    )
    assert resp.status_code == 413


def test_no_trailing_slash_redirect(client: TestClient) -> None:
    resp = client.get("/v3/auth/domains/", follow_redirects=False)
    assert resp.status_code == 404
