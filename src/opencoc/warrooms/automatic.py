"""The tenant's war-room settings and the war room a new level_10 (P1) incident opens by itself.

`auto_level_10` on: every new level_10 incident gets a war room in its create's transaction
(`on_new_incident`, called by incidents.service for every new incident, wired in app.py). The seed
makes the region mandatory then: a person's create without one is a 400 naming `region` and
writes nothing. An alarm that a webhook converts by itself has nobody to answer: its incident gets
the war room with the alarm's region, or none. The setting is read only for level_10 incidents, in
the create's own transaction (one primary-key read), so every other create costs nothing more.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core import ids
from opencoc.core.clock import now_ms
from opencoc.core.db import wake_after_commit
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums as incident_enums
from opencoc.incidents.service import Incident
from opencoc.warrooms import statuses
from opencoc.warrooms.models import WarRoom, WarRoomSettings
from opencoc.warrooms.service import changes_key, open_room

LEVEL = "level_10"
OPERATOR = "opencoc-warrooms"  # the history's operator of an automatic war room


def settings(session: Session, *, tenant_id: int) -> dict[str, Any]:
    """The tenant's war-room settings: `{auto_level_10, modified_by, modified}` (off and null when never set)."""
    row = session.get(WarRoomSettings, tenant_id)
    if row is None:
        return {"auto_level_10": False, "modified_by": None, "modified": None}
    return {"auto_level_10": row.auto_level_10, "modified_by": row.modified_by, "modified": row.gmt_modified}


def set_settings(session: Session, *, caller: Caller, auto_level_10: bool) -> dict[str, Any]:
    """Change the tenant's war-room settings (admins only) -> the settings."""
    require(caller, "warrooms.settings")
    row = session.get(WarRoomSettings, caller.tenant_id)
    if row is None:
        row = WarRoomSettings(tenant_id=caller.tenant_id)
        session.add(row)
    row.auto_level_10, row.modified_by, row.gmt_modified = auto_level_10, caller.user_id, now_ms()
    session.flush()
    wake_after_commit(session, changes_key(caller.tenant_id))
    return settings(session, tenant_id=caller.tenant_id)


def _auto(session: Session, tenant_id: int) -> bool:
    return bool(session.scalar(select(WarRoomSettings.auto_level_10).where(WarRoomSettings.tenant_id == tenant_id)))


def on_new_incident(session: Session, incident: Incident, by_person: bool) -> None:
    """Open the war room of a new level_10 incident when the tenant says so; the region is then mandatory."""
    if incident.incident_level != LEVEL or not _auto(session, incident.tenant_id):
        return
    regions = [r for r in incident.region or [] if r.strip()]
    if by_person and not regions:
        raise OpenCOCError(
            incident_enums.INVALID_CODE,
            f"region is mandatory: this tenant opens a war room automatically for {LEVEL} incidents "
            "(give one region code)",
        )
    people = list(dict.fromkeys([*incident.incident_assignee, *filter(None, [incident.oncall_assignee])]))
    admin = people[0] if people else incident.creator
    members = [{"user_id": admin, "joined_as": "admin", "scene": None, "role": None}]
    for user_id in people[1:]:
        joined = "oncall" if user_id == incident.oncall_assignee else "participant"
        oncall = joined == "oncall"
        members.append({"user_id": user_id, "joined_as": joined,
                        "scene": incident.assignee_scene if oncall else None,
                        "role": incident.assignee_role if oncall else None})  # fmt: skip
    now = now_ms()
    room = WarRoom(
        tenant_id=incident.tenant_id, war_room_num=ids.war_room_num(),
        name=f"{incident.incident_num} {incident.incident_title}"[:255],
        description=incident.incident_description[:1024], status=statuses.OPEN, incident_num=incident.incident_num,
        incident_level=incident.incident_level, regions=[{"code": r, "name": r} for r in regions],
        applications=[{"id": a, "name": a} for a in incident.current_cloud_service or []], admin=admin,
        enterprise_project_id=next((p for p in incident.enterprise_project or [] if p), "0"), notification_type=None,
        recover_time=None, gmt_created=now, gmt_modified=now,
    )  # fmt: skip
    opened = f"War room opened automatically for a {LEVEL} incident with {len(members)} member(s)"
    open_room(
        session, room=room, members=members, operator=OPERATOR, incident_title=incident.incident_title,
        opened=opened, automatic=True,
    )  # fmt: skip
    incident.warroom_id = room.war_room_num
