"""What a person watching an order sees: every batch with its hosts (status, duration, last output
line), the operations the order's state allows, and one host's whole log.

Reads only; the console's order view (console/pages/orders.py) re-reads this when the order's
wake-up key (`wake.order_key`) is announced. Only the tail of each output is read for the
overview: a 200-host order's outputs can be 200 MB.
"""

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from opencoc.agents import service as agents_service
from opencoc.core.errors import OpenCOCError
from opencoc.jobs import reads
from opencoc.jobs import statuses as st
from opencoc.jobs.models import InstanceOutput, ScriptBatch, ScriptInstance
from opencoc.jobs.orders import INVALID, get_order

TAIL_CHARS = 400  # enough for the last line of output shown in the overview
OUTPUT_CAP_BYTES = 1024 * 1024  # what the agent keeps of a task's output (agent/output_cap.py)
# agent/output_cap.py joins the kept head and tail with this marker when output was dropped.
TRUNCATED = re.compile(r"\n\.\.\.\[(\d+) bytes truncated\]\.\.\.\n")


@dataclass(frozen=True)
class HostRun:
    """One host of a batch."""

    instance_id: int
    resource_id: str
    host_name: str
    status: str
    duration_ms: int
    last_line: str
    attempt: int


@dataclass(frozen=True)
class BatchRun:
    batch_index: int
    state: str  # READY, PROCESSING, FINISHED or SKIPPED
    rotation_strategy: str
    hosts: list[HostRun] = field(default_factory=list)


@dataclass(frozen=True)
class OrderProgress:
    order_id: int
    info: dict[str, Any]  # as GET /v1/job/script/orders/{execute_uuid} answers (sensitive values masked)
    total_batches: int
    batches: list[BatchRun]
    counts: dict[str, int]  # instances per status
    allowed: frozenset[str]  # the operations the order's status allows now

    @property
    def status(self) -> str:
        return str(self.info["status"])

    @property
    def ended(self) -> bool:
        return self.status in st.ORDER_ENDED


@dataclass(frozen=True)
class HostLog:
    execute_uuid: str
    instance_id: int
    batch_index: int
    resource_id: str
    host_name: str
    status: str
    exit_code: int | None
    attempt: int
    log: str  # output, then the reason it failed (if any)
    truncated_bytes: int  # what the agent dropped from the middle of the output (0: nothing)


def order_id_of(session: Session, *, tenant_id: int, execute_uuid: str) -> int:
    """The order's row id (its wake-up key), or COC.00040709 when the tenant has no such order."""
    return get_order(session, tenant_id=tenant_id, execute_uuid=execute_uuid).id


def _last_line(tail: str | None, error: str | None) -> str:
    """The last line that is not blank (its trailing whitespace dropped), at most 200 characters."""
    lines = (reads.message_of(tail, error) or "").rstrip().splitlines()
    return lines[-1][:200] if lines else ""


_SHOWN = (
    ScriptInstance.id,
    ScriptInstance.batch_index,
    ScriptInstance.resource_id,
    ScriptInstance.agent_sn,
    ScriptInstance.status,
    ScriptInstance.started_at,
    ScriptInstance.gmt_finished,
    ScriptInstance.error,
    ScriptInstance.attempt,
)


def order_progress(session: Session, *, tenant_id: int, execute_uuid: str, now: int) -> OrderProgress:
    """The order, its batches and every host's state and last line of output."""
    info = reads.order_info(session, tenant_id=tenant_id, execute_uuid=execute_uuid, now=now)
    order = get_order(session, tenant_id=tenant_id, execute_uuid=execute_uuid)
    batches = list(session.scalars(select(ScriptBatch).where(ScriptBatch.order_id == order.id)))
    length = func.length(InstanceOutput.output)
    tail = func.substr(InstanceOutput.output, case((length > TAIL_CHARS, length - TAIL_CHARS + 1), else_=1))
    # the columns shown, not whole instances and agents: for 200 hosts the ORM rows cost more than the SQL
    rows = session.execute(
        select(*_SHOWN, tail)
        .outerjoin(InstanceOutput, InstanceOutput.instance_id == ScriptInstance.id)
        .where(ScriptInstance.order_id == order.id)
        .order_by(ScriptInstance.batch_index, ScriptInstance.id)
    ).all()
    names = agents_service.hostnames_by_sns(session, tenant_id=tenant_id, agent_sns={row.agent_sn for row in rows})
    hosts: dict[int, list[HostRun]] = {}
    counts: dict[str, int] = dict.fromkeys(st.INSTANCE_STATUSES, 0)
    for inst_id, batch_index, resource_id, agent_sn, status, started, finished, error, attempt, out_tail in rows:
        counts[status] = counts.get(status, 0) + 1
        hosts.setdefault(batch_index, []).append(
            HostRun(
                instance_id=inst_id,
                resource_id=resource_id,
                host_name=names.get(agent_sn, resource_id),
                status=status,
                duration_ms=0 if started is None else (finished or now) - started,
                last_line=_last_line(out_tail, error),
                attempt=attempt,
            )
        )
    return OrderProgress(
        order_id=order.id,
        info=info,
        total_batches=order.total_batches,
        batches=[
            BatchRun(b.batch_index, reads.batch_state(b), b.rotation_strategy, hosts.get(b.batch_index, []))
            for b in sorted(batches, key=lambda b: b.batch_index)
        ],
        counts=counts,
        allowed=frozenset(op for op, statuses in st.ORDER_ALLOWS.items() if order.status in statuses),
    )


def host_log(session: Session, *, tenant_id: int, execute_uuid: str, instance_id: int) -> HostLog:
    """One host's whole log in the order; COC.00040709 / COC.00040701 when the order or host is not there."""
    order = get_order(session, tenant_id=tenant_id, execute_uuid=execute_uuid)
    inst = session.scalar(
        select(ScriptInstance).where(ScriptInstance.id == instance_id, ScriptInstance.order_id == order.id)
    )
    if inst is None:
        raise OpenCOCError(INVALID, f"instance_id {instance_id} is not an instance of order {execute_uuid}")
    output = session.scalar(select(InstanceOutput.output).where(InstanceOutput.instance_id == inst.id))
    agent = agents_service.get_by_sn(session, tenant_id=tenant_id, agent_sn=inst.agent_sn)
    dropped = TRUNCATED.search(output or "")
    return HostLog(
        execute_uuid=order.execute_uuid,
        instance_id=inst.id,
        batch_index=inst.batch_index,
        resource_id=inst.resource_id,
        host_name=agent.hostname if agent else inst.resource_id,
        status=inst.status,
        exit_code=inst.exit_code,
        attempt=inst.attempt,
        log=reads.message_of(output, inst.error) or "",
        truncated_bytes=int(dropped[1]) if dropped else 0,
    )
