"""The order state machine: start a batch, close it, gate the next one, end the order.

Every function here runs inside the caller's write transaction, with the order row locked
(`lock_order`: SELECT ... FOR UPDATE on PostgreSQL; SQLite writers are serialised anyway), so two
replicas applying the last two results of a batch cannot both miss (or both take) the next step.
Status changes are conditional UPDATEs (`WHERE status = <expected>`), never blind writes.
Each function returns the agent serial numbers that have new work or cancels; the caller wakes
them with `wakeups.notify(f"agent:{sn}")` after the commit.

A batch closes and the next one starts in one step, on the path of the result that ended the
batch, so these are prebuilt Core statements on the batch and instance rows (ORM queries and
flushes were most of a result's cost on the writer); the order stays an ORM object, locked.
"""

import functools
import secrets
from dataclasses import dataclass
from typing import Protocol, cast

from sqlalchemy import Table, Update, and_, bindparam, func, or_, select, update
from sqlalchemy.orm import Session

from opencoc.agents import service as agents_service
from opencoc.jobs import per_row, wake
from opencoc.jobs import statuses as st
from opencoc.jobs.models import ScriptBatch, ScriptInstance, ScriptOrder

_B = cast(Table, ScriptBatch.__table__)
_I = cast(Table, ScriptInstance.__table__)
# The batch that ends and the one after it, read together.
_BATCHES = (
    select(_B.c.id, _B.c.batch_index, _B.c.skipped, _B.c.started_at, _B.c.finished_at, _B.c.rotation_strategy)
    .where(_B.c.order_id == bindparam("order_id"), _B.c.batch_index >= bindparam("index"))
    .order_by(_B.c.batch_index)
    .limit(2)
)
# A batch's start and end times, written once `advance` is done: the batch that ends and the one that starts,
# one statement for both (a start is written as given; an end only where the batch has none yet).
_BATCH_TIMES = (
    update(_B)
    .where(_B.c.id == bindparam("batch_id"))
    .values(
        started_at=func.coalesce(bindparam("started", type_=_B.c.started_at.type), _B.c.started_at),
        finished_at=func.coalesce(_B.c.finished_at, bindparam("finished", type_=_B.c.finished_at.type)),
    )
)


@functools.cache
def _new_runs_statement(status: str, size: int) -> Update:
    """The UPDATE that gives `size` instances (jobs/per_row.py) each its new task (`:task<k>`), queued `now`: due
    (READY), or handed out (PROCESSING, started now). Built once per shape."""
    ids = per_row.ids(size)
    return (
        update(_I)
        .where(_I.c.id.in_(ids))
        .values(
            status=status,
            task_id=per_row.by_id(ids, "task", _I.c.task_id),
            attempt=_I.c.attempt + 1,
            queued_at=bindparam("now"),
            started_at=bindparam("now") if status == st.PROCESSING else None,
            gmt_finished=None,
            exit_code=None,
            error=None,
            cancel_requested=False,
            cancel_sent_at=None,
        )
    )


def new_runs(session: Session, runs: dict[int, str], status: str, now: int) -> None:
    """Give these instances (id -> new task id) their new tasks in `status`: READY (due: its agent's claim hands it
    out) or PROCESSING (handed out in this write: jobs/handout.py)."""
    rows = [{"id": inst_id, "task": task_id} for inst_id, task_id in runs.items()]
    session.execute(_new_runs_statement(status, per_row.padded(len(rows))), per_row.params(rows) | {"now": now})


_OFFLINE = (
    update(_I)
    .where(_I.c.id.in_(bindparam("ids", expanding=True)))
    .values(status=st.ABNORMAL, error="agent offline", gmt_finished=bindparam("now"), queued_at=None)
)
# The instances' statuses counted from their (order_id, batch_index, status) index alone: a skipped batch is left
# out by its index, not by a join to every batch row.
_SKIPPED = select(_B.c.batch_index).where(_B.c.order_id == bindparam("order_id"), _B.c.skipped.is_(True))
_COUNTS = (
    select(_I.c.status, func.count())
    .where(
        _I.c.order_id == bindparam("order_id"),
        _I.c.batch_index <= bindparam("upto"),
        _I.c.batch_index.not_in(_SKIPPED.scalar_subquery()),
    )
    .group_by(_I.c.status)
)
_ONLINE = agents_service.is_online(_I.c.agent_sn, seen_since=bindparam("seen_since"))
# A batch's waiting instances, each with whether its agent is ONLINE.
_WAITING = select(_I.c.id, _I.c.agent_sn, _ONLINE).where(
    _I.c.order_id == bindparam("order_id"), _I.c.batch_index == bindparam("index"), _I.c.status == st.READY
)
_ACTIVE = select(func.count()).where(
    _I.c.order_id == bindparam("order_id"),
    or_(_I.c.status == st.PROCESSING, and_(_I.c.status == st.READY, _I.c.queued_at.is_not(None))),
)


class HandOut(Protocol):
    """Hands a starting batch's tasks straight to the polls of their agents waiting here (jobs/handout.py)."""

    def take(self, session: Session, order: ScriptOrder, instances: list[tuple[int, str]], now: int) -> set[int]:
        """Hand out what it can of these (id, agent_sn) instances' new tasks (`new_runs`): the ids it handed."""
        ...


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


def _queue_split(
    session: Session,
    order: ScriptOrder,
    online: list[tuple[int, str]],
    offline: list[int],
    now: int,
    hand: HandOut | None = None,
) -> set[str]:
    """Give the online agents' (id, agent_sn) instances new tasks, handed out by `hand` where it can and due
    (READY) otherwise; the offline agents' instances fail at once. The agents to wake (those with due tasks)."""
    handed = hand.take(session, order, online, now) if hand is not None and online else set()
    due = [(i, sn) for i, sn in online if i not in handed]
    if due:
        new_runs(session, {i: secrets.token_hex(16) for i, _ in due}, st.READY, now)
    if offline:
        session.execute(_OFFLINE, {"ids": offline, "now": now})
    wake.changed(session, order.id)
    return {sn for _, sn in due}


def queue(
    session: Session, order: ScriptOrder, instances: list[tuple[int, str]], now: int, offline_after_s: float
) -> set[str]:
    """Make these (id, agent_sn) instances' tasks due (READY, new task id); an offline agent's instance fails
    at once. The agents to wake."""
    online = agents_service.online_sns(
        session,
        tenant_id=order.tenant_id,
        agent_sns=(sn for _, sn in instances),
        now_ms=now,
        offline_after_s=offline_after_s,
    )
    up = [(i, sn) for i, sn in instances if sn in online]
    return _queue_split(session, order, up, [i for i, sn in instances if sn not in online], now)


def _queue_batch(
    session: Session, order: ScriptOrder, index: int, now: int, offline_after_s: float, hand: HandOut | None
) -> tuple[bool, set[str]]:
    """`queue` the batch's waiting instances, read with their agents' liveness in one query (and handed out by
    `hand` where it can): whether any now runs or is due, and the agents to wake."""
    params = {
        "order_id": order.id,
        "index": index,
        "seen_since": agents_service.online_since(now, offline_after_s),
    }
    waiting = session.execute(_WAITING, params).all()
    online = [(i, sn) for i, sn, up in waiting if up]
    return bool(online), _queue_split(session, order, online, [i for i, _, up in waiting if not up], now, hand)


def active_count(session: Session, order_id: int) -> int:
    """Instances whose task is due or running."""
    return int(session.execute(_ACTIVE, {"order_id": order_id}).scalar_one())


@dataclass(slots=True)
class _Batch:
    id: int
    batch_index: int
    skipped: bool
    started_at: int | None
    finished_at: int | None
    rotation_strategy: str


def _counts(session: Session, order_id: int, upto_batch: int) -> tuple[int, int]:
    """(FINISHED, all) instances of the run (not skipped) batches up to `upto_batch`."""
    counts: dict[str, int] = dict(session.execute(_COUNTS, {"order_id": order_id, "upto": upto_batch}).all())
    return counts.get(st.FINISHED, 0), sum(counts.values())


def _gate(session: Session, order: ScriptOrder, batch: _Batch) -> str | None:
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


class _Batches:
    """An order's batch rows as `advance` moves through them, read two at a time (the one ending, the next)."""

    def __init__(self, session: Session, order_id: int) -> None:
        self.session = session
        self.order_id = order_id
        self.rows: dict[int, _Batch] = {}

    def __getitem__(self, index: int) -> _Batch:
        if index not in self.rows:
            for row in self.session.execute(_BATCHES, {"order_id": self.order_id, "index": index}):
                self.rows[row.batch_index] = _Batch(*row)
        return self.rows[index]


def _set_time(times: dict[int, dict[str, int | None]], batch: _Batch, which: str, now: int) -> None:
    """Note the batch's start or end time (`which`) in its _BATCH_TIMES row."""
    times.setdefault(batch.id, {"batch_id": batch.id, "started": None, "finished": None})[which] = now


def advance(
    session: Session,
    order: ScriptOrder,
    now: int,
    offline_after_s: float,
    *,
    idle: bool = False,
    hand: HandOut | None = None,
) -> set[str]:
    """Take a PROCESSING order as far as it can go now; the agents to wake. `idle`: the caller has just found
    none of the order's tasks due or running (`active_count`), so it is not counted again. `hand`: what
    hands a starting batch's tasks out in this write, where it can."""
    session.flush()  # the caller's ORM changes (an operation's) are what the statements below read
    woken: set[str] = set()
    batches = _Batches(session, order.id)
    times: dict[int, dict[str, int | None]] = {}  # batch id -> its _BATCH_TIMES row (no statement reads them here)
    while order.status == st.PROCESSING:
        index = order.current_batch_index
        batch = batches[index]
        last = index >= order.total_batches
        if batch.skipped:
            if last:
                _finish(session, order, now)
            else:
                order.current_batch_index += 1
            continue
        if batch.started_at is None:
            _set_time(times, batch, "started", now)
            batch.started_at = now
            started, due = _queue_batch(session, order, index, now, offline_after_s, hand)
            woken |= due
            if started:  # its tasks are due or handed out: the next step comes with their results
                break
            continue
        if idle:
            idle = False
        elif active_count(session, order.id):
            break
        if batch.finished_at is None:
            _set_time(times, batch, "finished", now)
            batch.finished_at = now
        if last:
            _finish(session, order, now)
            break
        reason = _gate(session, order, batch)
        order.current_batch_index += 1
        if reason is not None:
            set_order_status(session, order, st.PAUSED, now, reason)
    if times:
        session.execute(_BATCH_TIMES, list(times.values()))
    session.flush()
    return woken
