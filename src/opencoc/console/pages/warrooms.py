"""War rooms: the tenant's list (with a form to open one for an incident) and one war room with its
members, its timeline, a form to post to it and the lifecycle's buttons. Every change goes through
the service functions the API calls, as the signed-in user."""

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from opencoc.auth import service as auth
from opencoc.console import access, forms, render
from opencoc.console.session import Changing, Me, SignedIn
from opencoc.core.deps import AppWakeups, Db
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import service as incidents
from opencoc.warrooms import automatic, schemas, statuses
from opencoc.warrooms import service as warrooms

router = APIRouter()
BASE = "/console/warrooms"
OPEN_FIELDS = ("incident_number", "war_room_name", "participant", "description")
POST_FIELDS = ("kind", "text")
KEEPALIVE_S = 15.0


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


async def _list(request: Request, me: Me, db: Any, **shown: Any) -> HTMLResponse:
    params = schemas.ListWarRoomsRequest(limit=200)
    tenant_id = me.caller.tenant_id

    def read(s: Any) -> tuple[dict[str, Any], dict[str, Any]]:
        return (
            warrooms.list_war_rooms(s, tenant_id=tenant_id, params=params),
            automatic.settings(s, tenant_id=tenant_id),
        )

    data, settings = await db.run_read(read)
    return await render.page(
        request, me, "warrooms/list.html", section="warrooms", rooms=data["list"], counts=data, settings=settings,
        can_change=access.can_change(me), is_admin=access.is_admin(me), **{"errors": {}, "values": {}, **shown},
    )  # fmt: skip


async def _detail(request: Request, me: Me, db: Any, war_room_num: str, **shown: Any) -> HTMLResponse:
    tenant_id = me.caller.tenant_id

    def read(s: Any) -> tuple[dict[str, Any], dict[str, str]]:
        room = warrooms.get_war_room(s, tenant_id=tenant_id, war_room_num=war_room_num)
        ids = {m["user_id"] for m in room["members"]} | {e["author"] for e in room["timeline"] if e["author"]}
        return room, auth.user_names(s, tenant_id, sorted(ids))

    room, people = await db.run_read(read)
    if render.is_htmx(request) and not shown:
        return render.fragment(request, "warrooms/_timeline.html", room=room, people=people)
    moves = statuses.TRANSITIONS[room["status"]]
    return await render.page(
        request, me, "warrooms/detail.html", section="warrooms", room=room, moves=moves, people=people,
        kinds=statuses.POSTED_KINDS, can_change=access.can_change(me), **{"errors": {}, "values": {}, **shown},
    )  # fmt: skip


@router.get(BASE, response_class=HTMLResponse)
async def list_page(request: Request, me: SignedIn, db: Db) -> HTMLResponse:
    """The list; `?incident_number=` (the incident page's link) fills the open form's incident."""
    incident = request.query_params.get("incident_number", "")[:64]
    return await _list(request, me, db, values={"incident_number": incident} if incident else {})


@router.post(BASE, response_class=HTMLResponse)
async def open_war_room(request: Request, me: Changing, db: Db) -> Response:
    """Open a war room for an incident (as `POST /v1/external/warrooms`), the signed-in user its admin."""
    if not access.can_change(me):
        return access.refused(request, me, "open war rooms")
    form = await request.form()
    values = {name: _text(form, name) for name in OPEN_FIELDS}
    caller = me.caller
    try:
        body = schemas.parse(
            schemas.CreateWarRoomRequest,
            {
                "war_room_name": values["war_room_name"], "incident_number": values["incident_number"],
                "description": values["description"], "war_room_admin": caller.user_id,
                "participant": [p.strip() for p in values["participant"].split(",") if p.strip()],
            },
        )  # fmt: skip
        war_room_num = await db.run_write(lambda s: warrooms.create_war_room(s, caller=caller, body=body))
    except OpenCOCError as exc:
        message = exc.error_msg.replace("warRoomName", "war_room_name").replace("incidentNumber", "incident_number")
        return await _list(request, me, db, errors=forms.field_errors(message, OPEN_FIELDS), values=values)
    return RedirectResponse(f"{BASE}/{war_room_num}", status_code=303)


@router.post(BASE + "/settings", response_class=HTMLResponse)
async def change_settings(request: Request, me: Changing, db: Db) -> Response:
    """Turn the automatic war room of level_10 incidents on or off (admins; as `PUT .../warrooms/settings`)."""
    if not access.is_admin(me):
        return access.refused(request, me, "change the war-room settings")
    form = await request.form()
    caller, auto = me.caller, form.get("auto_level_10") == "true"
    await db.run_write(lambda s: automatic.set_settings(s, caller=caller, auto_level_10=auto))
    return RedirectResponse(BASE, status_code=303)


@router.get(BASE + "/{war_room_num}", response_class=HTMLResponse)
async def detail_page(request: Request, me: SignedIn, db: Db, war_room_num: str) -> HTMLResponse:
    return await _detail(request, me, db, war_room_num[:64])


@router.get(BASE + "/{war_room_num}/events")
async def war_room_events(me: SignedIn, db: Db, wakeups: AppWakeups, war_room_num: str) -> StreamingResponse:
    """Server-sent events: `changed` whenever a war room or an incident of the tenant changes.

    The page then fetches its timeline again (the incident's operations are part of it). Each
    subscriber waits on the two wake-up keys (announced after the commit): no database work
    until something changed. Another tenant's war room is a 404 before the stream starts.
    """
    tenant_id, num = me.caller.tenant_id, war_room_num[:64]
    await db.run_read(lambda s: warrooms.get_war_room(s, tenant_id=tenant_id, war_room_num=num))
    keys = (warrooms.changes_key(tenant_id), incidents.changes_key(tenant_id))

    async def stream() -> AsyncIterator[str]:
        with wakeups.listening(keys) as changes:
            yield "retry: 3000\nevent: ready\ndata: {}\n\n"  # listening from here on: nothing is missed
            while not wakeups.closed:
                changed = await changes.wait(KEEPALIVE_S)
                if wakeups.closed:
                    return
                yield "event: changed\ndata: {}\n\n" if changed else ": keep-alive\n\n"

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


@router.post(BASE + "/{war_room_num}/timeline", response_class=HTMLResponse)
async def post_entry(request: Request, me: Changing, db: Db, war_room_num: str) -> Response:
    """Post to the timeline (as `POST /opencoc/v1/warrooms/{num}/timeline`)."""
    if not access.can_change(me):
        return access.refused(request, me, "post to war room timelines")
    form = await request.form()
    values = {name: _text(form, name) for name in POST_FIELDS}
    caller, num = me.caller, war_room_num[:64]
    try:
        body = schemas.parse(schemas.EntryBody, {"kind": values["kind"] or "note", "text": values["text"]})
        await db.run_write(lambda s: warrooms.post_entry(s, caller=caller, war_room_num=num, body=body))
    except OpenCOCError as exc:
        return await _detail(request, me, db, num, errors=forms.field_errors(exc.error_msg, POST_FIELDS), values=values)
    return RedirectResponse(f"{BASE}/{num}", status_code=303)


@router.post(BASE + "/{war_room_num}/status", response_class=HTMLResponse)
async def set_status(request: Request, me: Changing, db: Db, war_room_num: str) -> Response:
    """Move the war room (as `POST /opencoc/v1/warrooms/{num}/status`)."""
    if not access.can_change(me):
        return access.refused(request, me, "change war room status")
    form = await request.form()
    caller, num = me.caller, war_room_num[:64]
    try:
        body = schemas.parse(schemas.StatusBody, {"status": _text(form, "status")})
        await db.run_write(lambda s: warrooms.set_status(s, caller=caller, war_room_num=num, status=body.status))
    except OpenCOCError as exc:
        return await _detail(request, me, db, num, errors={"status": exc.error_msg})
    return RedirectResponse(f"{BASE}/{num}", status_code=303)
