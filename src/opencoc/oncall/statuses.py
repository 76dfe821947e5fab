"""States of an incident's notices (oncall_escalations.status)."""

from typing import Literal

EscalationStatus = Literal["PENDING", "DONE", "STOPPED"]
PENDING: EscalationStatus = "PENDING"
DONE: EscalationStatus = "DONE"  # every level was notified
STOPPED: EscalationStatus = "STOPPED"  # the incident was accepted (or is gone) before the next level
STATUSES: tuple[EscalationStatus, ...] = (PENDING, DONE, STOPPED)
