"""The on-call domain's public API: scenes, roles and rotations, overrides, "who is on call", notices.

`who_is_on_call` is one indexed query (the role's rotation and the override covering the instant)
and a pure computation (schedule.py). Incidents call `assignment` at create time and
`start_notices` in the same transaction; `background.py` sends the notices and escalates
(escalation.py). Admins edit schedules; everyone reads.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.auth.service import user_names
from opencoc.config import get_settings
from opencoc.core.clock import now_ms
from opencoc.core.db import wake_after_commit
from opencoc.core.errors import OpenCOCError
from opencoc.core.fastsql import json_value
from opencoc.notifications import service as notifications
from opencoc.oncall import lookups, schedule
from opencoc.oncall.lookups import rotation_of
from opencoc.oncall.models import OncallEscalation, OncallOverride, OncallRole, OncallScene
from opencoc.oncall.schemas import MAX_DAYS, OverrideBody, RoleBody, RotationBody, SceneBody
from opencoc.oncall.statuses import PENDING, EscalationStatus

__all__ = [
    "ESCALATING_LEVELS",
    "WAKEUP_KEY",
    "Assignment",
    "add_override",
    "assignment",
    "create_scene",
    "delete_override",
    "delete_role",
    "delete_scene",
    "get_scene",
    "list_escalations",
    "list_scenes",
    "lookups",
    "my_scenes_now",
    "now",
    "on_call_for",
    "put_role",
    "rotation_of",
    "schedule_view",
    "incident_level_name",
    "notice",
    "start_notices",
    "update_scene",
    "who_is_on_call",
]

INVALID = "OPENCOC.ONCALL.INVALID"
NOT_FOUND = "OPENCOC.ONCALL.NOT_FOUND"
CONFLICT = "OPENCOC.ONCALL.CONFLICT"
WAKEUP_KEY = "oncall.escalations"
DEFAULT_CHANNEL = "EMAIL"  # the channel of notices to explicit assignees (a scene names its own)
EVENT_ASSIGNED = "incidents.assigned"
ESCALATING_LEVELS = ("level_10", "level_20")  # P1 and P2 escalate; lower levels are only notified


@dataclass(frozen=True)
class Assignment:
    """Who a scene and role put on call at an instant, and how the scene escalates."""

    scene_id: int
    level: int
    user_id: str | None
    escalation_delay_seconds: int | None
    channel: str = DEFAULT_CHANNEL


def _unknown(session: Session, tenant_id: int, scene: str, role: str, fields: tuple[str, str], code: str) -> None:
    """Raise the 400 naming the field that names nothing (the scene, else the role)."""
    scene_field, role_field = fields
    if not scene:
        raise OpenCOCError(code, f"{scene_field} must not be empty")
    if not role:
        raise OpenCOCError(code, f"{role_field} must not be empty")
    found = session.scalar(select(OncallScene.id).where(OncallScene.tenant_id == tenant_id, OncallScene.name == scene))
    if found is None:
        raise OpenCOCError(code, f"{scene_field}: no on-call scene named [{scene[:64]}] in this tenant")
    raise OpenCOCError(code, f"{role_field}: scene [{scene[:64]}] has no role named [{role[:64]}]")


def assignment(
    session: Session,
    *,
    tenant_id: int,
    scene: str,
    role: str,
    at_ms: int,
    fields: tuple[str, str] = ("scene", "role"),
    error_code: str = INVALID,
) -> Assignment:
    """Who is on call for `scene`/`role` at `at_ms` and the scene's escalation; a 400 naming the unknown field."""
    found = None
    if scene and role:
        found = lookups.role(session, tenant_id=tenant_id, scene=scene, role_name=role, at_ms=at_ms)
    if found is None:
        _unknown(session, tenant_id, scene, role, fields, error_code)
        raise AssertionError("unreachable")
    return Assignment(found.scene_id, found.level, found.on_call(at_ms), found.escalation_delay_seconds, found.channel)


def who_is_on_call(session: Session, *, tenant_id: int, scene: str, role: str, at_ms: int) -> str | None:
    """The user on call for the tenant's `scene`/`role` at `at_ms` (None: nobody); 400 for an unknown name."""
    return assignment(session, tenant_id=tenant_id, scene=scene, role=role, at_ms=at_ms).user_id


def on_call_for(session: Session, *, tenant_id: int, scene: str, role: str, at_ms: int) -> dict[str, Any]:
    """Who is on call for `scene`/`role` at `at_ms`, with the role's level and the user's name."""
    found = assignment(session, tenant_id=tenant_id, scene=scene, role=role, at_ms=at_ms)
    names = user_names(session, tenant_id, [found.user_id] if found.user_id else [])
    return {
        "scene": scene, "role": role, "level": found.level, "at_ms": at_ms, "user_id": found.user_id,
        "user_name": names.get(found.user_id or ""),
    }  # fmt: skip


def notice(*, incident_num: str, title: str, level: str, console_url: str, why: str) -> tuple[str, str]:
    """The title and body of a notice about an incident: what it is, why you, the console link, how to accept."""
    link = f"{console_url.rstrip('/')}/console/incidents/{incident_num}"
    return (
        f"[OpenCOC] {level} incident {incident_num}: {title}"[:255],
        f"{why}: {level} incident {incident_num}, {title}, not accepted yet.\n"
        f"Open it: {link}\nAccept it: opencoc incident accept {incident_num}",
    )


def start_notices(
    session: Session,
    *,
    tenant_id: int,
    incident_num: str,
    incident_title: str,
    incident_level: str,
    assigned: Assignment | None,
    users: list[str],
) -> None:
    """Notify the assignees of a new or (re)assigned incident, in the caller's transaction.

    The explicit assignees (`users`) and the on-call person of `assigned` are notified now (through
    the outbox); a P1/P2 incident of a scene with an escalation delay gets an escalation row, due
    after the delay, that goes up the levels until the incident is accepted (background.py).
    """
    recipients = list(dict.fromkeys([*users, *([assigned.user_id] if assigned and assigned.user_id else [])]))
    priority = incident_level_name(incident_level)
    if recipients:
        why = f"Assigned to you{f' (on call, level {assigned.level})' if assigned else ''}"
        title, body = notice(
            incident_num=incident_num, title=incident_title, level=priority, console_url=get_settings().endpoint,
            why=why,
        )  # fmt: skip
        channel = assigned.channel if assigned is not None else DEFAULT_CHANNEL
        queued = notifications.notify(
            session, tenant_id=tenant_id, event=EVENT_ASSIGNED, title=title, body=body, recipients=recipients,
            channels=[channel],
        )  # fmt: skip
        if queued:
            wake_after_commit(session, notifications.WAKEUP_KEY)
    delay = assigned.escalation_delay_seconds if assigned is not None else None
    if assigned is None or delay is None or incident_level not in ESCALATING_LEVELS:
        return
    upper = session.scalar(
        select(OncallRole.level)
        .where(OncallRole.scene_id == assigned.scene_id, OncallRole.level > assigned.level)
        .order_by(OncallRole.level)
        .limit(1)
    )
    if upper is None:
        return
    now = now_ms()
    session.add(
        OncallEscalation(
            tenant_id=tenant_id, incident_num=incident_num, scene_id=assigned.scene_id, level=upper, steps=1,
            status=PENDING, next_at=now + delay * 1000, last_error=None, gmt_created=now,
        )
    )  # fmt: skip


def incident_level_name(level: str) -> str:
    """P1 .. P5 for level_10 .. level_50 (the key itself for any other)."""
    return {"level_10": "P1", "level_20": "P2", "level_30": "P3", "level_40": "P4", "level_50": "P5"}.get(level, level)


# --- scenes, roles, overrides ---------------------------------------------------------------------------


def _scene_row(session: Session, tenant_id: int, name: str) -> OncallScene:
    row = session.scalar(select(OncallScene).where(OncallScene.tenant_id == tenant_id, OncallScene.name == name))
    if row is None:
        raise OpenCOCError(NOT_FOUND, f"scene: no on-call scene named [{name[:64]}]", status=404)
    return row


def _role_row(session: Session, scene: OncallScene, name: str) -> OncallRole:
    row = session.scalar(select(OncallRole).where(OncallRole.scene_id == scene.id, OncallRole.name == name))
    if row is None:
        raise OpenCOCError(NOT_FOUND, f"role: scene [{scene.name}] has no role named [{name[:64]}]", status=404)
    return row


def _roles(session: Session, scene_id: int) -> list[OncallRole]:
    return list(session.scalars(select(OncallRole).where(OncallRole.scene_id == scene_id).order_by(OncallRole.level)))


def _scene_view(session: Session, row: OncallScene) -> dict[str, Any]:
    return {
        "id": row.id, "name": row.name, "escalation_delay_seconds": row.escalation_delay_seconds,
        "channel": row.channel, "gmt_created": row.gmt_created, "gmt_modified": row.gmt_modified,
        "roles": [
            {"name": r.name, "level": r.level, "rotation": json_value(r.rotation) or None}
            for r in _roles(session, row.id)
        ],
    }  # fmt: skip


def _flush(session: Session, rows: list[Any], conflict: str) -> None:
    """Flush in a savepoint, so a name or level taken meanwhile is a 409 rather than a failed transaction."""
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        raise OpenCOCError(CONFLICT, conflict, status=409) from None


def create_scene(session: Session, *, caller: Caller, body: SceneBody) -> dict[str, Any]:
    require(caller, "oncall.schedules")
    lookups.changed(session, caller.tenant_id)
    exists = session.scalar(
        select(OncallScene.id).where(OncallScene.tenant_id == caller.tenant_id, OncallScene.name == body.name)
    )
    conflict = f"name: a scene named [{body.name}] already exists"
    if exists is not None:
        raise OpenCOCError(CONFLICT, conflict, status=409)
    now = now_ms()
    row = OncallScene(
        tenant_id=caller.tenant_id, name=body.name, escalation_delay_seconds=body.escalation_delay_seconds,
        channel=body.channel, gmt_created=now, gmt_modified=now,
    )  # fmt: skip
    _flush(session, [row], conflict)
    return _scene_view(session, row)


def update_scene(session: Session, *, caller: Caller, scene: str, body: SceneBody) -> dict[str, Any]:
    """Rename a scene, change its escalation delay or channel."""
    require(caller, "oncall.schedules")
    lookups.changed(session, caller.tenant_id)
    row = _scene_row(session, caller.tenant_id, scene)
    row.name, row.escalation_delay_seconds, row.channel = body.name, body.escalation_delay_seconds, body.channel
    row.gmt_modified = max(now_ms(), row.gmt_modified + 1)
    _flush(session, [row], f"name: a scene named [{body.name}] already exists")
    return _scene_view(session, row)


def delete_scene(session: Session, *, caller: Caller, scene: str) -> str:
    require(caller, "oncall.schedules")
    lookups.changed(session, caller.tenant_id)
    row = _scene_row(session, caller.tenant_id, scene)
    for role in _roles(session, row.id):
        _delete_role_row(session, role)
    session.delete(row)
    return scene


def list_scenes(session: Session, *, tenant_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(OncallScene).where(OncallScene.tenant_id == tenant_id).order_by(OncallScene.name))
    return [_scene_view(session, row) for row in rows]


def get_scene(session: Session, *, tenant_id: int, scene: str) -> dict[str, Any]:
    return _scene_view(session, _scene_row(session, tenant_id, scene))


def _rotation_document(body: RotationBody | None) -> dict[str, Any] | None:
    return body.model_dump(mode="json") if body is not None else None


def put_role(session: Session, *, caller: Caller, scene: str, role: str, body: RoleBody) -> dict[str, Any]:
    """Create or replace a role of the scene: its level and rotation."""
    require(caller, "oncall.schedules")
    lookups.changed(session, caller.tenant_id)
    if not role or len(role) > 64:
        raise OpenCOCError(INVALID, "role: must be 1 to 64 characters")
    scene_row = _scene_row(session, caller.tenant_id, scene)
    row = session.scalar(select(OncallRole).where(OncallRole.scene_id == scene_row.id, OncallRole.name == role))
    now = now_ms()
    if row is None:
        row = OncallRole(tenant_id=caller.tenant_id, scene_id=scene_row.id, name=role, gmt_created=now)
    row.level, row.rotation, row.gmt_modified = body.level, _rotation_document(body.rotation), now
    _flush(session, [row], f"level: scene [{scene_row.name}] already has a role at level {body.level}")
    return _scene_view(session, scene_row)


def _delete_role_row(session: Session, row: OncallRole) -> None:
    for override in session.scalars(select(OncallOverride).where(OncallOverride.role_id == row.id)):
        session.delete(override)
    session.delete(row)


def delete_role(session: Session, *, caller: Caller, scene: str, role: str) -> str:
    require(caller, "oncall.schedules")
    lookups.changed(session, caller.tenant_id)
    _delete_role_row(session, _role_row(session, _scene_row(session, caller.tenant_id, scene), role))
    return role


def _override_view(row: OncallOverride, scene: str, role: str, names: dict[str, str]) -> dict[str, Any]:
    return {
        "id": row.id, "scene": scene, "role": role, "user_id": row.user_id, "user_name": names.get(row.user_id),
        "start_ms": row.start_ms, "end_ms": row.end_ms,
    }  # fmt: skip


def add_override(session: Session, *, caller: Caller, scene: str, role: str, body: OverrideBody) -> dict[str, Any]:
    """A one-off: `user_id` is on call for the role over [start_ms, end_ms)."""
    require(caller, "oncall.schedules")
    lookups.changed(session, caller.tenant_id)
    scene_row = _scene_row(session, caller.tenant_id, scene)
    role_row = _role_row(session, scene_row, role)
    row = OncallOverride(
        tenant_id=caller.tenant_id, role_id=role_row.id, user_id=body.user_id, start_ms=body.start_ms,
        end_ms=body.end_ms, gmt_created=now_ms(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    return _override_view(row, scene_row.name, role_row.name, user_names(session, caller.tenant_id, [body.user_id]))


def delete_override(session: Session, *, caller: Caller, override_id: int) -> int:
    require(caller, "oncall.schedules")
    lookups.changed(session, caller.tenant_id)
    row = session.get(OncallOverride, override_id)
    if row is None or row.tenant_id != caller.tenant_id:
        raise OpenCOCError(NOT_FOUND, f"override[{override_id}] not found", status=404)
    session.delete(row)
    return override_id


# --- reads: now, schedule, escalations ------------------------------------------------------------------


def now(
    session: Session, *, tenant_id: int, scene: str | None = None, at_ms: int | None = None
) -> list[dict[str, Any]]:
    """Who is on call at `at_ms` (now) for every role of the tenant's scenes (or of one scene)."""
    at = now_ms() if at_ms is None else at_ms
    query = select(OncallScene).where(OncallScene.tenant_id == tenant_id).order_by(OncallScene.name)
    if scene is not None:
        query = query.where(OncallScene.name == _scene_row(session, tenant_id, scene).name)
    found: list[dict[str, Any]] = []
    for scene_row in session.scalars(query).all():
        for role in _roles(session, scene_row.id):
            user = who_is_on_call(session, tenant_id=tenant_id, scene=scene_row.name, role=role.name, at_ms=at)
            found.append(
                {"scene": scene_row.name, "role": role.name, "level": role.level, "at_ms": at, "user_id": user}
            )
    names = user_names(session, tenant_id, [f["user_id"] for f in found if f["user_id"]])
    return [{**f, "user_name": names.get(f["user_id"] or "")} for f in found]


def my_scenes_now(session: Session, *, tenant_id: int, user_id: str, at_ms: int) -> list[dict[str, Any]]:
    """Who is on call now in each scene whose rotation or overrides name `user_id` (the console's header)."""
    roles = session.execute(
        select(OncallScene.name, OncallRole.rotation)
        .join(OncallRole, OncallRole.scene_id == OncallScene.id)
        .where(OncallScene.tenant_id == tenant_id)
    ).all()
    mine = set()
    for scene, document in roles:
        rotation = rotation_of(document)
        if rotation is not None and (user_id in rotation.users or any(s[0] == user_id for s in rotation.shifts)):
            mine.add(scene)
    found: list[dict[str, Any]] = []
    for scene in sorted(mine):
        found += now(session, tenant_id=tenant_id, scene=scene, at_ms=at_ms)
    return found


def schedule_view(session: Session, *, tenant_id: int, scene: str, start_ms: int, days: int) -> dict[str, Any]:
    """The scene's shifts per role over `days` days from `start_ms`, overrides applied."""
    if not 1 <= days <= MAX_DAYS:
        raise OpenCOCError(INVALID, f"days: must be between 1 and {MAX_DAYS}")
    scene_row = _scene_row(session, tenant_id, scene)
    end_ms = start_ms + days * schedule.DAY_MS
    roles: list[dict[str, Any]] = []
    for role in _roles(session, scene_row.id):
        overrides = [
            schedule.Override(o.user_id, o.start_ms, o.end_ms)
            for o in session.scalars(
                select(OncallOverride)
                .where(OncallOverride.role_id == role.id, OncallOverride.end_ms > start_ms)
                .where(OncallOverride.start_ms < end_ms)
                .order_by(OncallOverride.id)
            )
        ]
        pieces = schedule.shifts(rotation_of(role.rotation), overrides, start_ms, end_ms)
        roles.append({"role": role.name, "level": role.level, "shifts": pieces})
    names = user_names(session, tenant_id, sorted({p.user_id for r in roles for p in r["shifts"]}))
    for entry in roles:
        entry["shifts"] = [
            {"user_id": p.user_id, "user_name": names.get(p.user_id), "start_ms": p.start_ms, "end_ms": p.end_ms,
             "override": p.override}
            for p in entry["shifts"]
        ]  # fmt: skip
    return {"scene": scene_row.name, "start_ms": start_ms, "end_ms": end_ms, "roles": roles}


def list_escalations(
    session: Session, *, tenant_id: int, limit: int, status: EscalationStatus | None = None
) -> list[dict[str, Any]]:
    """The tenant's incident notices and escalations, newest first."""
    query = select(OncallEscalation).where(OncallEscalation.tenant_id == tenant_id)
    if status is not None:
        query = query.where(OncallEscalation.status == status)
    rows = session.scalars(query.order_by(OncallEscalation.id.desc()).limit(limit)).all()
    scenes = dict(
        session.execute(
            select(OncallScene.id, OncallScene.name).where(OncallScene.id.in_({r.scene_id for r in rows if r.scene_id}))
        ).all()
    )
    return [
        {
            "incident_num": r.incident_num, "scene": scenes.get(r.scene_id) if r.scene_id else None, "level": r.level,
            "steps": r.steps, "status": r.status, "next_at": r.next_at, "last_error": r.last_error,
            "gmt_created": r.gmt_created,
        }
        for r in rows
    ]  # fmt: skip
