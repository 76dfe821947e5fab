"""on-call: scenes, roles with rotations, overrides, incident escalations; incidents.oncall_assignee

Revision ID: 0013_oncall
Revises: 0012_approvals_attachments
"""

import sqlalchemy as sa
from alembic import op

revision = "0013_oncall"
down_revision = "0012_approvals_attachments"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "oncall_scenes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("escalation_delay_seconds", sa.Integer, nullable=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_modified", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("tenant_id", "name"),
    )
    op.create_index("ix_oncall_scenes_tenant_id", "oncall_scenes", ["tenant_id"])
    op.create_table(
        "oncall_roles",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("scene_id", sa.Integer, sa.ForeignKey("oncall_scenes.id", ondelete="CASCADE"), nullable=False),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("rotation", sa.JSON, nullable=True),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_modified", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("scene_id", "name"),
        sa.UniqueConstraint("scene_id", "level"),
    )
    op.create_index("ix_oncall_roles_tenant_id", "oncall_roles", ["tenant_id"])
    op.create_table(
        "oncall_overrides",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("role_id", sa.Integer, sa.ForeignKey("oncall_roles.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("start_ms", sa.BigInteger, nullable=False),
        sa.Column("end_ms", sa.BigInteger, nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_oncall_overrides_tenant_id", "oncall_overrides", ["tenant_id"])
    op.create_index("ix_oncall_overrides_role_end", "oncall_overrides", ["role_id", "end_ms"])
    op.create_table(
        "oncall_escalations",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("incident_num", sa.String(32), nullable=False),
        sa.Column("scene_id", sa.Integer, nullable=False),
        sa.Column("level", sa.Integer, nullable=False),
        sa.Column("steps", sa.Integer, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("next_at", sa.BigInteger, nullable=False),
        sa.Column("last_error", sa.String(1024), nullable=True),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_oncall_escalations_tenant_id", "oncall_escalations", ["tenant_id"])
    op.create_index("ix_oncall_escalations_incident_num", "oncall_escalations", ["incident_num"])
    op.create_index("ix_oncall_escalations_due", "oncall_escalations", ["status", "next_at"])
    op.add_column("incidents", sa.Column("oncall_assignee", sa.String(255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("oncall_assignee")
    for table in ("oncall_escalations", "oncall_overrides", "oncall_roles", "oncall_scenes"):
        op.drop_table(table)
