"""Incident logic: create, handle (the workflow), read, list, history. No HTTP; the tenant is explicit.

Other domains call `create_incident`, `add_history` and `get_incident` (alarms -> incidents); the
console reads through `search` and `counts` and the overview through `stats` (re-exported here). A user's own
calls (`create_incident_for`, `handle_incident`) first check the caller's role. Every create and handle announces
`changes_key(tenant_id)` after its commit, for live views.
"""

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.auth.service import user_names
from opencoc.core import enterprise_projects, ids
from opencoc.core.clock import now_ms
from opencoc.core.db import wake_after_commit
from opencoc.core.errors import OpenCOCError
from opencoc.core.fastsql import json_value
from opencoc.incidents import counts, enums, schemas, search, sql, stats, wording, workflow
from opencoc.incidents.models import Incident, IncidentHistory
from opencoc.oncall import service as oncall

__all__ = ["Incident", "counts", "search", "stats"]

_NUM_ATTEMPTS = 5

# What a new incident starts in domains above this one (app.py wires the war rooms' automatic P1 war
# room): each is called in the create's transaction with the incident and whether a person asked for
# it (whose create it may refuse with a 400); incidents import no domain above them.
NewIncidentHook = Callable[[Session, Incident, bool], None]
_new_incident_hooks: tuple[NewIncidentHook, ...] = ()


def set_new_incident_hooks(hooks: Sequence[NewIncidentHook]) -> None:
    """The hooks every new incident runs (replacing any set before: app.py sets them at each create_app)."""
    global _new_incident_hooks
    _new_incident_hooks = tuple(hooks)


def not_found(incident_num: str) -> OpenCOCError:
    """COC's error for an unknown incident (the Terraform provider reads it as "gone")."""
    return OpenCOCError(enums.NOT_FOUND_CODE, f"incident[{incident_num}] does not exist")


def changes_key(tenant_id: int) -> str:
    """The wake-up key announced after an incident of the tenant is created or changes."""
    return f"{counts.PREFIX}{tenant_id}"


def add_history(
    session: Session, *, tenant_id: int, incident_num: str, operator: str, operate_key: str, parameter: dict[str, Any]
) -> None:
    """Append one operation to the incident's history."""
    sql.INSERT_HISTORY.run(
        session.connection(),
        sql.INSERT_HISTORY.params(
            {
                "tenant_id": tenant_id,
                "incident_num": incident_num,
                "operator": operator,
                "operate_key": operate_key,
                "operate_time": now_ms(),
                "parameter": parameter,
            }
        ),
    )


def history_since(session: Session, *, tenant_id: int, incident_num: str, since_ms: int) -> list[dict[str, Any]]:
    """The incident's operations from `since_ms` on, oldest first: `{operator, operate_key, operate_time, text}`
    (`text`: the operation in words, wording.py)."""
    rows = session.execute(
        select(
            IncidentHistory.operator, IncidentHistory.operate_key, IncidentHistory.operate_time,
            IncidentHistory.parameter,
        )
        .where(
            IncidentHistory.tenant_id == tenant_id,
            IncidentHistory.incident_num == incident_num,
            IncidentHistory.operate_time >= since_ms,
        )
        .order_by(IncidentHistory.id)
    )  # fmt: skip
    return [
        {"operator": r.operator, "operate_key": r.operate_key, "operate_time": r.operate_time,
         "text": wording.describe(r.operate_key, r.parameter)}
        for r in rows
    ]  # fmt: skip


def create_incident_for(session: Session, *, caller: Caller, body: schemas.CreateIncidentRequest) -> Incident:
    """A user's create_incident (the route's): only if the caller's role allows it."""
    require(caller, "incidents.create")
    return create_incident(session, tenant_id=caller.tenant_id, body=body, project_id=caller.project_id, by_person=True)


def create_incident(
    session: Session,
    *,
    tenant_id: int,
    body: schemas.CreateIncidentRequest,
    project_id: str | None = None,
    by_person: bool = False,
) -> Incident:
    """Create an incident in INCIDENT_STATUS_TRIGGERED with a fresh unique incident_num.

    Given a scene and role, the person on call for them now is the incident's `oncall_assignee`
    (an unknown scene or role is a 400 naming the field); the assignees are notified, and a P1/P2
    escalates up the scene's levels until accepted (oncall.service.start_notices). The hooks of domains
    above run last (`set_new_incident_hooks`); `by_person`: a person asked, whose create they may refuse.
    The returned Incident carries every column (id included) but is not attached to `session`.
    """
    now = now_ms()
    assigned = None
    if body.assignee_scene and body.assignee_role:
        assigned = oncall.assignment(
            session, tenant_id=tenant_id, scene=body.assignee_scene, role=body.assignee_role, at_ms=now,
            fields=("assignee_scene", "assignee_role"), error_code=enums.INVALID_CODE,
        )  # fmt: skip
    values: dict[str, Any] = {
        "tenant_id": tenant_id,
        "project_id": project_id,
        "region": body.region or [],
        "enterprise_project": body.enterprise_project or [],
        "current_cloud_service": body.current_cloud_service or [],
        "incident_level": body.incident_level,
        "is_service_interrupt": body.is_service_interrupt,
        "incident_type": body.incident_type,
        "incident_title": body.incident_title,
        "incident_description": body.incident_description,
        "incident_source": body.incident_source,
        "incident_assignee": body.incident_assignee or [],
        "assignee_scene": body.assignee_scene,
        "assignee_role": body.assignee_role,
        "oncall_assignee": assigned.user_id if assigned is not None else None,
        "incident_ownership": body.incident_ownership,
        "creator": body.creator,
        "status": enums.TRIGGERED,
        "start_time": body.start_time,
        "create_time": now,
        "update_time": now,
    }
    conn = session.connection()
    for _ in range(_NUM_ATTEMPTS):
        values["incident_num"] = ids.incident_num()
        incident_id = sql.INSERT_INCIDENT.run(conn, sql.INSERT_INCIDENT.params(values)).scalar()
        if incident_id is not None:
            break
    else:
        raise RuntimeError(f"no free incident_num after {_NUM_ATTEMPTS} attempts")
    wake_after_commit(session, changes_key(tenant_id))
    add_history(
        session,
        tenant_id=tenant_id,
        incident_num=values["incident_num"],
        operator=body.creator,
        operate_key=enums.CREATE,
        parameter=body.model_dump(mode="json", exclude_none=True),
    )
    oncall.start_notices(
        session, tenant_id=tenant_id, incident_num=values["incident_num"], incident_title=body.incident_title,
        incident_level=body.incident_level, assigned=assigned, users=values["incident_assignee"],
    )  # fmt: skip
    incident = Incident(id=incident_id, **values)
    for hook in _new_incident_hooks:
        hook(session, incident, by_person)
    return incident


def get_incident(session: Session, *, tenant_id: int, incident_num: str) -> Incident:
    """The tenant's incident; COC.00067003 when it does not exist or belongs to another tenant."""
    incident = session.scalars(
        select(Incident).where(Incident.tenant_id == tenant_id, Incident.incident_num == incident_num)
    ).first()
    if incident is None:
        raise not_found(incident_num)
    return incident


def link_war_room(session: Session, *, tenant_id: int, incident_num: str, war_room_num: str) -> bool:
    """Set the incident's `warroom_id` unless it has one (a conditional UPDATE) -> whether it was set."""
    done = session.execute(
        update(Incident)
        .where(Incident.tenant_id == tenant_id, Incident.incident_num == incident_num, Incident.warroom_id.is_(None))
        .values(warroom_id=war_room_num, update_time=now_ms())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    wake_after_commit(session, changes_key(tenant_id))
    return True


def solution_values(params: schemas.CommitSolutionParameter, start_time: int | None) -> dict[str, Any]:
    """The solution's columns; start and recovery times are required and ordered when interrupted.

    The fault start is the parameter's, or else the incident's own `start_time` (which stays as is).
    """
    start = params.start_time if params.start_time is not None else start_time
    recovery = params.fault_recovery_time
    if params.is_service_interrupt:
        if start is None or recovery is None:
            name = "start_time" if start is None else "fault_recovery_time"
            raise OpenCOCError(
                enums.INVALID_CODE, f"parameter.{name} must not be null when is_service_interrupt is true"
            )
        if recovery < start:
            raise OpenCOCError(
                enums.INVALID_CODE, "parameter.fault_recovery_time must not be earlier than parameter.start_time"
            )
    return {
        "solution_mtm_type": params.mtm_type,
        "solution_is_service_interrupt": params.is_service_interrupt,
        "solution_start_time": start,
        "cause": params.cause,
        "solution": params.solution,
        "fault_recovery_time": recovery,
        "fault_delineation_time": params.fault_delineation_time,
        "handle_time": now_ms(),
    }


def handle_incident(session: Session, *, caller: Caller, body: schemas.HandleIncidentRequest) -> str:
    """Apply one workflow operation, guarded by `UPDATE ... WHERE status = <expected>`; the new status.

    Only workflow columns change (see models.Incident): never what the creator gave.
    """
    require(caller, "incidents.handle")
    tenant_id = caller.tenant_id
    params = schemas.parse(schemas.PARAMETERS[body.operate_key], body.parameter or {}, prefix="parameter")
    conn = session.connection()
    row = sql.SELECT_FOR_HANDLE.run(conn, {"tenant_id": tenant_id, "incident_num": body.incident_num}).first()
    if row is None:
        raise not_found(body.incident_num)
    if row.phase is not None:
        raise workflow.held(body.operate_key, row.status, row.phase)
    passed = params.virtual_confirm_result if isinstance(params, schemas.ConfirmParameter) else True
    target = workflow.next_status(body.operate_key, row.status, passed)
    workflow.check_operator(
        body.operate_key,
        body.operator,
        assignees=json_value(row.incident_assignee),
        acceptor=row.acceptor,
        creator=row.creator,
        on_call=row.oncall_assignee,
    )
    values: dict[str, Any] = {"id": row.id, "expected": row.status, "status": target, "update_time": now_ms()}
    if isinstance(params, schemas.CommitSolutionParameter):
        statement = sql.UPDATE_COMMIT
        values.update(solution_values(params, row.start_time))
    elif isinstance(params, schemas.ConfirmParameter):
        statement = sql.UPDATE_CONFIRM
        values["confirm_comment"] = params.virtual_confirm_comment
    else:
        statement = sql.UPDATE_ACCEPT
        values["acceptor"] = body.operator
    if statement.run(conn, values).rowcount != 1:
        current = sql.SELECT_STATUS.run(conn, {"id": row.id}).scalar()
        raise workflow.not_allowed(body.operate_key, current or row.status)
    wake_after_commit(session, changes_key(tenant_id))
    add_history(
        session,
        tenant_id=tenant_id,
        incident_num=body.incident_num,
        operator=body.operator,
        operate_key=body.operate_key,
        parameter=params.model_dump(mode="json", exclude_none=True),
    )
    return target


def _enum_entry(filed_key: str, enum_key: str, names: tuple[str, str] | None) -> dict[str, str]:
    zh, en = names or (enum_key, enum_key)
    return {"filed_key": filed_key, "enum_key": enum_key, "name_zh": zh, "name_en": en}


def enum_data_list(incident: Incident, people: dict[str, str]) -> list[dict[str, str]]:
    """Names of the incident's enumerated values and people, in English and Chinese."""
    entries = [
        _enum_entry("current_cloud_service_id", service, None) for service in incident.current_cloud_service if service
    ]
    entries.append(_enum_entry("creator", incident.creator, (people.get(incident.creator, incident.creator),) * 2))
    entries.append(_enum_entry("level_id", incident.incident_level, enums.LEVELS.get(incident.incident_level)))
    entries.append(_enum_entry("work_flow_status", incident.status, enums.STATUSES.get(incident.status)))
    entries.append(_enum_entry("mtm_type", incident.incident_type, enums.TYPES.get(incident.incident_type)))
    entries.append(_enum_entry("source_id", incident.incident_source, enums.SOURCES.get(incident.incident_source)))
    entries += [
        _enum_entry("assignee", person, (people.get(person, person),) * 2) for person in incident.incident_assignee
    ]
    return entries


def solution_view(incident: Incident) -> dict[str, Any] | None:
    """The latest committed solution with its own values, None before the first commit.

    An OpenCOC addition to the detail (the SDK and Terraform ignore keys they do not know): the
    incident's own type, interruption and start time stay as created. `start_time` here is the
    fault start the solution stated, or the incident's when it stated none.
    """
    if incident.handle_time is None:
        return None
    return {
        "mtm_type": incident.solution_mtm_type,
        "is_service_interrupt": incident.solution_is_service_interrupt,
        "start_time": incident.solution_start_time,
        "fault_recovery_time": incident.fault_recovery_time,
        "fault_delineation_time": incident.fault_delineation_time,
        "cause": incident.cause,
        "solution": incident.solution,
    }


def detail(session: Session, *, tenant_id: int, incident_num: str) -> dict[str, Any]:
    """`data` of GET /v1/external/incident/{incident_num} (IncidentTicketInfoResponseData).

    Every field the creator gave reads back exactly as given (`enterprise_project` too, an empty
    list when none was given): the Terraform resource compares them with its configuration.
    """
    incident = get_incident(session, tenant_id=tenant_id, incident_num=incident_num)
    people = user_names(session, tenant_id, [incident.creator, *incident.incident_assignee])
    return {
        "incident_num": incident.incident_num,
        "region": incident.region,
        "enterprise_project": incident.enterprise_project,
        "current_cloud_service": incident.current_cloud_service,
        "incident_level": incident.incident_level,
        "is_service_interrupt": incident.is_service_interrupt,
        "start_time": incident.start_time,
        "fault_recovery_time": incident.fault_recovery_time,
        "fault_delineation_time": incident.fault_delineation_time,
        "incident_ownership": incident.incident_ownership,
        "incident_type": incident.incident_type,
        "incident_title": incident.incident_title,
        "incident_description": incident.incident_description,
        "incident_source": incident.incident_source,
        "incident_assignee": incident.incident_assignee,
        "assignee_scene": incident.assignee_scene or "",
        "assignee_role": incident.assignee_role or "",
        "warroom_id": incident.warroom_id,
        "handle_time": incident.handle_time,
        "status": incident.status,
        "create_time": incident.create_time,
        "creator": incident.creator,
        "enum_data_list": enum_data_list(incident, people),
        "acceptor": incident.acceptor,
        "oncall_assignee": incident.oncall_assignee,
        "solution": solution_view(incident),
    }


def list_tickets(session: Session, *, tenant_id: int, offset: int, limit: int) -> dict[str, Any]:
    """`data` of GET /v1/incident-tickets: `{total, list}`, newest first; offset is the page number (1 = first)."""
    total = session.scalar(select(func.count()).select_from(Incident).where(Incident.tenant_id == tenant_id)) or 0
    page = max(offset, 1) - 1
    rows = session.scalars(
        select(Incident)
        .where(Incident.tenant_id == tenant_id)
        .order_by(Incident.create_time.desc(), Incident.id.desc())
        .offset(page * limit)
        .limit(limit)
    ).all()
    return {
        "total": total,
        "list": [
            {
                "title": row.incident_title,
                "ticket_id": row.incident_num,
                "description": row.incident_description,
                "status": row.status,
                "level": row.incident_level,
                "enterprise_project": enterprise_projects.or_default(next(iter(row.enterprise_project), None)),
                "source": row.incident_source,
                "creator": row.creator,
                "assignee": row.incident_assignee,
            }
            for row in rows
        ],
    }
