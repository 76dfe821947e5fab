"""Wire models of the IAM subset we serve (POST /v3/auth/tokens)."""

from pydantic import BaseModel, Field


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
