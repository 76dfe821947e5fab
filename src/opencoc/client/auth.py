"""httpx authentication that signs requests with SDK-HMAC-SHA256, as the official SDK does."""

import time
from collections.abc import Generator

import httpx

from opencoc.auth import signature


class SdkHmacAuth(httpx.Auth):
    requires_request_body = True

    def __init__(self, access_key: str, secret_key: str, domain_id: str | None = None) -> None:
        self.access_key = access_key
        self.secret_key = secret_key
        self.domain_id = domain_id

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-Sdk-Date"] = time.strftime(signature.DATE_FORMAT, time.gmtime())
        if self.domain_id:
            request.headers["X-Domain-Id"] = self.domain_id
        headers = {k.lower(): v for k, v in request.headers.items()}
        signed: list[str] = sorted(h for h in ("content-type", "host", "x-domain-id", "x-sdk-date") if h in headers)
        to_sign = signature.string_to_sign(
            request.method,
            request.url.raw_path.split(b"?", 1)[0].decode(),
            request.url.query.decode(),
            headers,
            signed,
            request.content,
        )
        sig = signature.signature(self.secret_key, to_sign)
        request.headers["Authorization"] = signature.authorization_header(self.access_key, signed, sig)
        yield request
