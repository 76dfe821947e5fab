"""What handling an alarm starts in other domains: an incident, a note on it, a script order.

- `transfer_to_incident` (POST /v1/alarm-mgmt/alarms-linked-incident): one incident for alarms;
- `clear_alarms` (POST /v1/alarm-mgmt/alarms/cancel): cleared alarms are noted on their incident;
- `auto_process` (handler_alarm, POST /v1/alarm-mgmt/alarm/{alarm_id}/auto-process): run a script.
The webhooks' own alarm -> incident conversion runs in the ingest batch (ingest.py), in the
alarm's transaction, through the same `incidents.service`.

`auto_process`: `task_type` SCRIPT runs the tenant's approved script `associated_task_id` through the jobs
service (jobs.service.start_order), one batch per entry of `target_instances` in `order_no` order:
its `target_instances` string holds resource ids, comma-separated or as a JSON array (of ids or
of `{resource_id, region_id, ...}` objects); `batch_strategy` PAUSE pauses after the batch.
`input_param` becomes the script's parameters. The order is recorded in the alarm's handling
history (its execute_uuid as associated_task_id).
"""

from typing import Any

import orjson
from sqlalchemy import update
from sqlalchemy.orm import Session

from opencoc.alarms import history, rules
from opencoc.alarms.ingest import INCIDENT_ALARM_CLEARED
from opencoc.alarms.models import Alarm, Integration
from opencoc.alarms.schemas import (
    ACTIVE,
    CLEARED,
    INVALID_CODE,
    AlarmToIncidentRequest,
    AutoHandlerAlarmRequest,
    ClearAlarmRequest,
    parse,
)
from opencoc.alarms.service import LINKED_CODE, changes_key, get, get_many
from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher
from opencoc.core.db import wake_after_commit
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums as incident_enums
from opencoc.incidents import service as incidents
from opencoc.incidents.schemas import CreateIncidentRequest
from opencoc.jobs import service as jobs
from opencoc.jobs.schemas import ScriptExecuteModel
from opencoc.jobs.statuses import PAUSE

SCRIPT = "SCRIPT"
DEFAULT_TIMEOUT_S = 300


def _hosts(value: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(value, str) or not value.strip():
        raise OpenCOCError(INVALID_CODE, f"{where} must not be null")
    text = value.strip()
    if not text.startswith("["):
        return [{"resource_id": part.strip()} for part in text.split(",") if part.strip()]
    try:
        items = orjson.loads(text)  # not json.loads: "[[[..." 65,536 deep would exceed the recursion limit
    except orjson.JSONDecodeError:
        raise OpenCOCError(INVALID_CODE, f"{where} is not a valid JSON array") from None
    if not isinstance(items, list):
        raise OpenCOCError(INVALID_CODE, f"{where} is not a valid JSON array")
    return [{"resource_id": item} if isinstance(item, str) else item for item in items]


def _execute_body(body: AutoHandlerAlarmRequest) -> ScriptExecuteModel:
    schedule = sorted(enumerate(body.target_instances or []), key=lambda e: (e[1].order_no or 0, e[0]))
    if not schedule:
        raise OpenCOCError(INVALID_CODE, "target_instances must not be empty")
    batches: list[dict[str, Any]] = []
    for n, (i, entry) in enumerate(schedule, 1):
        hosts = _hosts(entry.target_instances, f"target_instances[{i}].target_instances")
        for host in hosts:
            if isinstance(host, dict) and body.region_id:
                host.setdefault("region_id", body.region_id)
        strategy = PAUSE if entry.batch_strategy == PAUSE else "CONTINUE"
        batches.append({"batch_index": n, "target_instances": hosts, "rotation_strategy": strategy})
    params = [{"param_name": k, "param_value": v} for k, v in (body.input_param or {}).items()]
    payload = {
        "execute_param": {
            "timeout": DEFAULT_TIMEOUT_S,
            "success_rate": 100,
            "execute_user": "root",
            "script_params": params or None,
        },
        "execute_batches": batches,
    }
    return parse(ScriptExecuteModel, payload)


def auto_process(
    session: Session,
    *,
    caller: Caller,
    alarm_id: str,
    body: AutoHandlerAlarmRequest,
    cipher: Cipher,
    now: int,
    offline_after_s: float,
) -> tuple[dict[str, Any], set[str]]:
    """Start the handling and record it: (response data, agents to wake)."""
    require(caller, "alarms.auto_process")
    get(session, caller.tenant_id, alarm_id)
    if body.task_type != SCRIPT:
        raise OpenCOCError(INVALID_CODE, f"The field[task_type] value[{body.task_type}] invalid, expected {SCRIPT}")
    execute_uuid, woken = jobs.start_order(
        session,
        caller=caller,
        script_uuid=body.associated_task_id,
        body=_execute_body(body),
        cipher=cipher,
        now=now,
        offline_after_s=offline_after_s,
    )
    work_order = history.record(
        session.connection(),
        tenant_id=caller.tenant_id,
        alarm_id=alarm_id,
        task_type=body.task_type,
        create_name=caller.user_name,
        status=history.PROCESSING,
        associated_task_id=execute_uuid,
        associated_task_type=body.associated_task_type or SCRIPT,
        associated_task_name=body.associated_task_name,
        detail=body.model_dump(exclude_none=True),
    )
    return {"work_order_id": work_order, "associated_task_id": execute_uuid}, woken


def clear_alarms(session: Session, *, caller: Caller, body: ClearAlarmRequest) -> list[str]:
    """Clear the active alarms among `alarm_ids` (cleared ones stay as they are); the ids cleared now.

    The caller's name is recorded on the alarm, its user id on the linked incident's history.
    """
    require(caller, "alarms.clear")
    tenant_id, operator, operator_id = caller.tenant_id, caller.user_name, caller.user_id
    now = now_ms()
    cleared = []
    for alarm, _ in get_many(session, tenant_id, body.alarm_ids):
        done = session.execute(
            update(Alarm)
            .where(Alarm.id == alarm.id, Alarm.alarm_status == ACTIVE)
            .values(
                alarm_status=CLEARED,
                active_key=None,
                clear_time=now,
                update_time=now,
                cleared_by=operator,
                clear_remarks=body.remarks,
            )
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            continue
        cleared.append(alarm.alarm_id)
        wake_after_commit(session, changes_key(tenant_id))
        detail = body.model_dump(exclude_none=True, exclude={"alarm_ids"})
        conn = session.connection()
        history.record(
            conn,
            tenant_id=tenant_id,
            alarm_id=alarm.alarm_id,
            task_type=history.CLEAR,
            create_name=operator,
            detail=detail,
        )
        if alarm.incident_num:
            incidents.add_history(
                session,
                tenant_id=tenant_id,
                incident_num=alarm.incident_num,
                operator=operator_id,
                operate_key=INCIDENT_ALARM_CLEARED,
                parameter={"alarm_id": alarm.alarm_id, "alarm_name": alarm.alarm_name, "clear_time": now, **detail},
            )
    return cleared


def _check_choice(field: str, value: str | None, choices: dict[str, tuple[str, str]]) -> None:
    if value is not None and value not in choices:
        raise OpenCOCError(INVALID_CODE, f"The field[{field}] value[{value}] invalid")


def _level(alarms: list[Alarm], alarm_rules: rules.Rules) -> str:
    """The most severe incident level the alarms map to; P3 when none maps to one."""
    mapped = [alarm_rules.level_map.get(alarm.alarm_level) for alarm in alarms]
    return min((level for level in mapped if level), default="level_30")


def _incident_request(
    body: AlarmToIncidentRequest, found: list[tuple[Alarm, Integration | None]], operator: str
) -> CreateIncidentRequest:
    """The incident the alarms become: the first alarm's integration rules, overridden by the request."""
    alarms = [alarm for alarm, _ in found]
    first, integration = found[0]
    base = rules.Rules.model_validate(integration.rules) if integration else rules.Rules()
    overrides: dict[str, Any] = {"creator": operator}
    if body.mtm_type:
        overrides["incident_type"] = body.mtm_type
    if body.current_cloud_service_id:
        overrides["current_cloud_service"] = body.current_cloud_service_id
    if body.assignee or (body.assignee_scene and body.assignee_role):
        overrides.update(assignee=body.assignee, assignee_scene=body.assignee_scene, assignee_role=body.assignee_role)
    alarm_rules = base.model_copy(update=overrides).with_default_owner(operator)
    more = f" (+{len(alarms) - 1} more alarms)" if len(alarms) > 1 else ""
    request = rules.incident_request(
        alarm_rules,
        level=body.level_id or _level(alarms, base),
        title=body.title or first.alarm_name + more,
        description=body.description or "\n".join(f"{a.alarm_name}: {a.alarm_desc}" for a in alarms),
        region_id=body.mtm_region or first.region_id,
        application_id=None if body.current_cloud_service_id else first.application_id,
        start_time=min(alarm.first_time for alarm in alarms),
    )
    updates: dict[str, Any] = {"is_service_interrupt": bool(body.is_service_interrupt)}
    if body.source_id:
        updates["incident_source"] = body.source_id
    if body.enterprise_project_id:
        updates["enterprise_project"] = [body.enterprise_project_id]
    return request.model_copy(update=updates)


def _link(session: Session, alarms: list[Alarm], incident_num: str, incident_title: str, operator: str) -> None:
    """Link the alarms to the incident and record it in their handling history; 409 if one got linked meanwhile."""
    linked = session.execute(
        update(Alarm)
        .where(Alarm.id.in_([a.id for a in alarms]), Alarm.incident_num.is_(None))
        .values(incident_num=incident_num, update_time=now_ms())
    )
    if linked.rowcount != len(alarms):  # type: ignore[attr-defined]
        raise OpenCOCError(LINKED_CODE, "an alarm was linked to another incident meanwhile; retry", status=409)
    for alarm in alarms:
        history.record(
            session.connection(),
            tenant_id=alarm.tenant_id,
            alarm_id=alarm.alarm_id,
            task_type=history.INCIDENT,
            create_name=operator,
            associated_task_id=incident_num,
            associated_task_type="incident",
            associated_task_name=incident_title,
        )


def transfer_to_incident(session: Session, *, caller: Caller, body: AlarmToIncidentRequest) -> str:
    """One incident for all of `alarm_ids` (none may be linked already); its incident_num."""
    require(caller, "alarms.convert")
    tenant_id, operator = caller.tenant_id, caller.user_id
    _check_choice("level_id", body.level_id, incident_enums.LEVELS)
    _check_choice("mtm_type", body.mtm_type, incident_enums.TYPES)
    _check_choice("source_id", body.source_id, incident_enums.SOURCES)
    found = get_many(session, tenant_id, body.alarm_ids)
    alarms = [alarm for alarm, _ in found]
    for alarm in alarms:
        if alarm.incident_num:
            raise OpenCOCError(
                LINKED_CODE, f"alarm[{alarm.alarm_id}] is already linked to incident[{alarm.incident_num}]", status=409
            )
    incident = incidents.create_incident(
        session, tenant_id=tenant_id, body=_incident_request(body, found, operator), by_person=True
    )
    _link(session, alarms, incident.incident_num, incident.incident_title, operator)
    wake_after_commit(session, changes_key(tenant_id))
    return incident.incident_num
