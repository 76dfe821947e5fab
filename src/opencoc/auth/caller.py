"""Who is calling: the tenant and user an authenticated request acts as."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    tenant_id: int
    domain_id: str
    tenant_name: str
    user_id: str
    user_name: str
    project_id: str | None = None
