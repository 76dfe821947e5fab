"""Who is calling: the tenant and user an authenticated request acts as, and the user's role there."""

from dataclasses import dataclass

from opencoc.auth.roles import Role


@dataclass(frozen=True)
class Caller:
    tenant_id: int
    domain_id: str
    tenant_name: str
    user_id: str
    user_name: str
    role: Role
    project_id: str | None = None
