"""Escalation steps: they read the incident and write its history (incidents is above us).

One step, in one transaction with the claim: notify who is on call at the row's level, record an
`escalate` entry in the incident's history, and advance the row (escalation.py).
"""

from sqlalchemy.orm import Session

from opencoc.core.clock import now_ms
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums as incident_enums
from opencoc.incidents import service as incidents
from opencoc.notifications import service as notifications
from opencoc.oncall import escalation
from opencoc.oncall.models import OncallEscalation
from opencoc.oncall.service import ESCALATING_LEVELS, incident_level_name, notice

EVENT_ESCALATED = "incidents.escalated"
OPERATOR = "opencoc-oncall"
ESCALATE_KEY = "escalate"


def _step(session: Session, row: OncallEscalation, console_url: str) -> bool:
    """One step of the row -> whether a notice was queued."""
    try:
        incident = incidents.get_incident(session, tenant_id=row.tenant_id, incident_num=row.incident_num)
    except OpenCOCError:
        escalation.stop(row, "the incident no longer exists")
        return False
    if incident.status != incident_enums.TRIGGERED:
        escalation.stop(row, "")
        return False
    level = escalation.level_of(session, row, now_ms())
    if level is None:
        escalation.stop(row, "the scene was removed")
        return False
    problem = None
    if level.user_id is None:
        role = f"role {level.role}" if level.role else "no role at that level"
        problem = f"nobody is on call for scene {level.scene} at level {level.level} ({role})"
    else:
        title, body = notice(
            incident_num=incident.incident_num, title=incident.incident_title,
            level=incident_level_name(incident.incident_level), console_url=console_url,
            why=f"Escalated to you (scene {level.scene}, role {level.role}, level {level.level})",
        )  # fmt: skip
        notifications.notify(
            session, tenant_id=row.tenant_id, event=EVENT_ESCALATED, channels=[level.channel],
            recipients=[level.user_id], title=title, body=body,
        )  # fmt: skip
    incidents.add_history(
        session, tenant_id=row.tenant_id, incident_num=row.incident_num, operator=OPERATOR, operate_key=ESCALATE_KEY,
        parameter={
            "scene": level.scene, "role": level.role, "level": level.level,
            "notified": [level.user_id] if level.user_id else [], "error": problem,
        },
    )  # fmt: skip
    row.last_error = problem
    escalation.advance(
        session, row, escalates=incident.incident_level in ESCALATING_LEVELS, delay_seconds=level.delay_seconds
    )
    return level.user_id is not None


def run_due(session: Session, *, console_url: str) -> tuple[int, int]:
    """Take the due escalation rows (locked) and do one step of each -> (rows stepped, notices queued)."""
    rows = escalation.claim_due(session)
    return len(rows), sum(_step(session, row, console_url) for row in rows)
