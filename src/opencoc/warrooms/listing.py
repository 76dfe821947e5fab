"""The war-room list of COC (list_war_rooms): its filters, a page, and the running/closed/total counts.

`total_num` counts the war rooms every filter selects; `running_num` and `closed_num` count those
that every filter but `status` selects, split by status (the console's tabs). `war_room_nums`,
when given, replaces every other filter, as COC documents.
"""

from typing import Any

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from opencoc.config import get_settings
from opencoc.warrooms import statuses
from opencoc.warrooms.models import WarRoom, WarRoomMember
from opencoc.warrooms.schemas import ListWarRoomsRequest

_MS_PER_MINUTE = 60_000


def _holds(dialect: str, column: Any, key: str, wanted: list[str]) -> ColumnElement[bool]:
    """The JSON list of objects in `column` has one whose `key` is one of `wanted` (a correlated EXISTS)."""
    if dialect == "postgresql":
        items = func.json_array_elements(column).table_valued("value")
        item_key: ColumnElement[Any] = items.c.value.op("->>")(key)
    else:
        items = func.json_each(column).table_valued("value")
        item_key = func.json_extract(items.c.value, f"$.{key}")
    return exists(select(1).select_from(items).where(item_key.in_(wanted)))


def _filters(params: ListWarRoomsRequest, dialect: str) -> list[ColumnElement[bool]]:
    """Every filter but `status` (and `war_room_nums`, which replaces them all)."""
    out: list[ColumnElement[bool]] = []
    if params.war_room_num:
        out.append(WarRoom.war_room_num == params.war_room_num)
    if params.incident_num:
        out.append(WarRoom.incident_num == params.incident_num)
    if params.title:
        escaped = params.title.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        out.append(WarRoom.name.like(f"%{escaped}%", escape="\\"))
    levels = [*(params.incident_levels or []), *(params.notification_level or [])]
    if levels:
        out.append(WarRoom.incident_level.in_(levels))
    if params.admin:
        out.append(WarRoom.admin.in_(params.admin))
    if params.enterprise_project_ids:
        out.append(WarRoom.enterprise_project_id.in_(params.enterprise_project_ids))
    if params.current_users:
        members = select(WarRoomMember.war_room_id).where(WarRoomMember.user_id.in_(params.current_users))
        out.append(WarRoom.id.in_(members))
    if params.region_code_list:
        out.append(_holds(dialect, WarRoom.regions, "code", params.region_code_list))
    if params.impacted_application_ids:
        out.append(_holds(dialect, WarRoom.applications, "id", params.impacted_application_ids))
    for column, start, end in (
        (WarRoom.gmt_created, params.triggered_start_time, params.triggered_end_time),
        (WarRoom.gmt_created, params.occur_start_time, params.occur_end_time),
        (WarRoom.recover_time, params.recover_start_time, params.recover_end_time),
    ):
        if start is not None:
            out.append(column >= start)
        if end is not None:
            out.append(column <= end)
    return out


def _wanted(params: ListWarRoomsRequest) -> list[str]:
    """The statuses asked for: COC's enumeration ids ("1", "7", "20") or our names."""
    return [statuses.WIRE_IDS.get(s, s) for s in params.status or []]


def page(session: Session, *, tenant_id: int, params: ListWarRoomsRequest) -> dict[str, Any]:
    """`data` of the list: `{list, total_num, running_num, closed_num}` (`list` null for counts only).

    Every filter runs in SQL: one count per status, then (unless only the counts were asked for) the page.
    """
    scope: list[ColumnElement[bool]] = [WarRoom.tenant_id == tenant_id]
    if params.war_room_nums:
        scope.append(WarRoom.war_room_num.in_(params.war_room_nums))
        wanted: list[str] = []
    else:
        scope.extend(_filters(params, session.get_bind().dialect.name))
        wanted = _wanted(params)
    counted = select(WarRoom.status, func.count()).where(*scope).group_by(WarRoom.status)
    by_status: dict[str, int] = dict(session.execute(counted).all())
    closed = by_status.get(statuses.CLOSED, 0)
    data: dict[str, Any] = {
        "list": None,
        "total_num": sum(n for status, n in by_status.items() if not wanted or status in wanted),
        "running_num": sum(by_status.values()) - closed,
        "closed_num": closed,
    }
    if not params.statistic_flag:
        selected = [*scope, WarRoom.status.in_(wanted)] if wanted else scope
        shown = session.scalars(
            select(WarRoom).where(*selected).order_by(WarRoom.id.desc()).offset(params.offset).limit(params.limit)
        ).all()
        members = _members(session, [r.id for r in shown])
        data["list"] = [_info(r, members.get(r.id, [])) for r in shown]
    return data


def _members(session: Session, room_ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    if room_ids:
        rows = session.execute(
            select(WarRoomMember.war_room_id, WarRoomMember.user_id)
            .where(WarRoomMember.war_room_id.in_(room_ids))
            .order_by(WarRoomMember.id)
        )
        for room_id, user_id in rows:
            out.setdefault(room_id, []).append(user_id)
    return out


def _info(room: WarRoom, members: list[str]) -> dict[str, Any]:
    """One war room as WarRoomTenantInfo."""
    code, name_zh, name_en = statuses.WIRE_STATUS[room.status]  # type: ignore[index]
    end = room.recover_time
    return {
        "id": room.war_room_num,
        "title": room.name,
        "admin": room.admin,
        "recover_member": members,
        "recover_leader": [room.admin],
        "incident": {
            "id": room.incident_num,
            "incident_id": room.incident_num,
            "alarm_id": None,
            "is_change_event": False,
            "source_id": None,
            "failure_level": room.incident_level,
            "incident_url": f"{get_settings().endpoint}/console/incidents/{room.incident_num}",
        },
        "source": "incident",
        "regions": room.regions,
        "change_num": None,
        "occur_time": room.gmt_created,
        "recover_time": end,
        "fault_cause": None,
        "create_time": room.gmt_created,
        "first_report_time": None,
        "recovery_notification_time": None,
        "fault_impact": None,
        "description": room.description,
        "circular_level": room.incident_level,
        "war_room_status": {"id": code, "name_zh": name_zh, "name_en": name_en, "type": "war_room_status"},
        "impacted_application": room.applications,
        "processing_duration": (room.gmt_modified - room.gmt_created) // _MS_PER_MINUTE,
        "restoration_duration": None if end is None else (end - room.gmt_created) // _MS_PER_MINUTE,
        "war_room_num": room.war_room_num,
        "enterprise_project_id": room.enterprise_project_id,
    }
