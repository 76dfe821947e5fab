"""Starting a script order: check the request against the seed's rules, record the order, start batch 1.

`start_order` is the one public way to start one (the execute route, alarm auto-process).
"""

from collections import Counter
from typing import Any, cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from opencoc.agents import service as agents_service
from opencoc.agents.service import HostAgent
from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core import ids
from opencoc.core.crypto import Cipher
from opencoc.core.errors import OpenCOCError
from opencoc.jobs import dispatcher, progress, progress_cache
from opencoc.jobs import statuses as st
from opencoc.jobs.models import ScriptBatch, ScriptInstance, ScriptOrder
from opencoc.jobs.operations import operate
from opencoc.jobs.orders import INVALID, ORDER_NOT_FOUND, get_order, order_not_found
from opencoc.jobs.reads import list_orders
from opencoc.jobs.schemas import (
    MAX_HOSTS,
    ExecuteInstancesBatchInfo,
    ScriptExecuteInputParam,
    ScriptExecuteModel,
)
from opencoc.jobs.sweep import fail_agent_instances
from opencoc.jobs.wake import order_key, wake_agents
from opencoc.scripts import service as scripts_service
from opencoc.scripts.schemas import SENSITIVE_MASK
from opencoc.scripts.service import ExecutableScript

__all__ = [
    "ORDER_NOT_FOUND",
    "ended_orders",
    "fail_agent_instances",
    "get_order",
    "list_orders",
    "operate",
    "order_key",
    "order_not_found",
    "progress",
    "progress_cache",
    "start_order",
    "wake_agents",
]


def _invalid(msg: str) -> OpenCOCError:
    return OpenCOCError(INVALID, msg)


def _batches(body: ScriptExecuteModel) -> list[ExecuteInstancesBatchInfo]:
    batches = sorted(body.execute_batches, key=lambda b: b.batch_index)
    if [b.batch_index for b in batches] != list(range(1, len(batches) + 1)):
        raise _invalid("execute_batches.batch_index must start from 1 and be consecutive")
    hosts = [t.resource_id for b in batches for t in b.target_instances]
    if len(hosts) > MAX_HOSTS:
        raise _invalid(f"execute_batches must hold at most {MAX_HOSTS} target_instances in all")
    repeated = sorted(h for h, n in Counter(hosts).items() if n > 1)
    if repeated:
        raise _invalid(f"execute_batches.target_instances.resource_id {repeated[0]} appears more than once")
    return batches


def _params(script: ExecutableScript, given: list[ScriptExecuteInputParam], cipher: Cipher) -> list[dict[str, Any]]:
    """The script's params with the given values (defaults for the rest), sensitive ones encrypted."""
    declared = {p.name: p for p in script.params}
    values: dict[str, str] = {}
    for i, p in enumerate(given):
        field = f"execute_param.script_params[{i}]"
        if p.param_refer is not None:
            raise _invalid(f"{field}.param_refer is not supported: pass param_value")
        if p.param_name not in declared:
            raise _invalid(f"{field}.param_name {p.param_name} is not a parameter of script {script.name}")
        if p.param_name in values:
            raise _invalid(f"{field}.param_name {p.param_name} is duplicated")
        # the mask (what reads show for a sensitive value) stands for the script's default
        if not (declared[p.param_name].sensitive and p.param_value == SENSITIVE_MASK):
            values[p.param_name] = p.param_value
    orders = [p.param_order for p in given]
    if given and None not in orders and sorted(orders) != list(range(1, len(given) + 1)):  # type: ignore[type-var]
        raise _invalid("execute_param.script_params.param_order must start from 1 and be consecutive")
    out = []
    for d in sorted(script.params, key=lambda d: d.order):
        value = values.get(d.name, d.value)
        out.append(
            {
                "param_name": d.name,
                "param_value": cipher.encrypt(value) if d.sensitive else value,
                "param_order": d.order,
                "sensitive": d.sensitive,
            }
        )
    return out


def _agents(session: Session, tenant_id: int, batches: list[ExecuteInstancesBatchInfo]) -> dict[str, HostAgent]:
    """The agent of every target (by resource_id; the one with its agent_sn when given); a 400 naming the first
    target without one."""
    targets = [(b, j, t) for b in batches for j, t in enumerate(b.target_instances)]
    on_host = agents_service.for_resources(
        session, tenant_id=tenant_id, resource_ids=(t.resource_id for _, _, t in targets)
    )
    agents: dict[str, HostAgent] = {}
    for b, j, t in targets:
        candidates = [a for a in on_host.get(t.resource_id, ()) if t.agent_sn is None or a.agent_sn == t.agent_sn]
        if not candidates:
            field = f"execute_batches[{b.batch_index - 1}].target_instances[{j}]"
            named = f" with agent_sn {t.agent_sn}" if t.agent_sn else ""
            raise _invalid(f"{field}.resource_id {t.resource_id}{named} is not a host with an enrolled agent")
        agents[t.resource_id] = candidates[0]
    return agents


def _new_order(
    caller: Caller,
    script: ExecutableScript,
    body: ScriptExecuteModel,
    params: list[dict[str, Any]],
    regions: list[str],
    now: int,
) -> ScriptOrder:
    param = body.execute_param
    return ScriptOrder(
        execute_uuid=ids.execute_uuid(),
        tenant_id=caller.tenant_id,
        script_uuid=script.script_uuid,
        script_name=script.name,
        script_version_id=script.version_id,
        script_version_name=script.version_name,
        script_type=script.type,
        content=script.content,
        params=params,
        timeout=param.timeout,
        success_rate=param.success_rate,
        execute_user=param.execute_user,
        resourceful=param.resourceful,
        region_ids=",".join(regions)[:512] or None,
        total_batches=len(body.execute_batches),
        current_batch_index=1,
        status=st.PROCESSING,
        creator=caller.user_name,
        creator_id=caller.user_id,
        gmt_created=now,
    )


def _add_batches(
    session: Session,
    order: ScriptOrder,
    batches: list[ExecuteInstancesBatchInfo],
    agents: dict[str, HostAgent],
    now: int,
) -> None:
    """The order's batches and their instances, each instance READY on its target's agent (one INSERT of many
    rows each: 200 ORM objects cost the writer more than the rest of the order)."""
    session.execute(
        insert(cast(Table, ScriptBatch.__table__)),
        [
            {
                "order_id": order.id,
                "batch_index": b.batch_index,
                "rotation_strategy": b.rotation_strategy,
                "total_instances": len(b.target_instances),
                "skipped": False,
            }
            for b in batches
        ],
    )
    session.execute(
        insert(cast(Table, ScriptInstance.__table__)),
        [
            {
                "order_id": order.id,
                "batch_index": b.batch_index,
                "resource_id": t.resource_id,
                "agent_sn": agents[t.resource_id].agent_sn,
                "region_id": t.region_id or agents[t.resource_id].region_id,
                "project_id": t.project_id,
                "provider": t.provider,
                "type": t.type,
                "custom_attributes": [a.model_dump() for a in t.custom_attributes or []],
                "status": st.READY,
                "attempt": 0,
                "cancel_requested": False,
                "gmt_created": now,
            }
            for b in batches
            for t in b.target_instances
        ],
    )


def start_order(
    session: Session,
    *,
    caller: Caller,
    script_uuid: str,
    body: ScriptExecuteModel,
    cipher: Cipher,
    now: int,
    offline_after_s: float,
    hand: dispatcher.HandOut | None = None,
) -> tuple[str, set[str]]:
    """Create the order and start its first batch (handed out by `hand` where it can): (execute_uuid, agents to
    wake)."""
    require(caller, "orders.create")
    script = scripts_service.get_executable(session, tenant_id=caller.tenant_id, script_uuid=script_uuid, cipher=cipher)
    script.ensure_approved()
    script.check_placement(error_code=INVALID)
    batches = _batches(body)
    params = _params(script, body.execute_param.script_params or [], cipher)
    agents = _agents(session, caller.tenant_id, batches)
    targets = [t for b in batches for t in b.target_instances]
    regions = sorted({t.region_id or agents[t.resource_id].region_id or "" for t in targets} - {""})
    order = _new_order(caller, script, body, params, regions, now)
    session.add(order)
    session.flush()
    scripts_service.record_use(session, tenant_id=caller.tenant_id, script_uuid=script.script_uuid)
    _add_batches(session, order, batches, agents, now)
    return order.execute_uuid, dispatcher.advance(session, order, now, offline_after_s, hand=hand)


def ended_orders(session: Session, *, tenant_id: int, since: int) -> dict[str, int]:
    """How many of the tenant's orders created since `since` ended FINISHED, ABNORMAL or CANCELED (SQL COUNT)."""
    rows = session.execute(
        select(ScriptOrder.status, func.count())
        .where(
            ScriptOrder.tenant_id == tenant_id,
            ScriptOrder.gmt_created >= since,
            ScriptOrder.status.in_(sorted(st.ORDER_ENDED)),
        )
        .group_by(ScriptOrder.status)
    )
    return {status: int(count) for status, count in rows.all()}
