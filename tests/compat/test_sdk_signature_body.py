"""The body of a request signed by the official SDK's own signer cannot be swapped.

The SDK's signer (huaweicloudsdkcore.signer.Signer) signs a request; the test then sends it,
or a tampered copy, to a real server. The payload hash the server checks is always the hash of
the body it received: `X-Sdk-Content-Sha256` is believed only when it says the same, or when
it is the SDK's signed `UNSIGNED-PAYLOAD` on a non-JSON body (multipart).
"""

import hashlib
import json
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from harness.server import LiveServer
from tests.api.incidents.helpers import create_body
from tests.compat.sdk import SDK_WARNINGS, sdk
from tests.conftest import cli_tenant
from tests.support.signing import TenantKey

pytestmark = SDK_WARNINGS
__all__ = ["sdk"]

CREATE = "/v1/external/incident/create"


@pytest.fixture(scope="module")
def key(live_server: LiveServer) -> TenantKey:
    return cli_tenant(live_server.data_dir, live_server.database_url, f"sdkbody{id(live_server)}")


def _sdk_signed(
    sdk: SimpleNamespace,
    key: TenantKey,
    server: LiveServer,
    method: str,
    path: str,
    headers: dict[str, str],
    body: bytes,
) -> dict[str, str]:
    """The headers the SDK's signer puts on this request (Authorization, X-Sdk-Date, Host, ...)."""
    from huaweicloudsdkcore.sdk_request import SdkRequest
    from huaweicloudsdkcore.signer.signer import Signer

    host = server.url.removeprefix("http://")
    request = SdkRequest(
        method=method,
        schema="http",
        host=host,
        resource_path=path,
        query_params=[],
        header_params={"X-Domain-Id": key.domain_id, **headers},
        body=body,
    )
    Signer(sdk.GlobalCredentials(key.access_key, key.secret_key, key.domain_id)).sign(request)
    return dict(request.header_params)


def _send(server: LiveServer, method: str, path: str, headers: dict[str, str], body: bytes) -> httpx.Response:
    return httpx.request(method, server.url + path, headers=headers, content=body, timeout=30)


def _incident(key: TenantKey, title: str) -> bytes:
    return json.dumps(create_body(incident_title=title, incident_assignee=[key.user_id], creator=key.user_id)).encode()


def _title_of(server: LiveServer, key: TenantKey, created: httpx.Response) -> str:
    num = created.json()["data"]["incident_num"]
    detail = httpx.get(f"{server.url}/v1/external/incident/{num}", auth=key.auth, timeout=30)
    return str(detail.json()["data"]["incident_title"])


def test_swapped_body_with_the_signed_bodys_hash_in_an_unsigned_header_is_rejected(
    sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey
) -> None:
    signed_body, swapped = _incident(key, "signed title"), _incident(key, "swapped title")
    headers = _sdk_signed(
        sdk, key, live_server, "POST", CREATE, {"Content-Type": "application/json;charset=utf-8"}, signed_body
    )
    assert "x-sdk-content-sha256" not in headers["Authorization"]
    forged = headers | {"X-Sdk-Content-Sha256": hashlib.sha256(signed_body).hexdigest()}

    denied = _send(live_server, "POST", CREATE, forged, swapped)

    assert denied.status_code == 401, denied.text
    assert denied.json()["error_code"] == "common.01010001"


def test_swapped_body_under_a_signed_content_hash_header_is_rejected(
    sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey
) -> None:
    signed_body, swapped = _incident(key, "hash header title"), _incident(key, "hash header swapped")
    declared = {
        "Content-Type": "application/json;charset=utf-8",
        "X-Sdk-Content-Sha256": hashlib.sha256(signed_body).hexdigest(),
    }
    headers = _sdk_signed(sdk, key, live_server, "POST", CREATE, declared, signed_body)
    assert "x-sdk-content-sha256" in headers["Authorization"]

    assert _send(live_server, "POST", CREATE, headers, swapped).status_code == 401
    accepted = _send(live_server, "POST", CREATE, headers, signed_body)
    assert accepted.status_code == 200, accepted.text
    assert _title_of(live_server, key, accepted) == "hash header title"


def test_sdk_signed_request_with_a_correct_unsigned_content_hash_header_is_accepted(
    sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey
) -> None:
    body = _incident(key, "declared hash title")
    headers = _sdk_signed(
        sdk, key, live_server, "POST", CREATE, {"Content-Type": "application/json;charset=utf-8"}, body
    )
    headers["X-Sdk-Content-Sha256"] = hashlib.sha256(body).hexdigest()
    resp = _send(live_server, "POST", CREATE, headers, body)
    assert resp.status_code == 200, resp.text
    assert _title_of(live_server, key, resp) == "declared hash title"


def _multipart(text: str) -> tuple[str, bytes]:
    boundary = "opencocboundary"
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n'
        f"Content-Type: text/plain\r\n\r\n{text}\r\n--{boundary}--\r\n"
    )
    return f"multipart/form-data; boundary={boundary}", part.encode()


def test_sdk_multipart_with_signed_unsigned_payload_marker_is_accepted(
    sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey
) -> None:
    content_type, body = _multipart("attachment")
    headers = _sdk_signed(sdk, key, live_server, "GET", "/v3/auth/domains", {"Content-Type": content_type}, body)
    assert headers["X-Sdk-Content-Sha256"] == "UNSIGNED-PAYLOAD"
    assert "x-sdk-content-sha256" in headers["Authorization"], "the SDK signs its own marker"

    resp = _send(live_server, "GET", "/v3/auth/domains", headers, body)
    assert resp.status_code == 200, resp.text
    assert resp.json()["domains"][0]["id"] == key.domain_id


def test_unsigned_payload_marker_on_a_json_body_is_rejected(
    sdk: SimpleNamespace, live_server: LiveServer, key: TenantKey
) -> None:
    body = _incident(key, "unsigned json title")
    declared: dict[str, Any] = {
        "Content-Type": "application/json;charset=utf-8",
        "X-Sdk-Content-Sha256": "UNSIGNED-PAYLOAD",
    }
    headers = _sdk_signed(sdk, key, live_server, "POST", CREATE, declared, body)
    assert _send(live_server, "POST", CREATE, headers, body).status_code == 401
