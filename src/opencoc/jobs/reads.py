"""Reads of §4.3: order list, order info, batches, batch details and instance statistics."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencoc.agents import service as agents_service
from opencoc.agents.service import Agent
from opencoc.core.errors import OpenCOCError
from opencoc.jobs import statuses as st
from opencoc.jobs.models import InstanceOutput, ScriptBatch, ScriptInstance, ScriptOrder
from opencoc.jobs.orders import INVALID, get_order
from opencoc.scripts.schemas import SENSITIVE_MASK

SCRIPT_SOURCE = "CUSTOM_SCRIPT"
PROVIDER = "ECS"
TYPE = "CLOUDSERVER"


def _costs(start: int | None, end: int | None, now: int) -> int:
    """Milliseconds from start to end (or to now while running), as the seed's examples count."""
    return 0 if start is None else (end or now) - start


def as_ms(value: int | None) -> int | None:
    """A filter time in ms; values that can only be seconds (the seed caps them at 2^31-1) are scaled."""
    if value is None:
        return None
    return value * 1000 if value < 100_000_000_000 else value


def _order_item(order: ScriptOrder, now: int) -> dict[str, Any]:
    return {
        "order_id": order.id,
        "order_name": order.script_name,
        "execute_uuid": order.execute_uuid,
        "gmt_created": order.gmt_created,
        "gmt_finished": order.gmt_finished,
        "execute_costs": _costs(order.gmt_created, order.gmt_finished, now),
        "creator": order.creator,
        "status": order.status,
        "properties": {"region_ids": order.region_ids},
    }


def list_orders(
    session: Session,
    *,
    tenant_id: int,
    limit: int,
    marker: int | None,
    start_time: int | None,
    end_time: int | None,
    creator: str | None,
    status: str | None,
    now: int,
) -> dict[str, Any]:
    """The tenant's orders, newest first; `marker` is the last `order_id` of the previous page."""
    where = [ScriptOrder.tenant_id == tenant_id]
    start, end = as_ms(start_time), as_ms(end_time)
    if start is not None:
        where.append(ScriptOrder.gmt_created >= start)
    if end is not None:
        where.append(ScriptOrder.gmt_created <= end)
    if creator:
        where.append(ScriptOrder.creator == creator)
    if status:
        where.append(ScriptOrder.status == status)
    total = session.scalar(select(func.count()).select_from(ScriptOrder).where(*where)) or 0
    if marker is not None:
        where.append(ScriptOrder.id < marker)
    rows = session.scalars(select(ScriptOrder).where(*where).order_by(ScriptOrder.id.desc()).limit(limit))
    return {"total": total, "data": [_order_item(o, now) for o in rows]}


def _wire_params(order: ScriptOrder) -> list[dict[str, Any]]:
    return [
        {
            "param_name": p["param_name"],
            "param_value": SENSITIVE_MASK if p["sensitive"] else p["param_value"],
            "param_order": p["param_order"],
        }
        for p in order.params
    ]


def order_info(session: Session, *, tenant_id: int, execute_uuid: str, now: int) -> dict[str, Any]:
    """GET /v1/job/script/orders/{execute_uuid}."""
    order = get_order(session, tenant_id=tenant_id, execute_uuid=execute_uuid)
    return {
        "execute_uuid": order.execute_uuid,
        "gmt_created": order.gmt_created,
        "gmt_finished": order.gmt_finished,
        "execute_costs": _costs(order.gmt_created, order.gmt_finished, now),
        "creator": order.creator,
        "status": order.status,
        "properties": {
            "script_uuid": order.script_uuid,
            "script_name": order.script_name,
            "script_version_uuid": order.script_version_id,
            "script_version_name": order.script_version_name,
            "current_execute_batch_index": order.current_batch_index,
            "execute_param": {
                "resourceful": order.resourceful,
                "timeout": order.timeout,
                "success_rate": order.success_rate,
                "execute_user": order.execute_user,
                "script_params": _wire_params(order),
            },
            "script_source": SCRIPT_SOURCE,
            "reason": order.reason,
        },
    }


def batch_state(batch: ScriptBatch) -> str:
    if batch.skipped:
        return "SKIPPED"
    if batch.finished_at is not None:
        return st.FINISHED
    return st.PROCESSING if batch.started_at is not None else st.READY


def list_batches(session: Session, *, tenant_id: int, execute_uuid: str) -> list[dict[str, Any]]:
    """GET .../batches: one entry per batch; `properties` is the batch's state."""
    order = get_order(session, tenant_id=tenant_id, execute_uuid=execute_uuid)
    rows = session.scalars(
        select(ScriptBatch).where(ScriptBatch.order_id == order.id).order_by(ScriptBatch.batch_index)
    )
    return [
        {
            "batch_index": b.batch_index,
            "total_instances": b.total_instances,
            "rotation_strategy": b.rotation_strategy,
            "properties": batch_state(b),
        }
        for b in rows
    ]


def message_of(output: str | None, error: str | None) -> str | None:
    """An instance's log: its output, then the reason it failed (if any)."""
    if not error:
        return output
    if not output:
        return error
    return output + ("" if output.endswith("\n") else "\n") + error


def _target(inst: ScriptInstance, agent: Agent | None, now: int, grace: float) -> dict[str, Any]:
    state = agents_service.state_of(agent, now, grace) if agent is not None else None
    return {
        "resource_id": inst.resource_id,
        "provider": inst.provider or PROVIDER,
        "region_id": inst.region_id,
        "type": inst.type or TYPE,
        "custom_attributes": inst.custom_attributes,
        "agent_sn": inst.agent_sn,
        "agent_status": state,
        "project_id": inst.project_id,
        "properties": {
            "host_name": agent.hostname if agent else None,
            "fixed_ip": agent.fixed_ip if agent else None,
            "floating_ip": None,
            "region_id": (agent.region_id if agent else None) or inst.region_id,
            "zone_id": agent.zone_id if agent else None,
            "application": None,
            "group": None,
            "project_id": inst.project_id,
        },
    }


def batch_detail(
    session: Session,
    *,
    tenant_id: int,
    execute_uuid: str,
    batch_index: int,
    status: str | None,
    limit: int,
    marker: int | None,
    now: int,
    grace: float,
) -> dict[str, Any]:
    """GET .../batches/{batch_index}: a page of the batch's instances (id > marker), with their logs."""
    order = get_order(session, tenant_id=tenant_id, execute_uuid=execute_uuid)
    batch = session.scalar(
        select(ScriptBatch).where(ScriptBatch.order_id == order.id, ScriptBatch.batch_index == batch_index)
    )
    if batch is None:
        raise OpenCOCError(INVALID, f"batch_index {batch_index} is not a batch of order {execute_uuid}")
    where = [ScriptInstance.order_id == order.id, ScriptInstance.batch_index == batch_index]
    if status:
        where.append(ScriptInstance.status == status)
    total = session.scalar(select(func.count()).select_from(ScriptInstance).where(*where)) or 0
    if marker:
        where.append(ScriptInstance.id > marker)
    page = list(session.scalars(select(ScriptInstance).where(*where).order_by(ScriptInstance.id).limit(limit)))
    ids = [i.id for i in page]
    logs = select(InstanceOutput.instance_id, InstanceOutput.output).where(InstanceOutput.instance_id.in_(ids))
    outputs: dict[int, str] = dict(session.execute(logs).all())
    agents = agents_service.by_sns(session, tenant_id=tenant_id, agent_sns=(i.agent_sn for i in page))
    return {
        "batch_index": batch_index,
        "total_instances": total,
        "execute_instances": [
            {
                "id": i.id,
                "target_instance": _target(i, agents.get(i.agent_sn), now, grace),
                "gmt_created": i.gmt_created,
                "gmt_finished": i.gmt_finished,
                "execute_costs": _costs(i.started_at, i.gmt_finished, now),
                "status": i.status,
                "message": message_of(outputs.get(i.id), i.error),
            }
            for i in page
        ],
    }


def statistics(session: Session, *, tenant_id: int, execute_uuid: str) -> dict[str, Any]:
    """GET .../statistics: per instance status, how many and in which batches."""
    order = get_order(session, tenant_id=tenant_id, execute_uuid=execute_uuid)
    rows = session.execute(
        select(ScriptInstance.status, ScriptInstance.batch_index, func.count())
        .where(ScriptInstance.order_id == order.id)
        .group_by(ScriptInstance.status, ScriptInstance.batch_index)
    )
    counts: dict[str, int] = dict.fromkeys(st.INSTANCE_STATUSES, 0)
    batches: dict[str, set[int]] = {s: set() for s in st.INSTANCE_STATUSES}
    for status, batch_index, count in rows:
        counts[status] = counts.get(status, 0) + count
        batches.setdefault(status, set()).add(batch_index)
    return {
        "total_instance": sum(counts.values()),
        "execute_statistics": [
            {"instance_status": s, "instance_count": counts[s], "batch_indexes": sorted(batches[s])} for s in counts
        ],
    }
