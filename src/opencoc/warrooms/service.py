"""War-room logic: open one for an incident, read, list, post to the timeline, move its lifecycle.

No HTTP; the tenant is explicit. Opening a war room links the incident (its `warroom_id`, set by a
conditional UPDATE, so an incident has one war room at most), records it in the incident's history,
brings in the people on call for the scene/role pairs and notifies every member. Every change
announces `changes_key(tenant_id)` after its commit, for live views.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.config import get_settings
from opencoc.core import ids
from opencoc.core.clock import now_ms
from opencoc.core.db import wake_after_commit
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums as incident_enums
from opencoc.incidents import service as incidents
from opencoc.notifications import service as notifications
from opencoc.oncall import service as oncall
from opencoc.warrooms import listing, statuses
from opencoc.warrooms.models import WarRoom, WarRoomEntry, WarRoomMember
from opencoc.warrooms.schemas import INVALID_CODE, NOT_FOUND_CODE, CreateWarRoomRequest, EntryBody, ListWarRoomsRequest

__all__ = ["WarRoom", "changes_key", "create_war_room", "get_war_room", "list_war_rooms", "post_entry", "set_status"]

CREATE_KEY = "createWarRoom"  # the incident history's operate_key of an opened war room
STATUS_KEY = "warRoomStatus"  # ... and of a war room's lifecycle change
EVENT_OPENED = "warrooms.opened"


def changes_key(tenant_id: int) -> str:
    """The wake-up key announced after a war room of the tenant is opened or changes."""
    return f"warrooms:{tenant_id}"


def not_found(war_room_num: str) -> OpenCOCError:
    return OpenCOCError(NOT_FOUND_CODE, f"war room[{war_room_num[:64]}] does not exist", status=404)


def _room(session: Session, tenant_id: int, war_room_num: str) -> WarRoom:
    room = session.scalars(
        select(WarRoom).where(WarRoom.tenant_id == tenant_id, WarRoom.war_room_num == war_room_num)
    ).first()
    if room is None:
        raise not_found(war_room_num)
    return room


def _members(session: Session, *, tenant_id: int, body: CreateWarRoomRequest, at_ms: int) -> list[dict[str, Any]]:
    """The admin, the participants, then whoever is on call for each scene/role pair (first join wins)."""
    joined: dict[str, dict[str, Any]] = {}

    def join(user_id: str, joined_as: str, scene: str | None = None, role: str | None = None) -> None:
        joined.setdefault(user_id, {"user_id": user_id, "joined_as": joined_as, "scene": scene, "role": role})

    join(body.war_room_admin, "admin")
    for user_id in body.participant or []:
        join(user_id, "participant")
    for i, group in enumerate(body.schedule_group):
        fields = (f"schedule_group[{i}].scene_id", f"schedule_group[{i}].role_id")
        on_call = oncall.assignment(
            session, tenant_id=tenant_id, scene=group.scene_id, role=group.role_id, at_ms=at_ms, fields=fields,
            error_code=INVALID_CODE,
        )  # fmt: skip
        if on_call.user_id is not None:
            join(on_call.user_id, "oncall", group.scene_id, group.role_id)
    return list(joined.values())


def _notify(session: Session, *, tenant_id: int, room: WarRoom, incident_title: str, users: list[str]) -> None:
    title = f"War room {room.name} opened for incident {room.incident_num}"
    body = (
        f"You are a member of war room {room.war_room_num} ({room.name}) for incident {room.incident_num}: "
        f"{incident_title}\n{get_settings().endpoint}/console/warrooms/{room.war_room_num}"
    )
    channels = [oncall.DEFAULT_CHANNEL, *([room.notification_type] if room.notification_type else [])]
    if notifications.notify(
        session, tenant_id=tenant_id, event=EVENT_OPENED, title=title, body=body, recipients=users, channels=channels
    ):
        wake_after_commit(session, notifications.WAKEUP_KEY)


def create_war_room(session: Session, *, caller: Caller, body: CreateWarRoomRequest) -> str:
    """Open a war room for the caller's incident -> its number; a second one for the incident is a 400."""
    require(caller, "warrooms.create")
    tenant_id = caller.tenant_id
    try:
        incident = incidents.get_incident(session, tenant_id=tenant_id, incident_num=body.incident_number)
    except OpenCOCError:
        raise OpenCOCError(
            NOT_FOUND_CODE, f"incident_number[{body.incident_number}]: the incident does not exist", status=404
        ) from None
    if incident.warroom_id is not None:
        raise _has_one(body.incident_number, incident.warroom_id)
    now = now_ms()
    members = _members(session, tenant_id=tenant_id, body=body, at_ms=now)
    room = WarRoom(
        tenant_id=tenant_id, war_room_num=ids.war_room_num(), name=body.war_room_name, description=body.description,
        status=statuses.OPEN, incident_num=incident.incident_num, incident_level=incident.incident_level,
        regions=[{"code": c, "name": n} for c, n in _pairs(body.region_code_list, body.region_names)],
        applications=[{"id": c, "name": n} for c, n in _pairs(body.application_id_list, body.application_names)],
        admin=body.war_room_admin, enterprise_project_id=body.enterprise_project_id,
        notification_type=body.notification_type, recover_time=None, gmt_created=now, gmt_modified=now,
    )  # fmt: skip
    opened = f"War room opened with {len(members)} member(s)"
    open_room(session, room=room, members=members, operator=caller.user_id, incident_title=incident.incident_title,
              opened=opened)  # fmt: skip
    return room.war_room_num


def open_room(
    session: Session,
    *,
    room: WarRoom,
    members: list[dict[str, Any]],
    operator: str,
    incident_title: str,
    opened: str,
    automatic: bool = False,
) -> None:
    """Link the incident to `room` (400 if it has one), store the room, its members and its first
    timeline entry (`opened`), record it in the incident's history and notify the members."""
    tenant_id, now = room.tenant_id, room.gmt_created
    if not incidents.link_war_room(
        session, tenant_id=tenant_id, incident_num=room.incident_num, war_room_num=room.war_room_num
    ):
        raise _has_one(room.incident_num, None)
    session.add(room)
    session.flush()
    session.add_all(WarRoomMember(war_room_id=room.id, gmt_created=now, **m) for m in members)
    session.add(WarRoomEntry(war_room_id=room.id, kind="event", author=operator, text=opened, gmt_created=now))
    incidents.add_history(
        session, tenant_id=tenant_id, incident_num=room.incident_num, operator=operator, operate_key=CREATE_KEY,
        parameter={"war_room_num": room.war_room_num, "war_room_name": room.name,
                   "members": [m["user_id"] for m in members], **({"automatic": True} if automatic else {})},
    )  # fmt: skip
    _notify(session, tenant_id=tenant_id, room=room, incident_title=incident_title,
            users=[m["user_id"] for m in members])  # fmt: skip
    wake_after_commit(session, changes_key(tenant_id))


def _has_one(incident_num: str, war_room_num: str | None) -> OpenCOCError:
    which = f" ({war_room_num})" if war_room_num else ""
    return OpenCOCError(INVALID_CODE, f"incident_number[{incident_num}] already has a war room{which}")


def _pairs(codes: list[str] | None, names: list[str] | None) -> list[tuple[str, str]]:
    """Codes with their names (the code itself where no name is given)."""
    names = names or []
    return [(code, names[i] if i < len(names) else code) for i, code in enumerate(codes or [])]


def list_war_rooms(session: Session, *, tenant_id: int, params: ListWarRoomsRequest) -> dict[str, Any]:
    """`data` of POST /v1/external/warrooms/list: a page of the tenant's war rooms and their counts."""
    return listing.page(session, tenant_id=tenant_id, params=params)


def get_war_room(session: Session, *, tenant_id: int, war_room_num: str) -> dict[str, Any]:
    """One war room with its members and its timeline, oldest entry first."""
    room = _room(session, tenant_id, war_room_num)
    members = session.scalars(
        select(WarRoomMember).where(WarRoomMember.war_room_id == room.id).order_by(WarRoomMember.id)
    ).all()
    entries = session.scalars(
        select(WarRoomEntry).where(WarRoomEntry.war_room_id == room.id).order_by(WarRoomEntry.id)
    ).all()
    return {
        "war_room_num": room.war_room_num,
        "name": room.name,
        "description": room.description,
        "status": room.status,
        "incident_num": room.incident_num,
        "incident_level": room.incident_level,
        "regions": [r["code"] for r in room.regions],
        "applications": [a["id"] for a in room.applications],
        "admin": room.admin,
        "notification_type": room.notification_type,
        "created": room.gmt_created,
        "modified": room.gmt_modified,
        "recover_time": room.recover_time,
        "members": [
            {"user_id": m.user_id, "joined_as": m.joined_as, "scene": m.scene, "role": m.role} for m in members
        ],
        "timeline": _timeline(session, room, entries),
    }


def _timeline(session: Session, room: WarRoom, entries: Sequence[WarRoomEntry]) -> list[dict[str, Any]]:
    """The war room's entries and, as `incident` events (id null), the incident's operations since it opened."""
    events = [
        {"id": None, "kind": "event", "source": "incident", "author": h["operator"],
         "text": h["text"], "created": h["operate_time"]}
        for h in incidents.history_since(
            session, tenant_id=room.tenant_id, incident_num=room.incident_num, since_ms=room.gmt_created
        )
        if h["operate_key"] not in (incident_enums.CREATE, CREATE_KEY, STATUS_KEY)
    ]  # fmt: skip
    return sorted([*(_entry_view(e) for e in entries), *events], key=lambda e: e["created"])


def _entry_view(entry: WarRoomEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "kind": entry.kind,
        "source": "war_room",
        "author": entry.author,
        "text": entry.text,
        "created": entry.gmt_created,
    }


def post_entry(session: Session, *, caller: Caller, war_room_num: str, body: EntryBody) -> dict[str, Any]:
    """Add a status update, decision or note to the timeline -> the entry; a closed war room takes none."""
    require(caller, "warrooms.post")
    if body.kind not in statuses.POSTED_KINDS:
        raise OpenCOCError(INVALID_CODE, f"kind[{body.kind}] invalid: one of {', '.join(statuses.POSTED_KINDS)}")
    room = _room(session, caller.tenant_id, war_room_num)
    if room.status == statuses.CLOSED:
        raise OpenCOCError(INVALID_CODE, f"war room[{war_room_num}] is closed: its timeline takes no more posts")
    entry = WarRoomEntry(
        war_room_id=room.id, kind=body.kind, author=caller.user_id, text=body.text, gmt_created=now_ms()
    )
    session.add(entry)
    session.flush()
    wake_after_commit(session, changes_key(caller.tenant_id))
    return _entry_view(entry)


def set_status(session: Session, *, caller: Caller, war_room_num: str, status: statuses.Status) -> dict[str, Any]:
    """Move the war room along open -> recovered -> closed (open -> closed too) -> the war room."""
    require(caller, "warrooms.status")
    room = _room(session, caller.tenant_id, war_room_num)
    allowed = [old for old, new in statuses.TRANSITIONS.items() if status in new]
    now = now_ms()
    values: dict[str, Any] = {"status": status, "gmt_modified": now}
    if status == statuses.RECOVERED:
        values["recover_time"] = now
    done = session.execute(
        update(WarRoom)
        .where(WarRoom.id == room.id, WarRoom.status.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        rule = " or ".join(allowed) if allowed else "no state"
        raise OpenCOCError(
            INVALID_CODE,
            f"war room[{war_room_num}] is {room.status}: it may become {status} only from {rule} "
            f"(open -> recovered -> closed)",
        )
    text = f"Status {room.status} -> {status}"
    session.add(WarRoomEntry(war_room_id=room.id, kind="status", author=caller.user_id, text=text, gmt_created=now))
    incidents.add_history(
        session, tenant_id=caller.tenant_id, incident_num=room.incident_num, operator=caller.user_id,
        operate_key=STATUS_KEY, parameter={"war_room_num": war_room_num, "from": room.status, "to": status},
    )  # fmt: skip
    wake_after_commit(session, changes_key(caller.tenant_id))
    session.expire(room)
    return get_war_room(session, tenant_id=caller.tenant_id, war_room_num=war_room_num)
