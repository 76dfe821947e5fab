"""The statements of the incident hot paths (create, handle), on the fast SQL path (core/fastsql.py).

Reads other than the handle's own keep using the ORM.
"""

from opencoc.core.fastsql import Insert, Select, Update
from opencoc.incidents.models import Incident, IncidentHistory

# What the workflow writes later starts NULL.
INSERT_INCIDENT = Insert(
    Incident,
    "ON CONFLICT (incident_num) DO NOTHING RETURNING id",
    omit=(
        "acceptor",
        "solution_mtm_type",
        "solution_is_service_interrupt",
        "solution_start_time",
        "fault_recovery_time",
        "fault_delineation_time",
        "warroom_id",
        "handle_time",
        "cause",
        "solution",
        "confirm_comment",
        "phase",
        "pending_level",
        "pause_end_time",
        "approval_id",
        "task_seq",
    ),
)

INSERT_HISTORY = Insert(IncidentHistory)

SELECT_FOR_HANDLE = Select(
    Incident,
    ("id", "status", "phase", "incident_assignee", "acceptor", "creator", "start_time", "oncall_assignee"),
    "tenant_id = :tenant_id AND incident_num = :incident_num",
)

SELECT_STATUS = Select(Incident, ("status",), "id = :id")

# The handle statements write only workflow columns: what the creator gave stays as given.
# A v2 phase (a pause, an approval) holds v1's operations until it ends (incidents/v2_workflow.py).
_GUARD = "id = :id AND status = :expected AND phase IS NULL"

UPDATE_ACCEPT = Update(Incident, ("status", "update_time", "acceptor"), _GUARD)

UPDATE_COMMIT = Update(
    Incident,
    (
        "status",
        "update_time",
        "solution_mtm_type",
        "solution_is_service_interrupt",
        "solution_start_time",
        "cause",
        "solution",
        "fault_recovery_time",
        "fault_delineation_time",
        "handle_time",
    ),
    _GUARD,
)

UPDATE_CONFIRM = Update(Incident, ("status", "update_time", "confirm_comment"), _GUARD)
