"""Alarm reads of the signed API: list, show, handling history. No HTTP (what handling starts is in flows.py).

Every function takes the tenant explicitly; another tenant's alarm is "not found". The console
reads a filtered page (`find`) and the overview's aggregates (`stats`, re-exported here); every
new, repeated or cleared alarm announces `changes_key(tenant_id)` after its commit, for live views.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from opencoc.alarms import integrations, rules, stats
from opencoc.alarms.custom import STORED_DEPTH
from opencoc.alarms.models import Alarm, AlarmHistory, Integration
from opencoc.alarms.schemas import (
    CLEARED,
    INVALID_CODE,
    LEVELS,
    NOT_FOUND_CODE,
    STATUSES,
    check_nul,
)
from opencoc.auth.service import user_names
from opencoc.core.errors import OpenCOCError
from opencoc.core.json_bounds import DEFAULT, clip

__all__ = ["integrations", "stats"]

LINKED_CODE = "COC.00000409"
PAGE_SIZE = 50


def changes_key(tenant_id: int) -> str:
    """The wake-up key announced after an alarm of the tenant is raised, repeated, cleared or linked."""
    return f"alarms:{tenant_id}"


def not_found(alarm_id: str) -> OpenCOCError:
    return OpenCOCError(NOT_FOUND_CODE, f"alarm[{alarm_id}] does not exist", status=404)


def _with_integration() -> Select[Alarm, Integration]:
    return select(Alarm, Integration).outerjoin(Integration, Alarm.integration_id == Integration.id)


def view(alarm: Alarm, integration: Integration | None) -> dict[str, Any]:
    """An alarm as our list returns it."""
    return {
        "alarm_id": alarm.alarm_id,
        "original_alarm_id": alarm.original_alarm_id,
        "alarm_name": alarm.alarm_name,
        "alarm_level": alarm.alarm_level,
        "alarm_status": alarm.alarm_status,
        "count": alarm.count,
        "first_time": alarm.first_time,
        "last_time": alarm.last_time,
        "incident_num": alarm.incident_num,
        "integration_id": integration.integration_id if integration else None,
        "integration_name": integration.name if integration else None,
        "name_space": alarm.name_space,
        "region_id": alarm.region_id,
        "application_id": alarm.application_id,
        "resource_name": alarm.resource_name,
        "resource_id": alarm.resource_id,
        "alarm_desc": alarm.alarm_desc,
        "URL": alarm.url,
        "alarm_source": alarm.alarm_source,
        "additional": clip(alarm.additional, STORED_DEPTH),  # alarms stored before the bounds may be deeper
        "clear_time": alarm.clear_time,
        "cleared_by": alarm.cleared_by,
        "create_time": alarm.create_time,
        "update_time": alarm.update_time,
    }


def list_alarms(
    session: Session,
    *,
    tenant_id: int,
    limit: int,
    offset: int,
    status: str | None = None,
    alarm_level: str | None = None,
    integration_key: str | None = None,
) -> dict[str, Any]:
    """`{total, list}` of the tenant's alarms, newest first; `offset` counts alarms to skip."""
    if status is not None and status not in STATUSES:
        raise OpenCOCError(INVALID_CODE, f"status value[{status}] invalid, expected alarm|ok")
    if alarm_level is not None and alarm_level not in LEVELS:
        raise OpenCOCError(INVALID_CODE, f"alarm_level value[{alarm_level}] invalid, expected {'|'.join(LEVELS)}")
    where = [Alarm.tenant_id == tenant_id]
    if status:
        where.append(Alarm.alarm_status == status)
    if alarm_level:
        where.append(Alarm.alarm_level == alarm_level)
    if integration_key is not None:
        where.append(Alarm.integration_id == integrations.integration_id_of(session, tenant_id, integration_key))
    total = session.scalar(select(func.count()).select_from(Alarm).where(*where)) or 0
    rows = session.execute(_with_integration().where(*where).order_by(Alarm.id.desc()).offset(offset).limit(limit))
    return {"total": total, "list": [view(alarm, integration) for alarm, integration in rows]}


def get(session: Session, tenant_id: int, alarm_id: str) -> tuple[Alarm, Integration | None]:
    """The tenant's alarm and its integration (None once deleted); 404 otherwise."""
    check_nul(alarm_id, "alarm_id")
    row = session.execute(_with_integration().where(Alarm.tenant_id == tenant_id, Alarm.alarm_id == alarm_id)).first()
    if row is None:
        raise not_found(alarm_id)
    return row[0], row[1]


def show(session: Session, *, tenant_id: int, domain_id: str, alarm_id: str) -> dict[str, Any]:
    """`data` of show_alarm: the SDK's AlarmInfoDTO fields, and ours (`view`) beside them."""
    alarm, integration = get(session, tenant_id, alarm_id)
    alarm_rules = rules.Rules.model_validate(integration.rules) if integration else rules.Rules()
    owner = alarm_rules.assignee
    names = user_names(session, tenant_id, [p for p in (owner, alarm_rules.creator) if p])
    last = session.scalar(
        select(AlarmHistory)
        .where(AlarmHistory.tenant_id == tenant_id, AlarmHistory.alarm_id == alarm_id)
        .order_by(AlarmHistory.id.desc())
        .limit(1)
    )
    source = integration.type if integration else alarm.alarm_source
    return {
        "id": alarm.alarm_id,
        "name": alarm.alarm_name,
        "importance": alarm.alarm_level,
        "come_from": source,
        "come_from_en": source,
        "transfer_rule": integration.integration_id if integration else None,
        "transfer_rule_name": integration.name if integration else None,
        "app": alarm.application_id,
        "status": alarm.alarm_status,
        "owner": owner,
        "owner_name": names.get(owner, owner) if owner else None,
        "owner_alias": names.get(owner, owner) if owner else None,
        "converge_count": alarm.count,
        "associate_event_id": alarm.incident_num,
        "domain_id": domain_id,
        "creator": alarm_rules.creator,
        "creator_name": names.get(alarm_rules.creator, alarm_rules.creator) if alarm_rules.creator else None,
        "create_time": alarm.create_time,
        "update_time": alarm.update_time,
        "remarks": alarm.clear_remarks,
        "region": alarm.region_id,
        "task_type": last.task_type if last else None,
        "associated_task_type": last.associated_task_type if last else None,
        "associated_task_id": last.associated_task_id if last else None,
        "associated_task_name": last.associated_task_name if last else None,
        **view(alarm, integration),
    }


def get_many(session: Session, tenant_id: int, alarm_ids: list[str]) -> list[tuple[Alarm, Integration | None]]:
    """The tenant's alarms in the order asked for; 404 naming the first unknown id."""
    wanted = list(dict.fromkeys(alarm_ids))
    rows = session.execute(_with_integration().where(Alarm.tenant_id == tenant_id, Alarm.alarm_id.in_(wanted))).all()
    found = {alarm.alarm_id: (alarm, integration) for alarm, integration in rows}
    for alarm_id in wanted:
        if alarm_id not in found:
            raise not_found(alarm_id)
    return [found[alarm_id] for alarm_id in wanted]


def handle_histories(session: Session, *, tenant_id: int, alarm_id: str, offset: int, limit: int) -> dict[str, Any]:
    """Body of list_alarm_handle_histories: `{count, alarm_handle_histories, resolved_record}`."""
    alarm, _ = get(session, tenant_id, alarm_id)
    where = (AlarmHistory.tenant_id == tenant_id, AlarmHistory.alarm_id == alarm_id)
    count = session.scalar(select(func.count()).select_from(AlarmHistory).where(*where)) or 0
    rows = session.scalars(select(AlarmHistory).where(*where).order_by(AlarmHistory.id).offset(offset).limit(limit))
    resolved = None
    if alarm.alarm_status == CLEARED:
        resolved = {"resolved_time": alarm.clear_time, "create_name": alarm.cleared_by, "remarks": alarm.clear_remarks}
    return {
        "count": count,
        "alarm_handle_histories": [
            {
                "work_order_id": row.work_order_id,
                "create_name": row.create_name,
                "create_alias": row.create_name,
                "task_type": row.task_type,
                "start_time": row.start_time,
                "end_time": row.end_time,
                "duration": None if row.end_time is None else row.end_time - row.start_time,
                "status": row.status,
                "associated_task_id": row.associated_task_id,
                "associated_task_name": row.associated_task_name,
                "sub_task_info": clip(row.detail.get("sub_task_info"), DEFAULT.depth),
            }
            for row in rows
        ],
        "resolved_record": resolved,
    }


def linked_to_incident(session: Session, *, tenant_id: int, incident_num: str) -> list[dict[str, Any]]:
    """The tenant's alarms that created or were linked to the incident, oldest first (the console's timeline)."""
    rows = session.execute(
        _with_integration()
        .where(Alarm.tenant_id == tenant_id, Alarm.incident_num == incident_num)
        .order_by(Alarm.id)
        .limit(100)
    )
    return [view(alarm, integration) for alarm, integration in rows]


@dataclass(frozen=True)
class Filters:
    """What the console's alarm list shows; None means any."""

    status: str | None = None
    level: str | None = None
    integration_id: str | None = None  # the public integration_id
    source: str | None = None  # alarm_source, exactly
    since: int | None = None  # first raised at or after (ms)
    until: int | None = None  # first raised before (ms)
    page: int = 1


def find(session: Session, *, tenant_id: int, filters: Filters) -> tuple[int, list[dict[str, Any]]]:
    """(how many of the tenant's alarms match, the page's alarms newest first, as `view` shows them)."""
    where = [Alarm.tenant_id == tenant_id]
    if filters.status:
        where.append(Alarm.alarm_status == filters.status)
    if filters.level:
        where.append(Alarm.alarm_level == filters.level)
    if filters.integration_id:
        where.append(
            Alarm.integration_id.in_(
                select(Integration.id).where(
                    Integration.tenant_id == tenant_id, Integration.integration_id == filters.integration_id
                )
            )
        )
    if filters.source:
        where.append(Alarm.alarm_source == filters.source)
    if filters.since is not None:
        where.append(Alarm.first_time >= filters.since)
    if filters.until is not None:
        where.append(Alarm.first_time < filters.until)
    total = session.scalar(select(func.count()).select_from(Alarm).where(*where)) or 0
    rows = session.execute(
        _with_integration()
        .where(*where)
        .order_by(Alarm.id.desc())
        .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
        .limit(PAGE_SIZE)
    )
    return total, [view(alarm, integration) for alarm, integration in rows]
