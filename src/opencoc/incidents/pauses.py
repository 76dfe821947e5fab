"""Pauses that end by themselves: an agreed v2 pause (phase PAUSED) whose `pause_end_time` has passed
resumes the incident (back to incident_handle, as a `recovery` would), recorded in the history as
`pauseEnded` by the server.

Claims are safe across replicas: on PostgreSQL the due incidents are selected `FOR UPDATE SKIP
LOCKED` and stay locked until the transaction that resumes them commits; on SQLite every write runs
in the one writer. The UPDATE is conditional too (phase and task_seq as read), so a person's
`recovery` at the same moment and the server's resume cannot both win: each pause ends once.
"""

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from opencoc.core.clock import now_ms
from opencoc.core.db import wake_after_commit
from opencoc.incidents import service
from opencoc.incidents import v2_workflow as wf
from opencoc.incidents.models import Incident

OPERATOR = "opencoc-incidents"  # the history's operator of a pause that ended by itself
WAKEUP_KEY = "incidents:pauses"  # a pause was agreed: its end is worth a look


def _due(at_ms: int) -> tuple[ColumnElement[bool], ...]:
    return (Incident.phase == wf.PAUSED, Incident.pause_end_time <= at_ms)


def any_due(session: Session) -> bool:
    """Whether a pause has ended (a read on the partial index, so an idle server takes no write lock)."""
    return session.scalar(select(Incident.id).where(*_due(now_ms())).limit(1)) is not None


def resume_due(session: Session, *, at_ms: int | None = None, limit: int = 50) -> int:
    """Resume the paused incidents whose pause ended by `at_ms` (now), locked for this transaction -> how many."""
    at = now_ms() if at_ms is None else at_ms
    rows = session.execute(
        select(Incident.id, Incident.tenant_id, Incident.incident_num, Incident.task_seq, Incident.pause_end_time)
        .where(*_due(at))
        .order_by(Incident.pause_end_time)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    resumed = 0
    for row in rows:
        done = session.execute(
            update(Incident)
            .where(Incident.id == row.id, Incident.phase == wf.PAUSED, Incident.task_seq == row.task_seq)
            .values(phase=None, pause_end_time=None, task_seq=row.task_seq + 1, update_time=now_ms())
            .execution_options(synchronize_session=False)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            continue
        resumed += 1
        service.add_history(
            session, tenant_id=row.tenant_id, incident_num=row.incident_num, operator=OPERATOR,
            operate_key=wf.RESUMED,
            parameter={
                "task_id": wf.task_id(row.incident_num, wf.PAUSED_NODE, row.task_seq), "node": wf.PAUSED_NODE.key,
                "params": {"pause_end_time": row.pause_end_time}, "changes": [],
                "status": wf.HANDLE_NODE.status, "phase": None,
            },
        )  # fmt: skip
        wake_after_commit(session, service.changes_key(row.tenant_id))
    return resumed
