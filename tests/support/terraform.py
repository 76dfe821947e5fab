"""Requests as the Terraform provider (terraform-provider-huaweicloud, huaweicloud/services/coc/) sends them.

Go's encoder sorts map keys, writes compact JSON and ends the body with a newline; the provider
signs `accept;content-type;user-agent;x-sdk-date` only and adds X-Project-Id after signing. The
provider drops nil values from a body (`utils.RemoveNil`), and `utils.ValueIgnoreEmpty` turns an
unset optional value (0, "") into nil.
"""

import json
import time
from typing import Any

import httpx
from fastapi.testclient import TestClient

from harness.server import LiveServer
from opencoc.auth import signature
from tests.support.signing import TenantKey

USER_AGENT = "HashiCorp Terraform/1.9.8 (+https://www.terraform.io) Terraform Plugin SDK/2.34.0"
SIGNED = ["accept", "content-type", "user-agent", "x-sdk-date"]
PROJECT_ID = "0970dd7a1300f5672ff2c003c60ae115"


def go_json(value: Any) -> bytes:
    """`value` as Go's json.Encoder writes it: sorted keys, compact, UTF-8, a trailing newline."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def remove_nil(value: dict[str, Any]) -> dict[str, Any]:
    """utils.RemoveNil: nil values go, nested maps are cleaned (and dropped when empty)."""
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is None:
            continue
        if isinstance(item, dict):
            if item:
                out[key] = remove_nil(item)
        elif isinstance(item, list) and item and all(isinstance(i, dict) for i in item):
            cleaned = [c for c in (remove_nil(i) for i in item) if c]
            if cleaned:
                out[key] = cleaned
        else:
            out[key] = item
    return out


def ignore_empty(value: Any) -> Any:
    """utils.ValueIgnoreEmpty: an unset (zero) value is nil."""
    return value or None


def send(
    server: LiveServer | TestClient, key: TenantKey, method: str, path: str, body: bytes = b"", query: str = ""
) -> httpx.Response:
    """One signed request of the provider, to a real server or the app in-process; `query` as the provider writes it."""
    headers = {
        "Accept": "application/json",
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Sdk-Date": time.strftime(signature.DATE_FORMAT, time.gmtime()),
    }
    lower = {k.lower(): v for k, v in headers.items()}
    sig = signature.signature(key.secret_key, signature.string_to_sign(method, path, query, lower, SIGNED, body))
    headers["Authorization"] = signature.authorization_header(key.access_key, SIGNED, sig)
    headers["X-Project-Id"] = PROJECT_ID
    target = path + (f"?{query}" if query else "")
    if isinstance(server, TestClient):
        return server.request(method, target, headers=headers, content=body)
    return httpx.request(method, server.url + target, headers=headers, content=body, timeout=30)


def data(resp: httpx.Response) -> Any:
    """The `data` of a successful answer."""
    assert resp.status_code == 200, resp.text
    return resp.json()["data"]
