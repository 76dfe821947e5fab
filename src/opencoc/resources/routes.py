"""HTTP routes of the resources domain: the inventory list and the (no-op) sync."""

from typing import Annotated, Any

from fastapi import APIRouter, Query

from opencoc.auth.deps import CurrentCaller
from opencoc.core.clock import now_ms
from opencoc.core.deps import AppSettings, Db
from opencoc.core.envelopes import JobEnvelope, job_ok
from opencoc.core.openapi import ERRORS
from opencoc.resources import service
from opencoc.resources.schemas import ResourceView, SyncRequest

router = APIRouter(tags=["resources"], responses=ERRORS["job"])


@router.get("/v1/resources", response_model=JobEnvelope[list[ResourceView]])
@router.get("/v1/external/resources", response_model=JobEnvelope[list[ResourceView]])
async def list_resources(
    caller: CurrentCaller,
    db: Db,
    settings: AppSettings,
    provider: Annotated[str, Query(min_length=1, max_length=64)],
    type: Annotated[str, Query(min_length=1, max_length=64)],
    limit: Annotated[int, Query(ge=1, le=100)],
    marker: Annotated[str | None, Query(max_length=64)] = None,
    resource_id_list: Annotated[list[str] | None, Query()] = None,
    name: Annotated[str | None, Query(max_length=255)] = None,
    region_id: Annotated[str | None, Query(max_length=64)] = None,
    agent_state: Annotated[str | None, Query(max_length=32)] = None,
    ip: Annotated[str | None, Query(max_length=64)] = None,
    ep_id: Annotated[str | None, Query(max_length=64)] = None,
    enterprise_project_id: Annotated[str | None, Query(max_length=64)] = None,
) -> dict[str, Any]:
    """The caller's resources of one provider and type, filtered and paged by `marker`.

    `ep_id` (Terraform's name) and `enterprise_project_id` (the SDK's) filter alike; "0" also
    matches resources that have none.
    """
    query = service.ResourceQuery(
        provider=provider,
        type=type,
        limit=limit,
        marker=marker,
        resource_ids=service.resource_ids(resource_id_list or []),
        name=name,
        region_id=region_id,
        agent_state=agent_state,
        ip=ip,
        ep_id=ep_id or enterprise_project_id,
    )
    data = await db.run_read(
        lambda s: service.list_resources(
            s,
            tenant_id=caller.tenant_id,
            domain_id=caller.domain_id,
            query=query,
            now=now_ms(),
            offline_after_s=settings.agent_offline_after_seconds,
        )
    )
    return job_ok(data)


@router.post("/v1/resources/sync", response_model=JobEnvelope[str])
@router.post("/v1/external/resources/sync", response_model=JobEnvelope[str])
async def sync_resources(body: SyncRequest, caller: CurrentCaller) -> dict[str, Any]:
    """Nothing to pull: enrolled agents keep the inventory live, so a sync succeeds at once."""
    return job_ok(service.sync(caller))
