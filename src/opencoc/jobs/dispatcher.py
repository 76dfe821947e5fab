"""The order state machine: start a batch, close it, gate the next one, end the order.

Every function here runs inside the caller's write transaction, with the order row locked
(`lock_order`: SELECT ... FOR UPDATE on PostgreSQL; SQLite writers are serialised anyway), so two
replicas applying the last two results of a batch cannot both miss (or both take) the next step.
Status changes are conditional UPDATEs (`WHERE status = <expected>`), never blind writes.
Each function returns the agent serial numbers that have new work or cancels; the caller wakes
them with `wakeups.notify(f"agent:{sn}")` after the commit.
"""

import secrets

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from opencoc.agents import service as agents_service
from opencoc.jobs import statuses as st
from opencoc.jobs import wake
from opencoc.jobs.models import ScriptBatch, ScriptInstance, ScriptOrder


def lock_order(session: Session, order_id: int) -> ScriptOrder:
    """The order row, locked for the rest of the transaction."""
    stmt = (
        select(ScriptOrder)
        .where(ScriptOrder.id == order_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return session.scalars(stmt).one()


def set_order_status(session: Session, order: ScriptOrder, new: str, now: int, reason: str | None = None) -> bool:
    """Move the order from its current status to `new` (conditional UPDATE); False if it had moved."""
    values: dict[str, object] = {"status": new, "reason": reason}
    if new in st.ORDER_ENDED:
        values["gmt_finished"] = now
    elif order.gmt_finished is not None:
        values["gmt_finished"] = None
    done = session.execute(
        update(ScriptOrder)
        .where(ScriptOrder.id == order.id, ScriptOrder.status == order.status)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    for key, value in values.items():
        setattr(order, key, value)
    wake.changed(session, order.id)
    return True


def end_instance(
    session: Session, instance: ScriptInstance, frm: str, status: str, now: int, error: str | None
) -> bool:
    """Move one instance from `frm` to an end status (conditional UPDATE)."""
    done = session.execute(
        update(ScriptInstance)
        .where(ScriptInstance.id == instance.id, ScriptInstance.status == frm)
        .values(status=status, error=error, gmt_finished=now, cancel_requested=False)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        return False
    instance.status, instance.error, instance.gmt_finished, instance.cancel_requested = status, error, now, False
    wake.changed(session, instance.order_id)
    return True


def queue(
    session: Session, order: ScriptOrder, instances: list[ScriptInstance], now: int, offline_after_s: float
) -> set[str]:
    """Make the instances' tasks due (READY, new task id); an offline agent's instance fails at once."""
    agents = agents_service.by_sns(session, tenant_id=order.tenant_id, agent_sns=(i.agent_sn for i in instances))
    woken: set[str] = set()
    for inst in instances:
        agent = agents.get(inst.agent_sn)
        if agent is None or agents_service.state_of(agent, now, offline_after_s) != agents_service.ONLINE:
            inst.status, inst.error, inst.gmt_finished, inst.queued_at = st.ABNORMAL, "agent offline", now, None
            continue
        inst.status = st.READY
        inst.task_id = secrets.token_hex(16)
        inst.attempt += 1
        inst.queued_at, inst.started_at, inst.gmt_finished = now, None, None
        inst.exit_code = inst.error = None
        inst.cancel_requested, inst.cancel_sent_at = False, None
        woken.add(inst.agent_sn)
    session.flush()
    wake.changed(session, order.id)
    return woken


def _batch(session: Session, order_id: int, batch_index: int) -> ScriptBatch:
    stmt = select(ScriptBatch).where(ScriptBatch.order_id == order_id, ScriptBatch.batch_index == batch_index)
    return session.scalars(stmt).one()


def active_count(session: Session, order_id: int) -> int:
    """Instances whose task is due or running."""
    stmt = select(func.count()).where(
        ScriptInstance.order_id == order_id,
        (ScriptInstance.status == st.PROCESSING)
        | ((ScriptInstance.status == st.READY) & ScriptInstance.queued_at.is_not(None)),
    )
    return int(session.scalar(stmt) or 0)


def _counts(session: Session, order_id: int, upto_batch: int) -> tuple[int, int]:
    """(FINISHED, all) instances of the run (not skipped) batches up to `upto_batch`."""
    stmt = (
        select(ScriptInstance.status, func.count())
        .join(
            ScriptBatch,
            (ScriptBatch.order_id == ScriptInstance.order_id) & (ScriptBatch.batch_index == ScriptInstance.batch_index),
        )
        .where(
            ScriptInstance.order_id == order_id,
            ScriptInstance.batch_index <= upto_batch,
            ScriptBatch.skipped.is_(False),
        )
        .group_by(ScriptInstance.status)
    )
    counts: dict[str, int] = dict(session.execute(stmt).all())
    return counts.get(st.FINISHED, 0), sum(counts.values())


def _gate(session: Session, order: ScriptOrder, batch: ScriptBatch) -> str | None:
    """Why the order must pause after this batch, or None to go on."""
    finished, total = _counts(session, order.id, batch.batch_index)
    # finished/total*100 < success_rate, in integers (success_rate has one decimal)
    if total and finished * 1000 < round(order.success_rate * 10) * total:
        rate = finished * 100 / total
        return (
            f"success rate {rate:.1f}% after batch {batch.batch_index} is below the threshold {order.success_rate:g}%"
        )
    if batch.rotation_strategy == st.PAUSE:
        return f"batch {batch.batch_index} finished; its rotation_strategy is PAUSE"
    return None


def _finish(session: Session, order: ScriptOrder, now: int) -> None:
    finished, total = _counts(session, order.id, order.total_batches)
    if finished == total:
        set_order_status(session, order, st.FINISHED, now)
    else:
        set_order_status(session, order, st.ABNORMAL, now, f"{total - finished} of {total} instances did not finish")


def advance(session: Session, order: ScriptOrder, now: int, offline_after_s: float) -> set[str]:
    """Take a PROCESSING order as far as it can go now; the agents to wake."""
    woken: set[str] = set()
    while order.status == st.PROCESSING:
        batch = _batch(session, order.id, order.current_batch_index)
        last = order.current_batch_index >= order.total_batches
        if batch.skipped:
            if last:
                _finish(session, order, now)
            else:
                order.current_batch_index += 1
            continue
        if batch.started_at is None:
            batch.started_at = now
            pending = session.scalars(
                select(ScriptInstance).where(
                    ScriptInstance.order_id == order.id,
                    ScriptInstance.batch_index == batch.batch_index,
                    ScriptInstance.status == st.READY,
                )
            ).all()
            woken |= queue(session, order, list(pending), now, offline_after_s)
            continue
        if active_count(session, order.id):
            break
        if batch.finished_at is None:
            batch.finished_at = now
        if last:
            _finish(session, order, now)
            break
        reason = _gate(session, order, batch)
        order.current_batch_index += 1
        if reason is not None:
            set_order_status(session, order, st.PAUSED, now, reason)
    session.flush()
    return woken
