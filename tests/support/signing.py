"""Test credentials: a tenant with an access key, and a signing httpx Auth for it."""

import time
from dataclasses import dataclass

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
