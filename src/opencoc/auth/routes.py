"""The IAM subset: password tokens, and the two look-ups the SDK's `with_region` makes."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from opencoc.auth import service
from opencoc.auth.deps import CurrentCaller
from opencoc.auth.schemas import DomainList, ProjectList, TokenRequest, TokenView
from opencoc.core.deps import AppSettings, Db
from opencoc.core.errors import OpenCOCError
from opencoc.core.openapi import ERRORS, returns
from opencoc.core.responses import FastJSONResponse

router = APIRouter(tags=["iam"], responses=ERRORS["job"])


@router.post("/v3/auth/tokens", status_code=201, response_model=None, responses=returns(TokenView, 201))
async def create_token(body: TokenRequest, db: Db, settings: AppSettings) -> FastJSONResponse:
    """Password login; the token is returned in the X-Subject-Token header."""
    if "password" not in body.auth.identity.methods:
        raise OpenCOCError("COC.00000001", "auth.identity.methods must contain password")
    user = body.auth.identity.password.user
    project = body.auth.scope.project.name if body.auth.scope and body.auth.scope.project else None
    # Two steps: the password check (slow by design) is a read, so it never holds up the writer.
    login = await db.run_read(
        lambda s: service.check_password(s, domain_name=user.domain.name, user_name=user.name, password=user.password)
    )
    token, expires, caller = await db.run_write(
        lambda s: service.issue_token(s, login=login, project_name=project, ttl_s=settings.token_ttl_seconds)
    )
    view = service.token_view(caller, expires=expires, project_name=project)
    return FastJSONResponse(view, status_code=201, headers={"X-Subject-Token": token})


@router.get("/v3/auth/domains", response_model=DomainList)
async def list_domains(caller: CurrentCaller) -> dict[str, Any]:
    """The caller's own domain (tenant)."""
    return {"domains": [{"id": caller.domain_id, "name": caller.tenant_name, "enabled": True}]}


@router.get("/v3/projects", response_model=ProjectList)
async def list_projects(
    caller: CurrentCaller, db: Db, name: Annotated[str | None, Query(max_length=64)] = None
) -> dict[str, Any]:
    """The caller's project named after a region (its id is derived: reading it writes nothing)."""
    return await db.run_read(lambda s: service.list_projects(s, caller=caller, name=name))
