"""SDK-HMAC-SHA256 (auth/signature.py): canonical forms of sdk-wire.md §4.3, with the official SDK's signer as oracle.

Each oracle case is signed by `huaweicloudsdkcore.signer.Signer`; the request is then read as the
server reads it off the wire (the path and query the SDK sends, header values as UTF-8) and must
verify. Whatever the SDK canonicalises, the server must canonicalise the same way.
"""

import hashlib
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer

from opencoc.auth import signature

AK, SK = "TESTAK0123456789ABCD", "test-secret-key-0123456789abcdefghijklmn"
DATE = "20261123T232050Z"
JSON = "application/json;charset=utf-8"


def _sdk_signed(
    method: str, path: str, query: list[tuple[str, Any]], headers: dict[str, str], body: bytes
) -> tuple[str, str, dict[str, str]]:
    """(raw path, raw query, headers) of the request the SDK sends, headers as the server reads them."""
    request = SdkRequest(
        method=method,
        schema="http",
        host="127.0.0.1:8000",
        resource_path=path,
        query_params=query,
        header_params={"X-Sdk-Date": DATE, "User-Agent": "huaweicloud-usdk-python/3.0", **headers},
        body=body,
    )
    Signer(SimpleNamespace(ak=AK, sk=SK)).sign(request)
    raw_path, _, raw_query = request.uri.partition("?")
    # the SDK sends header values as UTF-8 bytes (held as latin-1 text); the server decodes them as UTF-8
    wire = {name.lower(): value.encode("latin-1").decode("utf-8") for name, value in request.header_params.items()}
    return raw_path, raw_query, wire


def _verifies(method: str, raw_path: str, raw_query: str, headers: dict[str, str], body: bytes) -> bool:
    auth = signature.parse_authorization(headers["authorization"])
    assert auth is not None and auth.access_key == AK
    to_sign = signature.string_to_verify(method, raw_path, raw_query, headers, auth.signed_headers, body)
    return to_sign is not None and signature.matches(SK, to_sign, auth.signature)


ORACLE: list[tuple[str, str, str, list[tuple[str, Any]], dict[str, str], bytes]] = [
    ("json body", "POST", "/v1/external/incident/create", [], {"Content-Type": JSON}, b'{"incident_title": "t"}'),
    ("json body with escaped non-ASCII", "POST", "/v1/external/incident/create", [], {"Content-Type": JSON},
     b'{"incident_title": "disk full \\u78c1\\u76d8"}'),
    ("bodiless GET with a content type", "GET", "/v1/incident-tickets", [("limit", 10)],
     {"Content-Type": "application/json"}, b""),
    ("bodiless DELETE", "DELETE", "/v1/job/scripts/SC2023102521413701c4a8a62", [], {}, b""),
    ("path parameter with a space and a slash", "GET", "/v1/job/scripts/" + quote("a b/c", safe=""), [], {}, b""),
    ("path parameter with unreserved and reserved signs", "GET",
     "/v1/alarm-mgmt/alarm/" + quote("AL-1_2.3~4+5=6:7@8", safe=""), [], {}, b""),
    ("non-ASCII path parameter", "GET",
     "/opencoc/v1/alarm-mgmt/integrations/" + quote("监控", safe="") + "/disable", [], {}, b""),
    ("query sorted by key", "GET", "/v1/job/script/orders", [("limit", 10), ("creator", "admin"), ("marker", 5)],
     {}, b""),
    ("query with spaces, tildes and reserved signs", "GET", "/v1/job/scripts",
     [("name_like", "a b~c"), ("creator", "x&y=z/+?#")], {}, b""),
    ("non-ASCII query value", "GET", "/v3/projects", [("name", "华北-北京四 region")], {}, b""),
    ("repeated list query key, values sorted", "GET", "/v1/resources",
     [("resource_id_list", ["vm-3", "vm-1", "vm-2"]), ("provider", "ecs")], {}, b""),
    ("boolean and empty query values", "GET", "/v1/resources", [("is_delegated", True), ("marker", "")], {}, b""),
    ("domain header (GlobalCredentials)", "GET", "/v3/auth/domains", [], {"X-Domain-Id": "d" * 32}, b""),
    ("project header given twice (BasicCredentials plus a request x_project_id)", "GET", "/v1/resources",
     [("limit", 1)], {"X-Project-Id": "p1", "x-project-id": "p1"}, b""),
    ("header value with spaces around it", "GET", "/v3/auth/domains", [], {"X-Language": "  en-us  "}, b""),
    ("non-ASCII header value", "GET", "/v3/auth/domains", [], {"X-User-Profile": "张三"}, b""),
    ("multipart body (UNSIGNED-PAYLOAD)", "POST", "/v1/attachments", [],
     {"Content-Type": "multipart/form-data; boundary=x"}, b"--x\r\n\r\nfile\r\n--x--\r\n"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body"), [c[1:] for c in ORACLE], ids=[c[0] for c in ORACLE]
)
def test_a_request_the_sdk_signed_verifies(
    method: str, path: str, query: list[tuple[str, Any]], headers: dict[str, str], body: bytes
) -> None:
    raw_path, raw_query, wire = _sdk_signed(method, path, query, headers, body)
    assert _verifies(method, raw_path, raw_query, wire, body)


@pytest.mark.parametrize(
    ("method", "path", "query", "headers", "body"), [c[1:] for c in ORACLE], ids=[c[0] for c in ORACLE]
)
def test_our_signer_signs_what_the_sdk_signs(
    method: str, path: str, query: list[tuple[str, Any]], headers: dict[str, str], body: bytes
) -> None:
    """string_to_sign (our CLI's and tests' signer) over the wire form gives the SDK's signature."""
    raw_path, raw_query, wire = _sdk_signed(method, path, query, headers, body)
    auth = signature.parse_authorization(wire["authorization"])
    assert auth is not None
    if wire.get(signature.CONTENT_SHA256) == signature.UNSIGNED_PAYLOAD and body:
        to_sign = signature.string_to_sign_for_hash(
            method, raw_path, raw_query, wire, auth.signed_headers, signature.UNSIGNED_PAYLOAD
        )
    else:
        to_sign = signature.string_to_sign(method, raw_path, raw_query, wire, auth.signed_headers, body)
    assert signature.signature(SK, to_sign) == auth.signature


@pytest.mark.parametrize(
    ("tamper", "value"),
    [
        ("method", "PUT"),
        ("path", "/v1/external/incident/create2"),
        ("query", "limit=11"),
        ("body", b'{"incident_title": "u"}'),
        ("x-sdk-date", "20261123T232051Z"),
        ("content-type", "application/json"),
    ],
)
def test_a_changed_request_no_longer_verifies(tamper: str, value: Any) -> None:
    method, body = "POST", b'{"incident_title": "t"}'
    raw_path, raw_query, wire = _sdk_signed(
        method, "/v1/external/incident/create", [("limit", 10)], {"Content-Type": JSON}, body
    )
    parts = {"method": method, "path": raw_path, "query": raw_query, "body": body}
    if tamper in parts:
        parts[tamper] = value
    else:
        wire[tamper] = value
    assert not _verifies(parts["method"], parts["path"], parts["query"], wire, parts["body"])


def test_a_wrong_secret_does_not_verify() -> None:
    raw_path, raw_query, wire = _sdk_signed("GET", "/v3/auth/domains", [], {}, b"")
    auth = signature.parse_authorization(wire["authorization"])
    assert auth is not None
    to_sign = signature.string_to_verify("GET", raw_path, raw_query, wire, auth.signed_headers, b"")
    assert to_sign is not None and not signature.matches("another-secret", to_sign, auth.signature)


@pytest.mark.parametrize(
    ("raw_path", "canonical"),
    [
        ("/v1/external/incident/create", "/v1/external/incident/create/"),
        ("/v1/external/incident/create/", "/v1/external/incident/create/"),
        ("/", "/"),
        ("/v1/job/scripts/a%20b%2Fc", "/v1/job/scripts/a%20b/c/"),
        ("/v1/job/scripts/a b/c", "/v1/job/scripts/a%20b/c/"),
        ("/x/~a-b_c.d", "/x/~a-b_c.d/"),
        ("/x/a%2Bb%3Dc", "/x/a%2Bb%3Dc/"),
        ("/x/a+b", "/x/a%2Bb/"),
        ("/x/%E7%9B%91%E6%8E%A7", "/x/%E7%9B%91%E6%8E%A7/"),
        ("/x/%e7%9b%91", "/x/%E7%9B%91/"),
    ],
)
def test_canonical_uri_decodes_then_quotes_each_segment_and_ends_with_a_slash(raw_path: str, canonical: str) -> None:
    assert signature.canonical_uri(raw_path) == canonical


@pytest.mark.parametrize(
    ("raw_query", "canonical"),
    [
        ("", ""),
        ("b=2&a=1", "a=1&b=2"),
        ("name=a%20b~c", "name=a%20b~c"),
        ("ids=b&ids=a&ids=c", "ids=a&ids=b&ids=c"),
        ("marker=&limit=10", "limit=10&marker="),
        ("k=%E5%8D%8E", "k=%E5%8D%8E"),
        ("k=x%26y%3Dz%2F", "k=x%26y%3Dz%2F"),
        ("k=%7E", "k=~"),
    ],
)
def test_canonical_query_sorts_pairs_and_quotes_with_only_tilde_safe(raw_query: str, canonical: str) -> None:
    assert signature.canonical_query(raw_query) == canonical


def test_canonical_headers_are_name_colon_stripped_value_lines_in_the_signed_order() -> None:
    headers = {"host": "h:8000", "x-sdk-date": DATE, "content-type": " application/json "}
    assert signature.canonical_headers(headers, ["content-type", "host", "x-sdk-date"]) == (
        f"content-type:application/json\nhost:h:8000\nx-sdk-date:{DATE}\n"
    )
    assert signature.canonical_headers(headers, ["x-project-id", "x-project-id"]) == "x-project-id:\nx-project-id:\n"


def test_the_authorization_header_round_trips_and_malformed_ones_are_refused() -> None:
    value = signature.authorization_header(AK, ["host", "x-sdk-date"], "AB12" * 16)
    assert value == f"SDK-HMAC-SHA256 Access={AK}, SignedHeaders=host;x-sdk-date, Signature={'AB12' * 16}"
    assert signature.parse_authorization(value) == signature.Authorization(AK, ["host", "x-sdk-date"], "ab12" * 16)
    assert signature.parse_authorization(f"  {value}  ") is not None
    for bad in (
        "",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host",
        "SDK-HMAC-SM3 Access=AK, SignedHeaders=host, Signature=ab",
        "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=xyz",
        f"{value}, Extra=1",
    ):
        assert signature.parse_authorization(bad) is None, bad


def test_the_payload_hash_is_the_bodys_unless_a_signed_unsigned_payload_marker_says_otherwise() -> None:
    body = b'{"a": 1}'
    actual = hashlib.sha256(body).hexdigest()
    multipart = {"content-type": "multipart/form-data; boundary=x", signature.CONTENT_SHA256: "UNSIGNED-PAYLOAD"}
    signed = ["content-type", signature.CONTENT_SHA256, "x-sdk-date"]
    assert signature.payload_hash_to_verify(body, {}, []) == actual
    assert signature.payload_hash_to_verify(body, {signature.CONTENT_SHA256: actual}, []) == actual
    assert signature.payload_hash_to_verify(body, {signature.CONTENT_SHA256: "0" * 64}, []) is None
    assert signature.payload_hash_to_verify(body, multipart, signed) == "UNSIGNED-PAYLOAD"
    assert signature.payload_hash_to_verify(body, multipart, ["content-type", "x-sdk-date"]) is None, "unsigned marker"
    json_marker = {"content-type": "application/json", signature.CONTENT_SHA256: "UNSIGNED-PAYLOAD"}
    assert signature.payload_hash_to_verify(body, json_marker, signed) is None, "the SDK always hashes JSON"
    assert signature.payload_hash_to_verify(b"", multipart, signed) == signature.EMPTY_SHA256
    assert signature.EMPTY_SHA256 == hashlib.sha256(b"").hexdigest()
