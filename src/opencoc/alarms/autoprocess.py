"""handler_alarm (POST /v1/alarm-mgmt/alarm/{alarm_id}/auto-process): run a script for an alarm.

`task_type` SCRIPT runs the tenant's approved script `associated_task_id` through the jobs
service (jobs.service.execute), one batch per entry of `target_instances` in `order_no` order:
its `target_instances` string holds resource ids, comma-separated or as a JSON array (of ids or
of `{resource_id, region_id, ...}` objects); `batch_strategy` PAUSE pauses after the batch.
`input_param` becomes the script's parameters. The order is recorded in the alarm's handling
history (its execute_uuid as associated_task_id).
"""

from typing import Any

import orjson
from sqlalchemy.orm import Session

from opencoc.alarms import history
from opencoc.alarms.schemas import INVALID_CODE, AutoHandlerAlarmRequest, parse
from opencoc.alarms.service import get
from opencoc.auth.caller import Caller
from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
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
    get(session, caller.tenant_id, alarm_id)
    if body.task_type != SCRIPT:
        raise OpenCOCError(INVALID_CODE, f"The field[task_type] value[{body.task_type}] invalid, expected {SCRIPT}")
    execute_uuid, woken = jobs.execute(
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
        status="PROCESSING",
        associated_task_id=execute_uuid,
        associated_task_type=body.associated_task_type or SCRIPT,
        associated_task_name=body.associated_task_name,
        detail=body.model_dump(exclude_none=True),
    )
    return {"work_order_id": work_order, "associated_task_id": execute_uuid}, woken
