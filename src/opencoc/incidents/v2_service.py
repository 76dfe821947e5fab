"""The v2 incident workflow: tasks, actions, and the v2 lists. No HTTP; the tenant is explicit.

v2 acts on the same incidents and history as v1 (service.py): an action is one guarded
`UPDATE ... WHERE status, phase and task_seq are as read`, so of two concurrent actions on one
task one wins and the other is refused (400) with nothing written. The operator of a v2 action
is the caller (its user id), as COC records the signed-in user. Pause and level changes are
approval requests (approvals domain) whose approver is the incident's creator, matched by user
name (or any admin); deciding them through /opencoc/v1/approvals moves the incident the same way
(`decide_approval`, listed in app.APPROVAL_DECIDERS).
"""

from typing import Any

import orjson
from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session

from opencoc.approvals import service as approvals
from opencoc.approvals.schemas import Approver, Subject
from opencoc.approvals.statuses import APPROVE, REJECT, Verdict
from opencoc.attachments import service as attachments
from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.auth.service import user_names
from opencoc.core.clock import now_ms
from opencoc.core.db import wake_after_commit
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums, pauses, schemas, service, v2_filters, v2_schemas, workflow
from opencoc.incidents import v2_workflow as wf
from opencoc.incidents.models import Incident, IncidentHistory
from opencoc.incidents.v2_filters import FilterField
from opencoc.oncall import service as oncall

APPROVAL_KIND = "incident"

# What Reopen's params replace: param -> (column, as stored).
_REOPEN_COLUMNS: dict[str, tuple[str, bool]] = {
    "mtm_region": ("region", True),
    "enterprise_project_id": ("enterprise_project", True),
    "current_cloud_service_id": ("current_cloud_service", True),
    "level_id": ("incident_level", False),
    "is_service_interrupt": ("is_service_interrupt", False),
    "mtm_type": ("incident_type", False),
    "title": ("incident_title", False),
    "description": ("incident_description", False),
    "source_id": ("incident_source", False),
    "incident_ownership": ("incident_ownership", False),
    "start_time": ("start_time", False),
    "assignee": ("incident_assignee", True),
    "assignee_scene": ("assignee_scene", False),
    "assignee_role": ("assignee_role", False),
}


# Tasks.


def tasks(session: Session, *, tenant_id: int, incident_num: str) -> list[dict[str, Any]]:
    """The workflow's nodes: first the one the incident is at (ACTIVE, with its operations), then
    the main path's others in order (COMPLETED before it, INACTIVE after), so that Terraform's
    `data[0].operations` is what can be done now."""
    incident = service.get_incident(session, tenant_id=tenant_id, incident_num=incident_num)
    current = wf.node_at(incident.status, incident.phase)
    task = wf.task_id(incident.incident_num, current, incident.task_seq)
    done = _done_nodes(current)
    out = [_node(current, "COMPLETED" if current is wf.END_NODE else "ACTIVE", task)]
    for node in wf.MAIN_PATH:
        if node is not current:
            out.append(_node(node, "COMPLETED" if node.key in done else "INACTIVE", None))
    return out


def _done_nodes(current: wf.Node) -> set[str]:
    keys = [n.key for n in wf.MAIN_PATH]
    if current.status == enums.ACKNOWLEDGED:
        return {wf.ACCEPT_NODE.key}
    if current in wf.MAIN_PATH:
        return set(keys[: keys.index(current.key)])
    return set()  # rejected: nothing of the main path was done


def _node(node: wf.Node, state: str, task: str | None) -> dict[str, Any]:
    operations = [{"task_id": task, "key": action} for action in node.actions] if task else []
    kind = "endEvent" if node is wf.END_NODE else "userTask"
    return {"type": kind, "key": node.key, "name": node.name, "state": state, "operations": operations}


# Actions.


class _Change:
    """The columns an action writes and the before/after of the incident's fields it changes."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}
        self.changes: list[dict[str, Any]] = []

    def field(self, incident: Incident, column: str, after: Any) -> None:
        before = getattr(incident, column)
        self.values[column] = after
        if before != after:
            self.changes.append({"field": column, "before": before, "after": after})


def handle_action(session: Session, *, caller: Caller, incident_num: str, body: v2_schemas.ExecuteActionRequest) -> str:
    """Do one action on the task `body.task_id`; the incident's status after it."""
    require(caller, "incidents.handle")
    incident = service.get_incident(session, tenant_id=caller.tenant_id, incident_num=incident_num)
    return _act(session, caller, incident, body.task_id, body.action, body.params or {})


def _act(session: Session, caller: Caller, incident: Incident, task_id: str, action: str, raw: dict[str, Any]) -> str:
    node = wf.node_at(incident.status, incident.phase)
    if action not in node.actions:
        raise wf.not_allowed(action, node)
    if task_id != wf.task_id(incident.incident_num, node, incident.task_seq):
        raise _stale(task_id, incident, node)
    params = schemas.parse(v2_schemas.params_model(node.key, action), raw, prefix="params")
    _check_actor(caller, incident, node, action)
    confirmed = not isinstance(params, schemas.ConfirmParameter) or params.virtual_confirm_result
    target = wf.move(node, action, confirmed=confirmed)
    change = _Change()
    assigned = _new_assignment(session, incident, params)
    _check_attachments(session, incident.tenant_id, params)
    _apply(change, caller, incident, node, action, params, assigned)
    now = now_ms()
    moves = action != wf.ADD_REMARK
    values = {**change.values, "update_time": now}
    if moves:
        values.update(status=target.status, phase=target.phase, task_seq=incident.task_seq + 1)
    phase_guard = Incident.phase.is_(None) if incident.phase is None else Incident.phase == incident.phase
    result = session.execute(
        update(Incident)
        .where(
            Incident.id == incident.id,
            Incident.status == incident.status,
            phase_guard,
            Incident.task_seq == incident.task_seq,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.expire(incident)  # another action won: say what the incident is now
        now_at = wf.node_at(incident.status, incident.phase)
        raise wf.not_allowed(action, now_at) if action not in now_at.actions else _stale(task_id, incident, now_at)
    _approval(session, caller, incident, node, action, params, change, incident.task_seq + 1)
    users = _reassigned_to(params, assigned)
    if users is not None:
        oncall.start_notices(
            session, tenant_id=incident.tenant_id, incident_num=incident.incident_num,
            incident_title=change.values.get("incident_title", incident.incident_title),
            incident_level=change.values.get("incident_level", incident.incident_level), assigned=assigned, users=users,
        )  # fmt: skip
    wake_after_commit(session, service.changes_key(incident.tenant_id))
    if target.phase == wf.PAUSED:  # its end may be near, or past already
        wake_after_commit(session, pauses.WAKEUP_KEY)
    service.add_history(
        session,
        tenant_id=incident.tenant_id,
        incident_num=incident.incident_num,
        operator=caller.user_id,
        operate_key=action,
        parameter={
            "task_id": task_id,
            "node": node.key,
            "params": params.model_dump(mode="json", exclude_none=True),
            "changes": change.changes,
            "status": target.status,
            "phase": target.phase,
        },
    )
    return target.status


# Who may do a v2 action: the rule of v1's operation it matches (workflow.check_operator), the signed-in
# caller being the operator. The handler's actions are commitSolution1's; taking or refusing the
# incident, accept's; confirming, reopening or closing a rejected one, confirm's (the creator too).
# Not listed: approval decisions (the approval's approver, approvals domain) and remarks (anyone who
# may handle incidents).
_AS_V1: dict[tuple[str, str], str] = {
    **{(wf.ACCEPT_NODE.key, a): enums.ACCEPT for a in (wf.ACCEPTED, wf.UNACCEPTED_FORWARD, wf.REJECT)},
    **{
        (wf.HANDLE_NODE.key, a): enums.COMMIT_SOLUTION
        for a in (wf.COMMIT_SOLUTION, wf.ACCEPTED_FORWARD, wf.PAUSE, wf.CHANGE_LEVEL)
    },
    (wf.PAUSED_NODE.key, wf.RECOVERY): enums.COMMIT_SOLUTION,
    (wf.CONFIRM_NODE.key, wf.CONFIRM): enums.CONFIRM,
    (wf.REJECTED_NODE.key, wf.REOPEN): enums.CONFIRM,
    (wf.REJECTED_NODE.key, wf.AGREED): enums.CONFIRM,
}


def _check_actor(caller: Caller, incident: Incident, node: wf.Node, action: str) -> None:
    """A 400 (v1's COC.00067005) unless the caller may do `action` at `node` (the rule of `_AS_V1`)."""
    as_v1 = _AS_V1.get((node.key, action))
    if as_v1 is not None:
        workflow.check_operator(
            as_v1, caller.user_id, assignees=incident.incident_assignee, acceptor=incident.acceptor,
            creator=incident.creator, on_call=incident.oncall_assignee, shown_as=action,
        )  # fmt: skip


def _stale(task_id: str, incident: Incident, node: wf.Node) -> OpenCOCError:
    return OpenCOCError(
        enums.WRONG_STATUS_CODE,
        f"task_id[{task_id[:255]}] is not the open task of incident[{incident.incident_num}] "
        f"(it is at node {node.key}; GET /v2/incidents/{incident.incident_num}/tasks lists it)",
    )


_ATTACHMENT_PARAMS = ("resolve_attachments", "attachments")  # commitSolution's and Reopen's attachment ids


def _attachment_ids(param: str, value: str) -> list[str]:
    """The ids a param names: comma-separated, or a JSON array of strings (Terraform's jsonencode)."""
    text = value.strip()
    if not text.startswith("["):
        return [part.strip() for part in text.split(",") if part.strip()]
    try:
        items = orjson.loads(text)
    except orjson.JSONDecodeError:
        items = None
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise OpenCOCError(
            enums.INVALID_CODE, f"params.{param} must be attachment ids, comma-separated or a JSON array of strings"
        )
    return [item.strip() for item in items if item.strip()]


def _check_attachments(session: Session, tenant_id: int, params: Any) -> None:
    """Every attachment id a param names is one of the tenant's attachments (a 400 naming the param)."""
    for param in _ATTACHMENT_PARAMS:
        value = getattr(params, param, None)
        if not value:
            continue
        missing = attachments.unknown(session, tenant_id=tenant_id, attachment_ids=_attachment_ids(param, value))
        if missing:
            raise OpenCOCError(
                enums.INVALID_CODE,
                f"params.{param}: attachment[{missing[0][:64]}] does not exist (upload it with "
                "POST /v1/external/incident/attachments first)",
            )


def _new_assignment(session: Session, incident: Incident, params: Any) -> oncall.Assignment | None:
    """Who is on call now for the scene and role a forward or a reopen names (a 400 naming the unknown param)."""
    if isinstance(params, v2_schemas.ForwardParams) and not params.virtual_send_assignee:
        scene, role = params.virtual_schedule_type or "", params.virtual_schedule_role or ""
        fields = ("params.virtual_schedule_type", "params.virtual_schedule_role")
    elif isinstance(params, v2_schemas.ReopenParams) and (params.assignee_scene or params.assignee_role):
        scene = params.assignee_scene or incident.assignee_scene or ""
        role = params.assignee_role or incident.assignee_role or ""
        fields = ("params.assignee_scene", "params.assignee_role")
    else:
        return None
    return oncall.assignment(
        session, tenant_id=incident.tenant_id, scene=scene, role=role, at_ms=now_ms(), fields=fields,
        error_code=enums.INVALID_CODE,
    )  # fmt: skip


def _reassigned_to(params: Any, assigned: oncall.Assignment | None) -> list[str] | None:
    """The people a forward or reopen hands the incident to (None: the action assigns no one)."""
    if isinstance(params, v2_schemas.ForwardParams):
        return [params.virtual_send_assignee] if params.virtual_send_assignee else []
    if isinstance(params, v2_schemas.ReopenParams) and (params.assignee or assigned is not None):
        return [params.assignee] if params.assignee else []
    return None


def _apply(
    change: _Change,
    caller: Caller,
    incident: Incident,
    node: wf.Node,
    action: str,
    params: Any,
    assigned: oncall.Assignment | None,
) -> None:
    """The columns `action` writes beside status and phase (checks that need the incident first)."""
    if isinstance(params, v2_schemas.ForwardParams):
        if params.virtual_send_assignee:
            change.field(incident, "incident_assignee", [params.virtual_send_assignee])
            change.field(incident, "oncall_assignee", None)
            if action == wf.ACCEPTED_FORWARD:
                change.field(incident, "acceptor", params.virtual_send_assignee)
        else:  # to an on-call scene and role: the person on call for them now
            change.field(incident, "incident_assignee", [])
            change.field(incident, "assignee_scene", params.virtual_schedule_type)
            change.field(incident, "assignee_role", params.virtual_schedule_role)
            change.field(incident, "oncall_assignee", assigned.user_id if assigned else None)
    elif action == wf.ACCEPTED:
        change.field(incident, "acceptor", caller.user_id)
    elif isinstance(params, v2_schemas.SolutionParams):
        change.values.update(service.solution_values(params, incident.start_time))
    elif isinstance(params, schemas.ConfirmParameter):
        change.values["confirm_comment"] = params.virtual_confirm_comment
    elif isinstance(params, v2_schemas.PauseParams):
        if params.pause_end_time <= now_ms():
            raise OpenCOCError(enums.INVALID_CODE, "params.pause_end_time must be in the future")
        change.values["pause_end_time"] = params.pause_end_time
    elif isinstance(params, v2_schemas.ChangeLevelParams):
        if params.virtual_target_level == incident.incident_level:
            raise OpenCOCError(
                enums.INVALID_CODE,
                f"params.virtual_target_level must differ from the incident's level[{incident.incident_level}]",
            )
        change.values["pending_level"] = params.virtual_target_level
    elif isinstance(params, v2_schemas.PauseDecisionParams | v2_schemas.LevelDecisionParams):
        _check_conclusion(action, params)
        if node is wf.LEVEL_APPROVAL_NODE and action == wf.AGREED:
            change.field(incident, "incident_level", incident.pending_level)
        if node is wf.PAUSE_APPROVAL_NODE and action == wf.REJECT:
            change.values["pause_end_time"] = None
        change.values["pending_level"] = None
    elif action == wf.RECOVERY:
        change.values["pause_end_time"] = None
    elif isinstance(params, v2_schemas.ReopenParams):
        for param, (column, listed) in _REOPEN_COLUMNS.items():
            value = getattr(params, param)
            if value is not None:
                change.field(incident, column, [value] if listed else value)
        if assigned is not None:
            change.field(incident, "oncall_assignee", assigned.user_id)
        elif params.assignee:
            change.field(incident, "oncall_assignee", None)
        change.field(incident, "acceptor", None)


def _check_conclusion(action: str, params: Any) -> None:
    """An approval's `agreed`/`rejected` and its conclusion param, when given, must say the same."""
    name = "pause_approve_conclusion" if isinstance(params, v2_schemas.PauseDecisionParams) else "conclusion"
    given = getattr(params, name)
    if given is not None and given != (action == wf.AGREED):
        raise OpenCOCError(enums.INVALID_CODE, f"params.{name} must be {str(action == wf.AGREED).lower()} for {action}")


def _approval(
    session: Session,
    caller: Caller,
    incident: Incident,
    node: wf.Node,
    action: str,
    params: Any,
    change: _Change,
    seq: int,
) -> None:
    """Open the approval a pause or level change asks for; record the decision on one."""
    if action in (wf.PAUSE, wf.CHANGE_LEVEL):
        what = "pause" if action == wf.PAUSE else f"level change to {params.virtual_target_level}"
        request = approvals.open_request(
            session,
            tenant_id=incident.tenant_id,
            subject=Subject(kind=APPROVAL_KIND, id=incident.incident_num, version=str(seq)),
            title=f"Incident {incident.incident_num}: {what}",
            requester=caller,
            approvers=[Approver(user_id="", user_name=incident.creator[:64])],
        )
        _set(session, incident.id, approval_id=request.approval_id)
    elif node in (wf.PAUSE_APPROVAL_NODE, wf.LEVEL_APPROVAL_NODE) and action in (wf.AGREED, wf.REJECT):
        verdict: Verdict = APPROVE if action == wf.AGREED else REJECT
        if incident.approval_id is not None:
            approvals.decide(
                session, caller=caller, approval_id=incident.approval_id, verdict=verdict, comment=params.note
            )
        _set(session, incident.id, approval_id=None)


def _set(session: Session, row_id: int, **values: Any) -> None:
    session.execute(
        update(Incident).where(Incident.id == row_id).values(**values).execution_options(synchronize_session=False)
    )


def decide_approval(
    session: Session, caller: Caller, request: approvals.Approval, verdict: Verdict, comment: str | None
) -> approvals.Approval:
    """A decision on an incident's approval through /opencoc/v1/approvals: the incident moves as with v2."""
    require(caller, "incidents.handle")
    incident = service.get_incident(session, tenant_id=caller.tenant_id, incident_num=request.subject.id)
    node = wf.node_at(incident.status, incident.phase)
    if incident.approval_id != request.approval_id:
        return approvals.decide(
            session, caller=caller, approval_id=request.approval_id, verdict=verdict, comment=comment
        )
    task = wf.task_id(incident.incident_num, node, incident.task_seq)
    params = {"note": comment} if comment else {}
    _act(session, caller, incident, task, wf.AGREED if verdict == APPROVE else wf.REJECT, params)
    return approvals.get(session, tenant_id=caller.tenant_id, approval_id=request.approval_id)


# Lists.

_LIST_FIELDS: dict[str, FilterField] = {
    "ticket_id": FilterField(Incident.incident_num, "str"),
    "title": FilterField(Incident.incident_title, "str"),
    "description": FilterField(Incident.incident_description, "str"),
    "level_id": FilterField(Incident.incident_level, "str"),
    "mtm_type": FilterField(Incident.incident_type, "str"),
    "source_id": FilterField(Incident.incident_source, "str"),
    "work_flow_status": FilterField(Incident.status, "str"),
    "status": FilterField(Incident.status, "str"),
    "phase": FilterField(Incident.phase, "str"),
    "creator": FilterField(Incident.creator, "str"),
    "incident_ownership": FilterField(Incident.incident_ownership, "str"),
    "assignee_scene": FilterField(Incident.assignee_scene, "str"),
    "assignee_role": FilterField(Incident.assignee_role, "str"),
    "assignee": FilterField(Incident.incident_assignee, "list"),
    "mtm_region": FilterField(Incident.region, "list"),
    "enterprise_project_id": FilterField(Incident.enterprise_project, "list"),
    "current_cloud_service_id": FilterField(Incident.current_cloud_service, "list"),
    "is_service_interrupt": FilterField(Incident.is_service_interrupt, "bool"),
    "create_time": FilterField(Incident.create_time, "int"),
    "update_time": FilterField(Incident.update_time, "int"),
    "start_time": FilterField(Incident.start_time, "int"),
    "handle_time": FilterField(Incident.handle_time, "int"),
}


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


def _ticket(incident: Incident, people: dict[str, str]) -> dict[str, Any]:
    node = wf.node_at(incident.status, incident.phase)
    enum_data = [
        {"prop_id": e["filed_key"], "biz_id": e["enum_key"], "name_zh": e["name_zh"], "name_en": e["name_en"]}
        for e in service.enum_data_list(incident, people)
    ]
    return {
        "current_cloud_service_id": next(iter(incident.current_cloud_service), None),
        "level_id": incident.incident_level,
        "mtm_region": next(iter(incident.region), None),
        "source_id": incident.incident_source,
        "forward_rule_id": None,
        "enterprise_project_id": next(iter(incident.enterprise_project), None),
        "mtm_type": incident.incident_type,
        "title": incident.incident_title,
        "description": incident.incident_description,
        "ticket_id": incident.incident_num,
        "is_service_interrupt": str(incident.is_service_interrupt).lower(),
        "work_flow_status": incident.status,
        "phase": node.key,
        "assignee": ",".join(incident.incident_assignee),
        "creator": incident.creator,
        "operator": incident.acceptor or incident.creator,
        "update_time": _text(incident.update_time),
        "create_time": _text(incident.create_time),
        "start_time": _text(incident.start_time),
        "handle_time": _text(incident.handle_time),
        "incident_ownership": incident.incident_ownership,
        "enum_data_list": enum_data,
    }


def _check_fields(fields: list[str] | None) -> None:
    known = v2_schemas.IncidentV2.model_fields
    for name in fields or []:
        if name not in known:
            raise OpenCOCError(
                enums.INVALID_CODE, f"The field[fields] value[{name}] invalid: one of {', '.join(known)}"
            )


def list_incidents(session: Session, *, tenant_id: int, params: v2_schemas.ListPageParamsV2) -> dict[str, Any]:
    """`data` of POST /v2/incidents/list: the page of tickets, its total, counts and groups."""
    _check_fields(params.fields)
    groups = {"string_filters": params.string_filters, "int_filters": params.int_filters}
    condition = v2_filters.where(groups, params.condition, _LIST_FIELDS)
    scope: ColumnElement[bool] = Incident.tenant_id == tenant_id
    sort_field, descending = v2_filters.order(params.sort_filter, _LIST_FIELDS, "create_time")
    column = _LIST_FIELDS[sort_field].column
    ordering = (column.desc(), Incident.id.desc()) if descending else (column.asc(), Incident.id.asc())
    size = v2_schemas.MAX_ALL if params.contain_all else params.per_page
    page = 1 if params.contain_all else params.page
    query = select(Incident).where(scope, condition).order_by(*ordering).offset((page - 1) * size).limit(size)
    rows = session.scalars(query).all()
    people = user_names(session, tenant_id, sorted({p for r in rows for p in (r.creator, *r.incident_assignee)}))
    tickets = [_ticket(r, people) for r in rows]
    if params.fields:
        tickets = [{k: t[k] for k in params.fields} for t in tickets]
    total = None
    if params.contain_total or params.contain_all:
        total = session.scalar(select(func.count()).select_from(Incident).where(scope, condition))
    counts = [
        {
            "name": item.name or f"count_{i}",
            "count": session.scalar(
                select(func.count())
                .select_from(Incident)
                .where(
                    scope,
                    condition,
                    v2_filters.where({f"count_filters[{i}].filters": item.filters}, None, _LIST_FIELDS),
                )
            ),
        }
        for i, item in enumerate(params.count_filters or [])
    ]
    return {
        "tickets": tickets,
        "total": total,
        "page": page,
        "per_page": size,
        "counts": counts,
        "groups": _groups(session, params.group_by_filter, scope, condition),
    }


def _groups(
    session: Session,
    group_by: v2_schemas.ObjectFilterV2 | None,
    scope: ColumnElement[bool],
    condition: ColumnElement[bool],
) -> list[dict[str, Any]]:
    if group_by is None or not group_by.field:
        return []
    spec = _LIST_FIELDS.get(group_by.field)
    if spec is None or spec.kind == "list":
        raise OpenCOCError(
            enums.INVALID_CODE,
            f"The field[group_by_filter.field] value[{group_by.field}] invalid: not a groupable field",
        )
    rows = session.execute(
        select(spec.column, func.count())
        .where(scope, condition)
        .group_by(spec.column)
        .order_by(func.count().desc(), spec.column)
    ).all()
    return [
        {"value": None if value is None else str(value).lower() if isinstance(value, bool) else str(value), "count": n}
        for value, n in rows[: v2_schemas.MAX_ALL]
    ]


# Histories.

_HISTORY_FIELDS: dict[str, FilterField] = {
    "action": FilterField(IncidentHistory.operate_key, "str"),
    "operator": FilterField(IncidentHistory.operator, "str"),
    "start_time": FilterField(IncidentHistory.operate_time, "int"),
    "stop_time": FilterField(IncidentHistory.operate_time, "int"),
}

ACTION_NAMES: dict[str, tuple[str, str]] = {
    enums.CREATE: ("Create incident", "创建事件单"),
    enums.ACCEPT: ("Accept incident", "受理事件单"),
    enums.COMMIT_SOLUTION: ("Submit solution", "提交解决方案"),
    enums.CONFIRM: ("Confirm result", "验证关闭"),
    "alarmCleared": ("Alarm cleared", "告警已清除"),
    wf.ACCEPTED: ("Accept incident", "受理事件单"),
    wf.UNACCEPTED_FORWARD: ("Forward", "转单"),
    wf.ACCEPTED_FORWARD: ("Forward", "转单"),
    wf.ADD_REMARK: ("Add remark", "添加备注"),
    wf.COMMIT_SOLUTION: ("Submit solution", "提交解决方案"),
    wf.PAUSE: ("Request pause", "申请挂起"),
    wf.AGREED: ("Agree", "同意"),
    wf.REJECT: ("Reject", "驳回"),
    wf.RECOVERY: ("Recover", "恢复"),
    wf.CHANGE_LEVEL: ("Request level change", "申请升降级"),
    wf.REOPEN: ("Reopen", "重新打开"),
    wf.RESUMED: ("Pause ended", "挂起结束"),
}
_COMMENT_KEYS = (
    "note", "virtual_send_comment", "virtual_confirm_comment", "pause_reason", "virtual_change_level_comment",
    "solution", "alarm_name", "incident_title",
)  # fmt: skip


def _v1_status(row: IncidentHistory, current: str) -> str:
    """The status after a v1 operation (v1 rows do not store it); `current` for one that moves none."""
    if row.operate_key == enums.CONFIRM:
        passed = str((row.parameter or {}).get("virtual_confirm_result", True)).lower() != "false"
        return enums.COMPLETED if passed else enums.ACKNOWLEDGED
    moved = {enums.CREATE: enums.TRIGGERED, enums.ACCEPT: enums.ACKNOWLEDGED, enums.COMMIT_SOLUTION: enums.RESOLVED}
    return moved.get(row.operate_key, current)


def _history(row: IncidentHistory, current: str) -> dict[str, Any]:
    parameter = row.parameter or {}
    v2 = "node" in parameter and "status" in parameter
    status = str(parameter["status"]) if v2 else _v1_status(row, current)
    source = parameter.get("params") if v2 else parameter
    comment = next((str(source[k])[:1000] for k in _COMMENT_KEYS if isinstance(source, dict) and source.get(k)), None)
    name_en, name_zh = ACTION_NAMES.get(row.operate_key, (row.operate_key, row.operate_key))
    zh, en = enums.STATUSES.get(status, (status, status))
    enum_data = [{"prop_id": "work_flow_status", "biz_id": status, "name_zh": zh, "name_en": en}]
    changes = parameter.get("changes", []) if v2 else []
    for item in changes:
        if item.get("field") == "incident_level" and item.get("after") in enums.LEVELS:
            zh, en = enums.LEVELS[item["after"]]
            enum_data.append({"prop_id": "level_id", "biz_id": item["after"], "name_zh": zh, "name_en": en})
    return {
        "action": row.operate_key,
        "action_name_zh": name_zh,
        "action_name_en": name_en,
        "operator": row.operator,
        "status": status,
        "start_time": str(row.operate_time),
        "stop_time": str(row.operate_time),
        "comment": comment,
        "enum_data_list": enum_data,
        "task_id": parameter.get("task_id") if v2 else None,
        "changes": changes,
    }


def list_histories(
    session: Session, *, tenant_id: int, incident_num: str, params: v2_schemas.ListParamsV2
) -> dict[str, Any]:
    """`data` of POST /v2/incidents/{id}/histories: `{total, info}`, oldest first unless sorted."""
    incident = service.get_incident(session, tenant_id=tenant_id, incident_num=incident_num)
    groups = {"string_filters": params.string_filters, "int_filters": params.int_filters}
    condition = v2_filters.where(groups, params.condition, _HISTORY_FIELDS)
    scope = (IncidentHistory.tenant_id == tenant_id) & (IncidentHistory.incident_num == incident_num)
    _, descending = v2_filters.order(params.sort_filter, _HISTORY_FIELDS, "start_time")
    if params.sort_filter is None:
        descending = False
    ordering = IncidentHistory.id.desc() if descending else IncidentHistory.id.asc()
    rows = session.scalars(
        select(IncidentHistory).where(scope, condition).order_by(ordering).limit(v2_schemas.MAX_ALL)
    ).all()
    total = session.scalar(select(func.count()).select_from(IncidentHistory).where(scope, condition)) or 0
    return {"total": total, "info": [_history(r, incident.status) for r in rows]}
