"""alarms: tables of the alarms domain

Revision ID: 0003_alarms
Revises: 0002_incidents
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_alarms"
down_revision = "0002_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alarm_integrations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("integration_id", sa.String(32), nullable=False, unique=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("key_prefix", sa.String(8), nullable=False),
        sa.Column("rules", sa.JSON, nullable=False),
        sa.Column("create_time", sa.BigInteger, nullable=False),
        sa.Column("update_time", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("tenant_id", "name", name="uq_alarm_integrations_tenant_id_name"),
    )
    op.create_table(
        "alarms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alarm_id", sa.String(32), nullable=False, unique=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("integration_id", sa.Integer, sa.ForeignKey("alarm_integrations.id", ondelete="SET NULL")),
        sa.Column("active_key", sa.String(255)),
        sa.Column("original_alarm_id", sa.String(255), nullable=False),
        sa.Column("alarm_name", sa.String(255), nullable=False),
        sa.Column("alarm_level", sa.String(16), nullable=False),
        sa.Column("alarm_status", sa.String(16), nullable=False),
        sa.Column("name_space", sa.String(255), nullable=False),
        sa.Column("region_id", sa.String(255)),
        sa.Column("application_id", sa.String(255)),
        sa.Column("resource_name", sa.String(255)),
        sa.Column("resource_id", sa.String(255)),
        sa.Column("alarm_desc", sa.String(255), nullable=False),
        sa.Column("url", sa.String(255)),
        sa.Column("alarm_source", sa.String(255), nullable=False),
        sa.Column("additional", sa.JSON),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("first_time", sa.BigInteger, nullable=False),
        sa.Column("last_time", sa.BigInteger, nullable=False),
        sa.Column("incident_num", sa.String(32)),
        sa.Column("cleared_by", sa.String(255)),
        sa.Column("clear_remarks", sa.String(1024)),
        sa.Column("clear_time", sa.BigInteger),
        sa.Column("create_time", sa.BigInteger, nullable=False),
        sa.Column("update_time", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("integration_id", "active_key", name="uq_alarms_integration_id_active_key"),
    )
    op.create_index("ix_alarms_tenant_id_id", "alarms", ["tenant_id", "id"])
    op.create_table(
        "alarm_histories",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("alarm_id", sa.String(32), nullable=False),
        sa.Column("work_order_id", sa.String(32), nullable=False),
        sa.Column("task_type", sa.String(64), nullable=False),
        sa.Column("create_name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("associated_task_id", sa.String(255)),
        sa.Column("associated_task_type", sa.String(64)),
        sa.Column("associated_task_name", sa.String(255)),
        sa.Column("detail", sa.JSON, nullable=False),
        sa.Column("start_time", sa.BigInteger, nullable=False),
        sa.Column("end_time", sa.BigInteger),
    )
    op.create_index("ix_alarm_histories_tenant_id_alarm_id", "alarm_histories", ["tenant_id", "alarm_id"])


def downgrade() -> None:
    op.drop_table("alarm_histories")
    op.drop_table("alarms")
    op.drop_table("alarm_integrations")
