"""Test credentials: a tenant with an access key, and a signing httpx Auth for it."""

from dataclasses import dataclass

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
