"""PUT /v1/job/script/orders/{execute_uuid}/operation: one handler per operation_type.

`statuses.ORDER_ALLOWS` / `INSTANCE_ALLOWS` say which statuses each operation fits; anything
else is a 400 that names the operation and the status. Each handler runs with the order locked
and returns the agents to wake (new tasks or cancels).
"""

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.orm import Session

from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core.errors import OpenCOCError
from opencoc.jobs import dispatcher, wake
from opencoc.jobs import statuses as st
from opencoc.jobs.models import InstanceOutput, ScriptBatch, ScriptInstance, ScriptOrder
from opencoc.jobs.orders import INVALID, get_order
from opencoc.jobs.schemas import JobScriptOrderOperationBody

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit; a larger instance_id names nothing


@dataclass
class _Ctx:
    """What an operation handler works on."""

    session: Session
    order: ScriptOrder
    body: JobScriptOrderOperationBody
    caller: Caller
    now: int
    grace: float
    hand: dispatcher.HandOut | None

    def advance(self) -> set[str]:
        return dispatcher.advance(self.session, self.order, self.now, self.grace, hand=self.hand)

    def instance(self) -> ScriptInstance:
        op, inst_id = self.body.operation_type, self.body.instance_id
        if inst_id is None:
            raise OpenCOCError(INVALID, f"instance_id must not be null for operation_type {op}")
        inst = (
            self.session.scalar(
                select(ScriptInstance).where(ScriptInstance.id == inst_id, ScriptInstance.order_id == self.order.id)
            )
            if inst_id <= MAX_ROW_ID
            else None
        )
        if inst is None:
            raise OpenCOCError(INVALID, f"instance_id {inst_id} is not an instance of order {self.order.execute_uuid}")
        if inst.status not in st.INSTANCE_ALLOWS[op]:
            raise OpenCOCError(
                INVALID, f"operation_type {op} is not allowed: instance {inst_id} status is {inst.status}"
            )
        return inst

    def batch(self, batch_index: int) -> ScriptBatch:
        batch = self.session.scalar(
            select(ScriptBatch).where(ScriptBatch.order_id == self.order.id, ScriptBatch.batch_index == batch_index)
        )
        if batch is None:
            raise OpenCOCError(INVALID, f"batch_index {batch_index} is not a batch of order {self.order.execute_uuid}")
        return batch


def _stop(ctx: _Ctx, instances: list[ScriptInstance], error: str) -> set[str]:
    """End READY instances as CANCELED now; ask the agents of running ones to kill them."""
    woken: set[str] = set()
    for inst in instances:
        if inst.status == st.READY:
            dispatcher.end_instance(ctx.session, inst, st.READY, st.CANCELED, ctx.now, error)
        elif inst.status == st.PROCESSING and not inst.cancel_requested:
            ctx.session.execute(
                update(ScriptInstance)
                .where(ScriptInstance.id == inst.id, ScriptInstance.status == st.PROCESSING)
                .values(cancel_requested=True, cancel_sent_at=None, error=error)
            )
            woken.add(inst.agent_sn)
    return woken


def _open(ctx: _Ctx, *where: ColumnElement[bool]) -> list[ScriptInstance]:
    stmt = select(ScriptInstance).where(
        ScriptInstance.order_id == ctx.order.id, ScriptInstance.status.in_((st.READY, st.PROCESSING)), *where
    )
    return list(ctx.session.scalars(stmt.order_by(ScriptInstance.id)))


def _cancel_instance(ctx: _Ctx) -> set[str]:
    woken = _stop(ctx, [ctx.instance()], f"canceled by {ctx.caller.user_name}")
    return woken | ctx.advance()


def _skip_batch(ctx: _Ctx) -> set[str]:
    batch = ctx.batch(ctx.body.batch_index or ctx.order.current_batch_index)
    if batch.skipped or batch.finished_at is not None:
        state = "skipped" if batch.skipped else "finished"
        raise OpenCOCError(INVALID, f"operation_type SKIP_BATCH is not allowed: batch {batch.batch_index} is {state}")
    batch.skipped = True
    ctx.session.flush()
    woken = _stop(ctx, _open(ctx, ScriptInstance.batch_index == batch.batch_index), "batch skipped")
    return woken | ctx.advance()


def _cancel_order(ctx: _Ctx) -> set[str]:
    dispatcher.set_order_status(ctx.session, ctx.order, st.CANCELED, ctx.now, f"canceled by {ctx.caller.user_name}")
    return _stop(ctx, _open(ctx), "order canceled")


def _pause_order(ctx: _Ctx) -> set[str]:
    dispatcher.set_order_status(ctx.session, ctx.order, st.PAUSED, ctx.now, f"paused by {ctx.caller.user_name}")
    return set()


def _continue_order(ctx: _Ctx) -> set[str]:
    dispatcher.set_order_status(ctx.session, ctx.order, st.PROCESSING, ctx.now)
    return ctx.advance()


def _retry_instance(ctx: _Ctx) -> set[str]:
    inst = ctx.instance()
    batch = ctx.batch(inst.batch_index)
    if batch.started_at is None or batch.skipped:
        raise OpenCOCError(
            INVALID, f"operation_type RETRY_INSTANCE is not allowed: batch {batch.batch_index} has not run"
        )
    ctx.session.execute(delete(InstanceOutput).where(InstanceOutput.instance_id == inst.id))
    if ctx.order.status == st.ABNORMAL:
        dispatcher.set_order_status(ctx.session, ctx.order, st.PROCESSING, ctx.now)
    woken = dispatcher.queue(ctx.session, ctx.order, [(inst.id, inst.agent_sn)], ctx.now, ctx.grace)
    return woken | ctx.advance()


HANDLERS: dict[str, Callable[[_Ctx], set[str]]] = {
    "CANCEL_INSTANCE": _cancel_instance,
    "SKIP_BATCH": _skip_batch,
    "CANCEL_ORDER": _cancel_order,
    "PAUSE_ORDER": _pause_order,
    "CONTINUE_ORDER": _continue_order,
    "RETRY_INSTANCE": _retry_instance,
}


def operate(
    session: Session,
    *,
    caller: Caller,
    execute_uuid: str,
    body: JobScriptOrderOperationBody,
    now: int,
    offline_after_s: float,
    hand: dispatcher.HandOut | None = None,
) -> set[str]:
    """Apply one operation to the caller's order (the batches it starts handed out by `hand` where it can); the
    agents to wake."""
    require(caller, "orders.operate")
    order = dispatcher.lock_order(session, get_order(session, tenant_id=caller.tenant_id, execute_uuid=execute_uuid).id)
    op = body.operation_type
    if order.status not in st.ORDER_ALLOWS[op]:
        raise OpenCOCError(INVALID, f"operation_type {op} is not allowed: order status is {order.status}")
    wake.changed(session, order.id)
    return HANDLERS[op](_Ctx(session, order, body, caller, now, offline_after_s, hand))
