"""HTTP routes of the war rooms: COC's create and list (COC envelope, as the incident routes under
/v1/external/...), and our own `/opencoc/v1/warrooms/...` (`{data}`): one war room, its timeline,
its lifecycle."""

from typing import Annotated, Any

from fastapi import APIRouter, Path

from opencoc.auth.deps import CurrentCaller
from opencoc.core.deps import Db, JsonObjectBody
from opencoc.core.envelopes import CocEnvelope, coc_ok, job_ok
from opencoc.core.openapi import ERRORS, json_body, returns
from opencoc.core.responses import FastJSONResponse
from opencoc.warrooms import automatic, service
from opencoc.warrooms.schemas import (
    CreateWarRoomRequest,
    Data,
    Entry,
    EntryBody,
    ListWarRoomsRequest,
    SettingsBody,
    SettingsView,
    StatusBody,
    WarRoomList,
    WarRoomView,
    parse,
)

router = APIRouter(tags=["warrooms"], responses=ERRORS["coc"])
own = APIRouter(prefix="/opencoc/v1/warrooms", tags=["warrooms"], responses=ERRORS["job"])
WarRoomNum = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


@router.post(
    "/v1/external/warrooms",
    response_model=None,
    responses=returns(CocEnvelope[str]),
    openapi_extra=json_body(CreateWarRoomRequest),
)
async def create_war_room(caller: CurrentCaller, db: Db, payload: JsonObjectBody) -> FastJSONResponse:
    """Open a war room for an incident (create_war_room); `data` is the war room's id."""
    body = parse(CreateWarRoomRequest, payload)
    war_room_num = await db.run_write(lambda s: service.create_war_room(s, caller=caller, body=body))
    return FastJSONResponse(coc_ok(war_room_num))


@router.post(
    "/v1/external/warrooms/list",
    response_model=None,
    responses=returns(CocEnvelope[WarRoomList]),
    openapi_extra=json_body(ListWarRoomsRequest),
)
async def list_war_rooms(caller: CurrentCaller, db: Db, payload: JsonObjectBody) -> FastJSONResponse:
    """The tenant's war rooms that the filters select (list_war_rooms), with running/closed/total counts."""
    params = parse(ListWarRoomsRequest, payload)
    data = await db.run_read(lambda s: service.list_war_rooms(s, tenant_id=caller.tenant_id, params=params))
    return FastJSONResponse(coc_ok(data))


@own.get("/settings", response_model=Data[SettingsView])
async def get_settings(caller: CurrentCaller, db: Db) -> dict[str, Any]:
    """The tenant's war-room settings."""
    return job_ok(await db.run_read(lambda s: automatic.settings(s, tenant_id=caller.tenant_id)))


@own.put("/settings", response_model=Data[SettingsView])
async def set_settings(caller: CurrentCaller, body: SettingsBody, db: Db) -> dict[str, Any]:
    """Change the tenant's war-room settings (admins) -> the settings."""
    data = await db.run_write(lambda s: automatic.set_settings(s, caller=caller, auto_level_10=body.auto_level_10))
    return job_ok(data)


@own.get("/{war_room_num}", response_model=Data[WarRoomView])
async def get_war_room(caller: CurrentCaller, war_room_num: WarRoomNum, db: Db) -> dict[str, Any]:
    """One war room with its members and timeline."""
    data = await db.run_read(lambda s: service.get_war_room(s, tenant_id=caller.tenant_id, war_room_num=war_room_num))
    return job_ok(data)


@own.post("/{war_room_num}/timeline", response_model=Data[Entry])
async def post_entry(caller: CurrentCaller, war_room_num: WarRoomNum, body: EntryBody, db: Db) -> dict[str, Any]:
    """Post a status update, decision or note to the timeline (operators) -> the entry."""
    data = await db.run_write(lambda s: service.post_entry(s, caller=caller, war_room_num=war_room_num, body=body))
    return job_ok(data)


@own.post("/{war_room_num}/status", response_model=Data[WarRoomView])
async def set_status(caller: CurrentCaller, war_room_num: WarRoomNum, body: StatusBody, db: Db) -> dict[str, Any]:
    """Move the war room: open -> recovered -> closed (operators) -> the war room."""
    data = await db.run_write(
        lambda s: service.set_status(s, caller=caller, war_room_num=war_room_num, status=body.status)
    )
    return job_ok(data)
