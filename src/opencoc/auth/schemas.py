"""Wire models of the IAM subset we serve (POST /v3/auth/tokens)."""

from pydantic import BaseModel, Field

from opencoc.core.envelopes import WireModel


class DomainRef(BaseModel):
    name: str = Field(min_length=1, max_length=64)


class PasswordUser(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
    domain: DomainRef


class PasswordIdentity(BaseModel):
    user: PasswordUser


class Identity(BaseModel):
    methods: list[str]
    password: PasswordIdentity


class ProjectRef(BaseModel):
    name: str | None = None
    id: str | None = None


class Scope(BaseModel):
    project: ProjectRef | None = None


class AuthBody(BaseModel):
    identity: Identity
    scope: Scope | None = None


class TokenRequest(BaseModel):
    auth: AuthBody


# Responses (IAM's bodies, no envelope).


class NamedRef(WireModel):
    id: str
    name: str | None


class TokenUser(WireModel):
    id: str
    name: str
    domain: NamedRef


class TokenInfo(WireModel):
    expires_at: str
    methods: list[str]
    user: TokenUser
    project: NamedRef | None = None  # only in a project-scoped token's body


class TokenView(WireModel):
    """POST /v3/auth/tokens (the token itself is in the X-Subject-Token header)."""

    token: TokenInfo


class DomainView(WireModel):
    id: str
    name: str
    enabled: bool


class DomainList(WireModel):
    domains: list[DomainView]


class ProjectView(WireModel):
    id: str
    name: str
    domain_id: str
    is_domain: bool
    parent_id: str
    enabled: bool


class ProjectList(WireModel):
    """GET /v3/projects: the caller's project named after a region, or none without a name."""

    projects: list[ProjectView]
    links: dict[str, str]
