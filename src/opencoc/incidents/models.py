"""Tables of the incidents domain: incidents and their append-only history.

The columns a creator gives (region .. start_time) are never changed by the workflow: the
Terraform resource reads them back and treats any change as drift it cannot apply. What the
workflow learns lives beside them: who accepted (`acceptor`) and the latest solution
(`solution_*`, `cause`, `solution`, `fault_recovery_time`, `fault_delineation_time`).
The v2 actions (incidents/v2_workflow.py) change the level and the assignee by design, and keep
their own state: `phase` (a pause or level-change approval, or a pause, under ACKNOWLEDGED), what
it waits for (`pending_level`, `pause_end_time`, `approval_id`) and `task_seq`, which every v2
state change advances, so a task id names one visit of one node and a stale one is refused.
"""

from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_tenant_id_create_time", "tenant_id", "create_time"),
        # covers the console's counts per status and open counts per level (incidents/search.py)
        Index("ix_incidents_tenant_id_status_level", "tenant_id", "status", "incident_level"),
        # the paused incidents by the end of their pause (incidents/pauses.py); partial: a create,
        # whose phase is NULL, writes no entry
        Index(
            "ix_incidents_paused_until",
            "pause_end_time",
            sqlite_where=text("phase = 'PAUSED'"),
            postgresql_where=text("phase = 'PAUSED'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    incident_num: Mapped[str] = mapped_column(String(32), unique=True)
    project_id: Mapped[str | None] = mapped_column(String(64))
    region: Mapped[list[str]] = mapped_column(JSON)
    enterprise_project: Mapped[list[str]] = mapped_column(JSON)
    current_cloud_service: Mapped[list[str]] = mapped_column(JSON)
    incident_level: Mapped[str] = mapped_column(String(255))
    is_service_interrupt: Mapped[bool] = mapped_column(Boolean)
    incident_type: Mapped[str] = mapped_column(String(255))
    incident_title: Mapped[str] = mapped_column(String(200))
    incident_description: Mapped[str] = mapped_column(String(600))
    incident_source: Mapped[str] = mapped_column(String(255))
    incident_assignee: Mapped[list[str]] = mapped_column(JSON)
    assignee_scene: Mapped[str | None] = mapped_column(String(255))
    assignee_role: Mapped[str | None] = mapped_column(String(255))
    incident_ownership: Mapped[str | None] = mapped_column(String(255))
    creator: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(64))
    start_time: Mapped[int | None] = mapped_column(BigInteger)
    acceptor: Mapped[str | None] = mapped_column(String(255))
    # who the scene and role put on call at creation (never written into incident_assignee: see workflow.py)
    oncall_assignee: Mapped[str | None] = mapped_column(String(255))
    solution_mtm_type: Mapped[str | None] = mapped_column(String(255))
    solution_is_service_interrupt: Mapped[bool | None] = mapped_column(Boolean)
    solution_start_time: Mapped[int | None] = mapped_column(BigInteger)
    fault_recovery_time: Mapped[int | None] = mapped_column(BigInteger)
    fault_delineation_time: Mapped[int | None] = mapped_column(BigInteger)
    warroom_id: Mapped[str | None] = mapped_column(String(255))
    handle_time: Mapped[int | None] = mapped_column(BigInteger)
    cause: Mapped[str | None] = mapped_column(Text)
    solution: Mapped[str | None] = mapped_column(Text)
    confirm_comment: Mapped[str | None] = mapped_column(String(300))
    phase: Mapped[str | None] = mapped_column(String(32))
    pending_level: Mapped[str | None] = mapped_column(String(255))
    pause_end_time: Mapped[int | None] = mapped_column(BigInteger)
    approval_id: Mapped[str | None] = mapped_column(String(32))
    task_seq: Mapped[int] = mapped_column(Integer, server_default="0")
    create_time: Mapped[int] = mapped_column(BigInteger)
    update_time: Mapped[int] = mapped_column(BigInteger)


class IncidentHistory(Base):
    """One row per operation on an incident, create included; rows are only ever inserted."""

    __tablename__ = "incident_history"
    __table_args__ = (Index("ix_incident_history_tenant_id_incident_num", "tenant_id", "incident_num"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    incident_num: Mapped[str] = mapped_column(String(32))
    operator: Mapped[str] = mapped_column(String(255))
    operate_key: Mapped[str] = mapped_column(String(64))
    operate_time: Mapped[int] = mapped_column(BigInteger)
    parameter: Mapped[dict[str, Any]] = mapped_column(JSON)
