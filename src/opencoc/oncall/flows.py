"""Notice and escalation steps: they read the incident and write its history (incidents is above us).

One step, in one transaction with the claim: notify who is on call at the row's level (and, first,
the incident's explicit assignees), record an escalation in the incident's history, and advance
the row. The first notice is not in the history: the assignment it reports already is (create).
"""

from sqlalchemy.orm import Session

from opencoc.core.clock import now_ms
from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums as incident_enums
from opencoc.incidents import service as incidents
from opencoc.notifications import service as notifications
from opencoc.oncall import escalation
from opencoc.oncall.models import OncallEscalation
from opencoc.oncall.service import ESCALATING_LEVELS

EVENT_ASSIGNED = "incidents.assigned"
EVENT_ESCALATED = "incidents.escalated"
OPERATOR = "opencoc-oncall"
ESCALATE_KEY = "escalate"
DEFAULT_CHANNEL = "EMAIL"


def _step(session: Session, row: OncallEscalation, console_url: str) -> None:
    try:
        incident = incidents.get_incident(session, tenant_id=row.tenant_id, incident_num=row.incident_num)
    except OpenCOCError:
        escalation.stop(row, "the incident no longer exists")
        return
    if row.steps > 0 and incident.status != incident_enums.TRIGGERED:
        escalation.stop(row, "")
        return
    at = now_ms()
    level = escalation.level_of(session, row, at)
    recipients = list(row.users) if row.steps == 0 else []
    if level is not None and level.user_id:
        recipients.append(level.user_id)
    recipients = list(dict.fromkeys(recipients))
    priority = incident_enums.LEVELS.get(incident.incident_level, (incident.incident_level,) * 2)[1]
    link = f"{console_url.rstrip('/')}/console/incidents/{incident.incident_num}"
    where = f" for scene {level.scene} role {level.role} (level {level.level})" if level is not None else ""
    problem = None
    if level is not None and not level.user_id:
        problem = f"nobody is on call for scene {level.scene} at level {level.level}" + (
            f" (role {level.role})" if level.role else " (no role at that level)"
        )
    if recipients:
        notifications.notify(
            session, tenant_id=row.tenant_id, event=EVENT_ASSIGNED if row.steps == 0 else EVENT_ESCALATED,
            channels=[level.channel if level is not None else DEFAULT_CHANNEL], recipients=recipients,
            title=f"[OpenCOC] {priority} incident {incident.incident_num}: {incident.incident_title}"[:255],
            body=(
                f"{'Escalated to you' if row.steps else 'Assigned to you'}{where}: {priority} incident"
                f" {incident.incident_num}, {incident.incident_title}, not accepted yet.\n"
                f"Open it: {link}\nAccept it: opencoc incident accept {incident.incident_num}"
            ),
        )  # fmt: skip
    if row.steps > 0:
        incidents.add_history(
            session, tenant_id=row.tenant_id, incident_num=row.incident_num, operator=OPERATOR,
            operate_key=ESCALATE_KEY,
            parameter={
                "scene": level.scene if level else None, "role": level.role if level else None,
                "level": level.level if level else None, "notified": recipients, "error": problem,
            },
        )  # fmt: skip
    row.last_error = problem
    escalation.advance(
        session, row, escalates=incident.incident_level in ESCALATING_LEVELS,
        delay_seconds=level.delay_seconds if level is not None else None,
    )  # fmt: skip


def run_due(session: Session, *, console_url: str) -> int:
    """Take the due notice rows (locked) and do one step of each -> how many were stepped."""
    rows = escalation.claim_due(session)
    for row in rows:
        _step(session, row, console_url)
    return len(rows)
