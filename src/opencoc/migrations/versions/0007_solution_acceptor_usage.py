"""incidents keep what their creator gave: acceptor and solution columns; scripts count their orders

Earlier versions overwrote an incident's incident_type, is_service_interrupt and start_time with
the solution's values on commitSolution1, and set incident_assignee to the accepting operator on
an incident assigned by scene and role. The upgrade moves those values to the new columns and
gives the incidents back what their creator sent (read from the `create` history row), so the
Terraform resource finds its configuration again. The downgrade drops the columns and leaves the
restored values in place.

Revision ID: 0007_solution_acceptor_usage
Revises: 0006_jobs
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0007_solution_acceptor_usage"
down_revision = "0006_jobs"
branch_labels = None
depends_on = None

TRIGGERED = "INCIDENT_STATUS_TRIGGERED"

incidents = sa.table(
    "incidents",
    sa.column("id", sa.Integer),
    sa.column("incident_num", sa.String),
    sa.column("status", sa.String),
    sa.column("incident_type", sa.String),
    sa.column("is_service_interrupt", sa.Boolean),
    sa.column("start_time", sa.BigInteger),
    sa.column("incident_assignee", sa.JSON),
    sa.column("handle_time", sa.BigInteger),
    sa.column("acceptor", sa.String),
    sa.column("solution_mtm_type", sa.String),
    sa.column("solution_is_service_interrupt", sa.Boolean),
    sa.column("solution_start_time", sa.BigInteger),
)
history = sa.table(
    "incident_history",
    sa.column("id", sa.Integer),
    sa.column("incident_num", sa.String),
    sa.column("operator", sa.String),
    sa.column("operate_key", sa.String),
    sa.column("parameter", sa.JSON),
)


def upgrade() -> None:
    op.add_column("incidents", sa.Column("acceptor", sa.String(255)))
    op.add_column("incidents", sa.Column("solution_mtm_type", sa.String(255)))
    op.add_column("incidents", sa.Column("solution_is_service_interrupt", sa.Boolean))
    op.add_column("incidents", sa.Column("solution_start_time", sa.BigInteger))
    op.add_column("scripts", sa.Column("usage_count", sa.Integer, nullable=False, server_default="0"))
    conn = op.get_bind()
    conn.execute(
        sa.text(
            "UPDATE scripts SET usage_count = (SELECT count(*) FROM script_orders o "
            "WHERE o.tenant_id = scripts.tenant_id AND o.script_uuid = scripts.script_uuid)"
        )
    )
    _restore_incidents(conn)


def _restore_incidents(conn: sa.Connection) -> None:
    """Move workflow values off the creator's fields of every incident accepted so far."""
    handled = sa.select(incidents.c.incident_num).where(incidents.c.status != TRIGGERED)
    created: dict[str, dict[str, Any]] = {}
    accepted_by: dict[str, str] = {}
    rows = conn.execute(
        sa.select(history.c.incident_num, history.c.operate_key, history.c.operator, history.c.parameter)
        .where(history.c.operate_key.in_(("create", "acceptedIncident1")), history.c.incident_num.in_(handled))
        .order_by(history.c.id)
    )
    for num, operate_key, operator, parameter in rows:
        if operate_key == "create":
            created.setdefault(num, parameter or {})
        else:
            accepted_by.setdefault(num, operator)
    for row in conn.execute(sa.select(incidents).where(incidents.c.status != TRIGGERED)).mappings().all():
        values = _restored(row, created.get(row["incident_num"]), accepted_by.get(row["incident_num"]))
        conn.execute(incidents.update().where(incidents.c.id == row["id"]).values(**values))


def _restored(row: Any, created: dict[str, Any] | None, acceptor: str | None) -> dict[str, Any]:
    """The new column values of one incident, and its creator's values where they were overwritten."""
    values: dict[str, Any] = {"acceptor": acceptor}
    if row["handle_time"] is not None:
        values.update(
            solution_mtm_type=row["incident_type"],
            solution_is_service_interrupt=row["is_service_interrupt"],
            solution_start_time=row["start_time"],
        )
        if created is not None:
            values.update(
                incident_type=created.get("incident_type", row["incident_type"]),
                is_service_interrupt=created.get("is_service_interrupt", row["is_service_interrupt"]),
                start_time=created.get("start_time"),
            )
    if created is not None and not created.get("incident_assignee") and row["incident_assignee"] == [acceptor]:
        values["incident_assignee"] = []
    return values


def downgrade() -> None:
    with op.batch_alter_table("scripts") as batch:
        batch.drop_column("usage_count")
    with op.batch_alter_table("incidents") as batch:
        for name in ("solution_start_time", "solution_is_service_interrupt", "solution_mtm_type", "acceptor"):
            batch.drop_column(name)
