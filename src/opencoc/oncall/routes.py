"""HTTP routes of `/opencoc/v1/oncall/...`: scenes, roles and rotations, overrides, now, schedule, escalations."""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from opencoc.auth.deps import CurrentCaller
from opencoc.core.clock import now_ms
from opencoc.core.deps import Db
from opencoc.core.envelopes import job_ok
from opencoc.core.limits import INT32_MAX, MAX_MS
from opencoc.oncall import service
from opencoc.oncall.schemas import (
    MAX_DAYS,
    NAME_PATTERN,
    Data,
    Escalation,
    OnCallNow,
    Override,
    OverrideBody,
    RoleBody,
    Scene,
    SceneBody,
    Schedule,
)
from opencoc.oncall.statuses import EscalationStatus

router = APIRouter(prefix="/opencoc/v1/oncall", tags=["oncall"])
SceneName = Annotated[str, Path(min_length=1, max_length=64, pattern=NAME_PATTERN)]
RoleName = Annotated[str, Path(min_length=1, max_length=64, pattern=NAME_PATTERN)]
Id = Annotated[int, Path(ge=1, le=INT32_MAX)]
At = Annotated[int | None, Query(ge=0, le=MAX_MS, description="ms since the epoch; now when absent")]


@router.post("/scenes", response_model=Data[Scene])
async def create_scene(caller: CurrentCaller, body: SceneBody, db: Db) -> dict[str, Any]:
    """Add a scene to the tenant (admins)."""
    return job_ok(await db.run_write(lambda s: service.create_scene(s, caller=caller, body=body)))


@router.get("/scenes", response_model=Data[list[Scene]])
async def list_scenes(caller: CurrentCaller, db: Db) -> dict[str, Any]:
    """The tenant's scenes by name, each with its roles and rotations."""
    return job_ok(await db.run_read(lambda s: service.list_scenes(s, tenant_id=caller.tenant_id)))


@router.get("/scenes/{scene}", response_model=Data[Scene])
async def get_scene(caller: CurrentCaller, scene: SceneName, db: Db) -> dict[str, Any]:
    """One scene with its roles and rotations."""
    return job_ok(await db.run_read(lambda s: service.get_scene(s, tenant_id=caller.tenant_id, scene=scene)))


@router.put("/scenes/{scene}", response_model=Data[Scene])
async def update_scene(caller: CurrentCaller, scene: SceneName, body: SceneBody, db: Db) -> dict[str, Any]:
    """Rename a scene, change its escalation delay or channel (admins)."""
    return job_ok(await db.run_write(lambda s: service.update_scene(s, caller=caller, scene=scene, body=body)))


@router.delete("/scenes/{scene}", response_model=Data[str])
async def delete_scene(caller: CurrentCaller, scene: SceneName, db: Db) -> dict[str, Any]:
    """Remove a scene with its roles and overrides (admins) -> its name."""
    return job_ok(await db.run_write(lambda s: service.delete_scene(s, caller=caller, scene=scene)))


@router.put("/scenes/{scene}/roles/{role}", response_model=Data[Scene])
async def put_role(caller: CurrentCaller, scene: SceneName, role: RoleName, body: RoleBody, db: Db) -> dict[str, Any]:
    """Create or replace a role: its escalation level and rotation (admins) -> the scene."""
    return job_ok(await db.run_write(lambda s: service.put_role(s, caller=caller, scene=scene, role=role, body=body)))


@router.delete("/scenes/{scene}/roles/{role}", response_model=Data[str])
async def delete_role(caller: CurrentCaller, scene: SceneName, role: RoleName, db: Db) -> dict[str, Any]:
    """Remove a role with its overrides (admins) -> its name."""
    return job_ok(await db.run_write(lambda s: service.delete_role(s, caller=caller, scene=scene, role=role)))


@router.post("/scenes/{scene}/roles/{role}/overrides", response_model=Data[Override])
async def add_override(
    caller: CurrentCaller, scene: SceneName, role: RoleName, body: OverrideBody, db: Db
) -> dict[str, Any]:
    """Put a user on call for the role over [start_ms, end_ms), whatever the rotation says (admins)."""
    data = await db.run_write(lambda s: service.add_override(s, caller=caller, scene=scene, role=role, body=body))
    return job_ok(data)


@router.delete("/overrides/{override_id}", response_model=Data[int])
async def delete_override(caller: CurrentCaller, override_id: Id, db: Db) -> dict[str, Any]:
    """Remove an override (admins) -> its id."""
    return job_ok(await db.run_write(lambda s: service.delete_override(s, caller=caller, override_id=override_id)))


@router.get("/now", response_model=Data[list[OnCallNow]])
async def on_call_now(
    caller: CurrentCaller,
    db: Db,
    scene: Annotated[str | None, Query(max_length=64)] = None,
    at: At = None,
) -> dict[str, Any]:
    """Who is on call at `at` (now) for each role of the tenant's scenes, or of `scene`."""
    data = await db.run_read(lambda s: service.now(s, tenant_id=caller.tenant_id, scene=scene, at_ms=at))
    return job_ok(data)


@router.get("/who", response_model=Data[OnCallNow])
async def who(
    caller: CurrentCaller,
    db: Db,
    scene: Annotated[str, Query(max_length=64)] = "",
    role: Annotated[str, Query(max_length=64)] = "",
    at: At = None,
) -> dict[str, Any]:
    """Who is on call for `scene` and `role` at `at` (now); an empty or unknown name is a 400 naming it."""
    at_ms = now_ms() if at is None else at
    data = await db.run_read(
        lambda s: service.on_call_for(s, tenant_id=caller.tenant_id, scene=scene, role=role, at_ms=at_ms)
    )
    return job_ok(data)


@router.get("/schedule", response_model=Data[Schedule])
async def show_schedule(
    caller: CurrentCaller,
    db: Db,
    scene: Annotated[str, Query(min_length=1, max_length=64)],
    start: At = None,
    days: Annotated[int, Query(ge=1, le=MAX_DAYS)] = 14,
) -> dict[str, Any]:
    """The scene's shifts per role for `days` days from `start` (now), overrides applied."""
    start_ms = now_ms() if start is None else start
    data = await db.run_read(
        lambda s: service.schedule_view(s, tenant_id=caller.tenant_id, scene=scene, start_ms=start_ms, days=days)
    )
    return job_ok(data)


@router.get("/escalations", response_model=Data[list[Escalation]])
async def list_escalations(
    caller: CurrentCaller,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    status: EscalationStatus | None = None,
) -> dict[str, Any]:
    """The tenant's incident notices and escalations, newest first (`last_error`: e.g. nobody on call)."""
    data = await db.run_read(
        lambda s: service.list_escalations(s, tenant_id=caller.tenant_id, limit=limit, status=status)
    )
    return job_ok(data)
