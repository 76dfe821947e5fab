"""HTTP routes of the scripts domain: custom scripts, review, risk check and tags."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from starlette.concurrency import run_in_threadpool

from opencoc.auth.deps import CurrentCaller
from opencoc.core.deps import AppCipher, AppWakeups, Db
from opencoc.core.envelopes import JobEnvelope, job_ok
from opencoc.core.limits import INT32_MAX, INT64_MAX
from opencoc.core.openapi import ERRORS
from opencoc.notifications import service as notifications
from opencoc.scripts import review, risk, schemas, service
from opencoc.scripts.schemas import (
    AddScriptModel,
    ApprovalJobScriptModel,
    EditScriptModel,
    JobScriptAnalyzeRequest,
    RiskLevel,
    ScriptType,
    UpdateResourceTagsBody,
)

router = APIRouter(tags=["scripts"], responses=ERRORS["job"])
# Not length-checked here: a malformed uuid is COC.00040601 from the service, as COC answers.
ScriptUuid = Annotated[str, Path()]


@router.post("/v1/job/scripts", response_model=JobEnvelope[str])
async def create_script(
    body: AddScriptModel, caller: CurrentCaller, db: Db, cipher: AppCipher, wakeups: AppWakeups
) -> Any:
    """Create a custom script -> its script_uuid."""
    script = await db.run_write(lambda s: service.create_script(s, caller=caller, cipher=cipher, body=body))
    notifications.wake_sender(wakeups)
    return job_ok(script.script_uuid)


@router.get("/v1/job/scripts", response_model=JobEnvelope[schemas.ScriptPage])
async def list_scripts(
    caller: CurrentCaller,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100)],
    marker: Annotated[int | None, Query(ge=0, le=INT64_MAX)] = None,
    name_like: Annotated[str | None, Query(min_length=1, max_length=32)] = None,
    creator: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    risk_level: RiskLevel | None = None,
    type: ScriptType | None = None,
    enterprise_project_id: Annotated[str | None, Query(max_length=64)] = None,
) -> Any:
    """A page of the tenant's scripts, newest first."""
    page = await db.run_read(
        lambda s: service.list_scripts(
            s,
            tenant_id=caller.tenant_id,
            limit=limit,
            marker=marker,
            name_like=name_like,
            creator=creator,
            risk_level=risk_level,
            type=type,
            enterprise_project_id=enterprise_project_id,
        )
    )
    return job_ok(page)


@router.get("/v1/job/scripts/{script_uuid}", response_model=JobEnvelope[schemas.ScriptDetail])
async def get_script(script_uuid: ScriptUuid, caller: CurrentCaller, db: Db) -> Any:
    """A script's details; sensitive parameter values masked."""
    return job_ok(
        await db.run_read(lambda s: service.get_script(s, tenant_id=caller.tenant_id, script_uuid=script_uuid))
    )


@router.put("/v1/job/scripts/{script_uuid}", response_model=JobEnvelope[str])
async def update_script(
    script_uuid: ScriptUuid,
    body: EditScriptModel,
    caller: CurrentCaller,
    db: Db,
    cipher: AppCipher,
    wakeups: AppWakeups,
) -> Any:
    """Modify a script (a new version; reviewed scripts go back to PENDING_APPROVE)."""
    await db.run_write(
        lambda s: service.update_script(s, caller=caller, cipher=cipher, script_uuid=script_uuid, body=body)
    )
    notifications.wake_sender(wakeups)
    return job_ok(script_uuid)


@router.delete("/v1/job/scripts/{script_uuid}", response_model=JobEnvelope[str])
async def delete_script(script_uuid: ScriptUuid, caller: CurrentCaller, db: Db) -> Any:
    """Delete a custom script."""
    return job_ok(await db.run_write(lambda s: service.delete_script(s, caller=caller, script_uuid=script_uuid)))


@router.post("/v1/job/scripts/{script_uuid}/action", response_model=JobEnvelope[bool])
async def accept_script(script_uuid: ScriptUuid, body: ApprovalJobScriptModel, caller: CurrentCaller, db: Db) -> Any:
    """A reviewer approves or rejects a script pending approval."""
    return job_ok(
        await db.run_write(lambda s: review.accept_script(s, caller=caller, script_uuid=script_uuid, body=body))
    )


@router.post("/v1/job/analyze-job", response_model=JobEnvelope[schemas.RiskView])
async def check_script_risk(body: JobScriptAnalyzeRequest, caller: CurrentCaller) -> Any:
    """The risk level of script content and the blacklisted commands it contains."""
    found = await run_in_threadpool(risk.analyze, body.content)  # milliseconds of CPU: off the event loop
    return job_ok(risk.to_wire(found))


@router.post("/v1/script/{resource_type}/{resource_id}/tags/update", response_model=JobEnvelope[str])
async def update_resource_tags(
    resource_type: str, resource_id: ScriptUuid, body: UpdateResourceTagsBody, caller: CurrentCaller, db: Db
) -> Any:
    """Replace a script's whole tag set."""
    service.check_tag_resource_type(resource_type)
    return job_ok(
        await db.run_write(lambda s: service.update_tags(s, caller=caller, script_uuid=resource_id, tags=body.tags))
    )


@router.get("/v1/script/{resource_type}/tags", response_model=JobEnvelope[schemas.TagKeyPage])
async def list_script_resource_tags(
    resource_type: str,
    caller: CurrentCaller,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=1000)] = 1000,
    offset: Annotated[int, Query(ge=0, le=INT32_MAX)] = 0,
) -> Any:
    """The tag keys (with their values) used on the tenant's scripts."""
    service.check_tag_resource_type(resource_type)
    return job_ok(
        await db.run_read(lambda s: service.list_tags(s, tenant_id=caller.tenant_id, limit=limit, offset=offset))
    )
