"""jobs: script orders, batches, instances and instance outputs

Revision ID: 0006_jobs
Revises: 0005_agents_resources
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_jobs"
down_revision = "0005_agents_resources"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "script_orders",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("execute_uuid", sa.String(26), nullable=False, unique=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("script_uuid", sa.String(25), nullable=False),
        sa.Column("script_name", sa.String(64), nullable=False),
        sa.Column("script_version_id", sa.Integer, nullable=False),
        sa.Column("script_version_name", sa.String(32), nullable=False),
        sa.Column("script_type", sa.String(8), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("timeout", sa.Integer, nullable=False),
        sa.Column("success_rate", sa.Float, nullable=False),
        sa.Column("execute_user", sa.String(32), nullable=False),
        sa.Column("resourceful", sa.Boolean),
        sa.Column("region_ids", sa.String(512)),
        sa.Column("total_batches", sa.Integer, nullable=False),
        sa.Column("current_batch_index", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(512)),
        sa.Column("creator", sa.String(64), nullable=False),
        sa.Column("creator_id", sa.String(64), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_finished", sa.BigInteger),
    )
    op.create_index("ix_script_orders_tenant_id", "script_orders", ["tenant_id"])
    op.create_index("ix_script_orders_status", "script_orders", ["status"])
    op.create_table(
        "script_batches",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("script_orders.id"), nullable=False),
        sa.Column("batch_index", sa.Integer, nullable=False),
        sa.Column("rotation_strategy", sa.String(16), nullable=False),
        sa.Column("total_instances", sa.Integer, nullable=False),
        sa.Column("skipped", sa.Boolean, nullable=False),
        sa.Column("started_at", sa.BigInteger),
        sa.Column("finished_at", sa.BigInteger),
        sa.UniqueConstraint("order_id", "batch_index"),
    )
    op.create_table(
        "script_instances",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("order_id", sa.Integer, sa.ForeignKey("script_orders.id"), nullable=False),
        sa.Column("batch_index", sa.Integer, nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("agent_sn", sa.String(32), nullable=False),
        sa.Column("region_id", sa.String(64)),
        sa.Column("project_id", sa.String(64)),
        sa.Column("provider", sa.String(32)),
        sa.Column("type", sa.String(32)),
        sa.Column("custom_attributes", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("task_id", sa.String(32), unique=True),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("queued_at", sa.BigInteger),
        sa.Column("started_at", sa.BigInteger),
        sa.Column("cancel_requested", sa.Boolean, nullable=False),
        sa.Column("cancel_sent_at", sa.BigInteger),
        sa.Column("exit_code", sa.Integer),
        sa.Column("error", sa.String(1024)),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_finished", sa.BigInteger),
    )
    op.create_index("ix_script_instances_order_batch", "script_instances", ["order_id", "batch_index"])
    op.create_index("ix_script_instances_agent_status", "script_instances", ["agent_sn", "status"])
    op.create_index("ix_script_instances_status", "script_instances", ["status"])
    op.create_table(
        "instance_outputs",
        sa.Column("instance_id", sa.Integer, sa.ForeignKey("script_instances.id"), primary_key=True),
        sa.Column("output", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("instance_outputs", "script_instances", "script_batches", "script_orders"):
        op.drop_table(table)
