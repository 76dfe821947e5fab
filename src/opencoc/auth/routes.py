"""The IAM subset: password tokens, and the two look-ups the SDK's `with_region` makes."""

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from opencoc.auth import service
from opencoc.auth.deps import CurrentCaller
from opencoc.auth.schemas import TokenRequest
from opencoc.core.deps import AppSettings, Db
from opencoc.core.errors import OpenCOCError

router = APIRouter(tags=["iam"])


@router.post("/v3/auth/tokens", status_code=201)
def create_token(body: TokenRequest, db: Db, settings: AppSettings) -> JSONResponse:
    """Password login; the token is returned in the X-Subject-Token header."""
    if "password" not in body.auth.identity.methods:
        raise OpenCOCError("COC.00000001", "auth.identity.methods must contain password")
    user = body.auth.identity.password.user
    project = body.auth.scope.project.name if body.auth.scope and body.auth.scope.project else None
    with db.write() as session:
        token, expires, caller = service.issue_token(
            session,
            domain_name=user.domain.name,
            user_name=user.name,
            password=user.password,
            project_name=project,
            ttl_s=settings.token_ttl_seconds,
        )
    content: dict[str, Any] = {
        "token": {
            "expires_at": datetime.fromtimestamp(expires / 1000, UTC).isoformat().replace("+00:00", "Z"),
            "methods": ["password"],
            "user": {
                "id": caller.user_id,
                "name": caller.user_name,
                "domain": {"id": caller.domain_id, "name": caller.tenant_name},
            },
        }
    }
    if caller.project_id:
        content["token"]["project"] = {"id": caller.project_id, "name": project}
    return JSONResponse(content, status_code=201, headers={"X-Subject-Token": token})


@router.get("/v3/auth/domains")
def list_domains(caller: CurrentCaller) -> dict[str, Any]:
    return {"domains": [{"id": caller.domain_id, "name": caller.tenant_name, "enabled": True}]}


@router.get("/v3/projects")
def list_projects(caller: CurrentCaller, db: Db, name: str | None = Query(None, max_length=64)) -> dict[str, Any]:
    """The caller's project named after a region (created on first use, as the SDK needs exactly one)."""
    if not name:
        return {"projects": [], "links": {"self": "/v3/projects"}}
    with db.write() as session:
        project = service.ensure_project(session, tenant_id=caller.tenant_id, name=name)
        item = {
            "id": project.project_id,
            "name": project.name,
            "domain_id": caller.domain_id,
            "is_domain": False,
            "parent_id": caller.domain_id,
            "enabled": True,
        }
    return {"projects": [item], "links": {"self": "/v3/projects"}}
