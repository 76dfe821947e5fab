"""On-call: a scene's next 14 days as a calendar, who is on call now, admins' forms to build scenes and
rotations, and the incidents' notices and escalations with their problems and failed deliveries."""

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from opencoc.auth import service as auth
from opencoc.console import access, forms, render
from opencoc.console.session import Changing, Me, SignedIn
from opencoc.core.clock import now_ms
from opencoc.core.deps import Db
from opencoc.core.errors import OpenCOCError
from opencoc.notifications import service as notifications
from opencoc.oncall import schemas
from opencoc.oncall import service as oncall

router = APIRouter()
BASE = "/console/oncall"
DAYS = 14
DAY_MS = 86_400_000
SCENE_FIELDS = ("name", "escalation_delay_seconds")
ROTATION_FIELDS = ("scene", "role", "level", "kind", "users", "handoff_time", "time_zone", "start_date")


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _calendar(schedule: dict[str, Any], start_ms: int) -> tuple[list[str], list[dict[str, Any]]]:
    """Day labels (UTC) and, per role, the names on call during each day."""
    days = [dt.datetime.fromtimestamp((start_ms + i * DAY_MS) / 1000, dt.UTC).strftime("%a %d %b") for i in range(DAYS)]
    rows = []
    for role in schedule["roles"]:
        cells: list[list[str]] = [[] for _ in range(DAYS)]
        for shift in role["shifts"]:
            first = max(0, (shift["start_ms"] - start_ms) // DAY_MS)
            last = min(DAYS - 1, (shift["end_ms"] - 1 - start_ms) // DAY_MS)
            name = (shift["user_name"] or shift["user_id"]) + (" (override)" if shift["override"] else "")
            for day in range(first, last + 1):
                if name not in cells[day]:
                    cells[day].append(name)
        rows.append({"role": role["role"], "level": role["level"], "cells": cells})
    return days, rows


async def _page(request: Request, me: Me, db: Any, scene: str | None = None, **shown: Any) -> HTMLResponse:
    tenant_id = me.caller.tenant_id
    today = now_ms() // DAY_MS * DAY_MS

    def read(s: Any) -> dict[str, Any]:
        scenes = oncall.list_scenes(s, tenant_id=tenant_id)
        chosen = scene if scene in {x["name"] for x in scenes} else (scenes[0]["name"] if scenes else None)
        schedule = (
            oncall.schedule_view(s, tenant_id=tenant_id, scene=chosen, start_ms=today, days=DAYS) if chosen else None
        )
        return {
            "scenes": scenes, "chosen": chosen, "schedule": schedule,
            "now": oncall.now(s, tenant_id=tenant_id),
            "escalations": oncall.list_escalations(s, tenant_id=tenant_id, limit=20),
            "failed": notifications.list_outbox(s, caller=me.caller, limit=20, status="FAILED"),
            "users": auth.tenant_users(s, tenant_id),
        }  # fmt: skip

    data = await db.run_read(read)
    days, rows = _calendar(data["schedule"], today) if data["schedule"] else ([], [])
    return await render.page(
        request, me, "oncall/oncall.html", section="oncall", days=days, calendar=rows, is_admin=access.is_admin(me),
        **data, **{"errors": {}, "values": {}, **shown},
    )  # fmt: skip


@router.get(BASE, response_class=HTMLResponse)
async def oncall_page(request: Request, me: SignedIn, db: Db, scene: str | None = None) -> HTMLResponse:
    return await _page(request, me, db, scene)


@router.post(BASE + "/scenes", response_class=HTMLResponse)
async def create_scene(request: Request, me: Changing, db: Db) -> Response:
    """A new scene (as `POST /opencoc/v1/oncall/scenes`)."""
    if not access.is_admin(me):
        return access.refused(request, me, "edit on-call schedules")
    form = await request.form()
    values = {name: _text(form, name) for name in SCENE_FIELDS}
    caller = me.caller
    try:
        body = schemas.parse(
            schemas.SceneBody,
            {"name": values["name"], "escalation_delay_seconds": values["escalation_delay_seconds"] or None},
        )
        await db.run_write(lambda s: oncall.create_scene(s, caller=caller, body=body))
    except OpenCOCError as exc:
        errors = forms.field_errors(exc.error_msg, SCENE_FIELDS)
        return await _page(request, me, db, errors={"scene": errors}, values={"scene": values})
    return RedirectResponse(f"{BASE}?scene={values['name']}", status_code=303)


@router.post(BASE + "/rotations", response_class=HTMLResponse)
async def set_rotation(request: Request, me: Changing, db: Db) -> Response:
    """Create or replace a role and its rotation; users are named in hand-off order."""
    if not access.is_admin(me):
        return access.refused(request, me, "edit on-call schedules")
    form = await request.form()
    values = {name: _text(form, name) for name in ROTATION_FIELDS}
    caller = me.caller
    by_name = {name: user_id for user_id, name in await db.run_read(lambda s: auth.tenant_users(s, caller.tenant_id))}
    try:
        names = [n.strip() for n in values["users"].split(",") if n.strip()]
        unknown = [n for n in names if n not in by_name]
        if unknown:
            raise OpenCOCError("OPENCOC.ONCALL.INVALID", f"users: no user named {', '.join(unknown)} in this tenant")
        rotation = {
            "kind": values["kind"] or "weekly", "users": [by_name[n] for n in names],
            "handoff_time": values["handoff_time"] or "09:00", "time_zone": values["time_zone"] or "UTC",
            "start_date": values["start_date"] or dt.date.today().isoformat(),
        }  # fmt: skip
        body = schemas.parse(schemas.RoleBody, {"level": values["level"] or 1, "rotation": rotation})
        scene, role = values["scene"], values["role"]
        await db.run_write(lambda s: oncall.put_role(s, caller=caller, scene=scene, role=role, body=body))
    except OpenCOCError as exc:
        message = exc.error_msg.replace("rotation.", "")
        errors = forms.field_errors(message, ROTATION_FIELDS)
        return await _page(request, me, db, values["scene"], errors={"rotation": errors}, values={"rotation": values})
    return RedirectResponse(f"{BASE}?scene={values['scene']}", status_code=303)
