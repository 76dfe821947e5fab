"""incidents: tables of the incidents domain

Revision ID: 0002_incidents
Revises: 0001_auth
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_incidents"
down_revision = "0001_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("incident_num", sa.String(32), nullable=False, unique=True),
        sa.Column("project_id", sa.String(64)),
        sa.Column("region", sa.JSON, nullable=False),
        sa.Column("enterprise_project", sa.JSON, nullable=False),
        sa.Column("current_cloud_service", sa.JSON, nullable=False),
        sa.Column("incident_level", sa.String(255), nullable=False),
        sa.Column("is_service_interrupt", sa.Boolean, nullable=False),
        sa.Column("incident_type", sa.String(255), nullable=False),
        sa.Column("incident_title", sa.String(200), nullable=False),
        sa.Column("incident_description", sa.String(600), nullable=False),
        sa.Column("incident_source", sa.String(255), nullable=False),
        sa.Column("incident_assignee", sa.JSON, nullable=False),
        sa.Column("assignee_scene", sa.String(255)),
        sa.Column("assignee_role", sa.String(255)),
        sa.Column("incident_ownership", sa.String(255)),
        sa.Column("creator", sa.String(255), nullable=False),
        sa.Column("status", sa.String(64), nullable=False),
        sa.Column("start_time", sa.BigInteger),
        sa.Column("fault_recovery_time", sa.BigInteger),
        sa.Column("fault_delineation_time", sa.BigInteger),
        sa.Column("warroom_id", sa.String(255)),
        sa.Column("handle_time", sa.BigInteger),
        sa.Column("cause", sa.Text),
        sa.Column("solution", sa.Text),
        sa.Column("confirm_comment", sa.String(300)),
        sa.Column("create_time", sa.BigInteger, nullable=False),
        sa.Column("update_time", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_incidents_tenant_id_create_time", "incidents", ["tenant_id", "create_time"])
    op.create_table(
        "incident_history",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("incident_num", sa.String(32), nullable=False),
        sa.Column("operator", sa.String(255), nullable=False),
        sa.Column("operate_key", sa.String(64), nullable=False),
        sa.Column("operate_time", sa.BigInteger, nullable=False),
        sa.Column("parameter", sa.JSON, nullable=False),
    )
    op.create_index("ix_incident_history_tenant_id_incident_num", "incident_history", ["tenant_id", "incident_num"])


def downgrade() -> None:
    op.drop_table("incident_history")
    op.drop_table("incidents")
