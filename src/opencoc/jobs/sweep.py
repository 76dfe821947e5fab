"""The once-a-second safety net behind the event-driven dispatcher (see docs/jobs.md).

Results move orders on in their own transaction; the sweep catches what that path cannot:
- due work committed by another replica or before a restart: its agents are woken here;
- a PROCESSING order with nothing running (e.g. a replica died between two steps): advanced;
- an instance whose agent has been OFFLINE longer than the grace
  (`agent_offline_after_seconds`): PROCESSING -> ABNORMAL "agent lost", due READY -> "agent offline";
- an instance running far past its timeout with no result (a task whose hand-out response was
  lost): ABNORMAL after timeout + grace + RESULT_SLACK_S.
"""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from opencoc.agents import service as agents_service
from opencoc.jobs import dispatcher
from opencoc.jobs import statuses as st
from opencoc.jobs.models import ScriptInstance, ScriptOrder
from opencoc.jobs.tasks import CANCEL_RESEND_MS

RESULT_SLACK_S = 30
_due = (ScriptInstance.status == st.READY) & ScriptInstance.queued_at.is_not(None)


def agents_with_work(session: Session, now: int) -> list[str]:
    """Agents that have due tasks or unsent cancels."""
    cancels = (
        (ScriptInstance.status == st.PROCESSING)
        & ScriptInstance.cancel_requested.is_(True)
        & (ScriptInstance.cancel_sent_at.is_(None) | (ScriptInstance.cancel_sent_at < now - CANCEL_RESEND_MS))
    )
    return list(session.scalars(select(ScriptInstance.agent_sn).where(_due | cancels).distinct()))


def stalled_orders(session: Session) -> list[int]:
    """PROCESSING orders with no task due or running."""
    active = exists().where(ScriptInstance.order_id == ScriptOrder.id, (ScriptInstance.status == st.PROCESSING) | _due)
    return list(session.scalars(select(ScriptOrder.id).where(ScriptOrder.status == st.PROCESSING, ~active)))


def lost_instances(session: Session, now: int, grace_s: float) -> list[tuple[int, int, str]]:
    """(order id, instance id, reason) of due or running instances that cannot end by themselves."""
    offline_since = agents_service.online_since(now, grace_s)
    agents = agents_service.last_seen_times()
    gone = (
        select(ScriptInstance.order_id, ScriptInstance.id, ScriptInstance.status)
        .join(agents, agents.c.agent_sn == ScriptInstance.agent_sn)
        .where((ScriptInstance.status == st.PROCESSING) | _due, agents.c.last_seen_at < offline_since)
    )
    out = [
        (order_id, inst_id, "agent lost" if status == st.PROCESSING else "agent offline")
        for order_id, inst_id, status in session.execute(gone)
    ]
    overdue = (
        select(ScriptInstance.order_id, ScriptInstance.id)
        .join(ScriptOrder, ScriptOrder.id == ScriptInstance.order_id)
        .where(
            ScriptInstance.status == st.PROCESSING,
            ScriptInstance.started_at + (ScriptOrder.timeout + int(grace_s) + RESULT_SLACK_S) * 1000 < now,
        )
    )
    seen = {i for _, i, _ in out}
    out += [(o, i, "no result from the agent") for o, i in session.execute(overdue) if i not in seen]
    return out


def fail_instance(session: Session, order_id: int, inst_id: int, reason: str, now: int, grace_s: float) -> set[str]:
    """End one lost instance as ABNORMAL and move its order on."""
    order = dispatcher.lock_order(session, order_id)
    inst = session.get_one(ScriptInstance, inst_id)
    if inst.status not in (st.READY, st.PROCESSING):
        return set()
    if not dispatcher.end_instance(session, inst, inst.status, st.ABNORMAL, now, reason):
        return set()
    return dispatcher.advance(session, order, now, grace_s)


def fail_agent_instances(session: Session, agent_sn: str, reason: str, now: int, grace_s: float) -> set[str]:
    """End every due, running or waiting instance of one agent as ABNORMAL and move their orders on."""
    stmt = select(ScriptInstance.order_id, ScriptInstance.id).where(
        ScriptInstance.agent_sn == agent_sn, ScriptInstance.status.in_((st.READY, st.PROCESSING))
    )
    woken: set[str] = set()
    for order_id, inst_id in session.execute(stmt).all():
        woken |= fail_instance(session, order_id, inst_id, reason, now, grace_s)
    return woken


def advance_order(session: Session, order_id: int, now: int, grace_s: float) -> set[str]:
    return dispatcher.advance(session, dispatcher.lock_order(session, order_id), now, grace_s)
