"""Test credentials: a tenant with an access key, and signing auth hooks for httpx and requests."""

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

from opencoc.auth import signature
from opencoc.client.auth import SdkHmacAuth


@dataclass(frozen=True)
class TenantKey:
    name: str
    domain_id: str
    user_id: str
    access_key: str
    secret_key: str

    @property
    def auth(self) -> SdkHmacAuth:
        return SdkHmacAuth(self.access_key, self.secret_key)

    @property
    def requests_auth(self) -> "RequestsSigner":
        return RequestsSigner(self.access_key, self.secret_key)


class RequestsSigner(requests.auth.AuthBase):
    """SDK-HMAC-SHA256 for `requests` (schemathesis' transport), over the exact path, query and body sent."""

    def __init__(self, access_key: str, secret_key: str) -> None:
        self.access_key = access_key
        self.secret_key = secret_key

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        body = request.body or b""
        if isinstance(body, str):
            body = body.encode()
        assert isinstance(body, bytes), "a streamed body cannot be signed"
        request.headers["X-Sdk-Date"] = time.strftime(signature.DATE_FORMAT, time.gmtime())
        headers = {k.lower(): v for k, v in request.headers.items()}
        signed = sorted(h for h in ("content-type", "x-sdk-date") if h in headers)
        url = urlsplit(str(request.url))
        to_sign = signature.string_to_sign(str(request.method), url.path, url.query, headers, signed, body)
        sig = signature.signature(self.secret_key, to_sign)
        request.headers["Authorization"] = signature.authorization_header(self.access_key, signed, sig)
        return request


def signed_headers(
    key: TenantKey, method: str, path: str, host: str, query: str = "", body: bytes = b""
) -> dict[str, str]:
    """Headers of a request signed as our client signs (Host and X-Sdk-Date signed), for raw HTTP clients."""
    headers = {"Host": host, "X-Sdk-Date": time.strftime(signature.DATE_FORMAT, time.gmtime())}
    lower = {k.lower(): v for k, v in headers.items()}
    signed = ["host", "x-sdk-date"]
    sig = signature.signature(key.secret_key, signature.string_to_sign(method, path, query, lower, signed, body))
    headers["Authorization"] = signature.authorization_header(key.access_key, signed, sig)
    return headers
