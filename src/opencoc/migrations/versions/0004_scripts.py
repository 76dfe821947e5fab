"""scripts: scripts, versions, reviews, notification channels, targets and outbox

Revision ID: 0004_scripts
Revises: 0003_alarms
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_scripts"
down_revision = "0003_alarms"
branch_labels = None
depends_on = None


def _tenant() -> sa.Column[int]:
    return sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "scripts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        _tenant(),
        sa.Column("script_uuid", sa.String(25), nullable=False, unique=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("description", sa.String(256), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("risk_level", sa.String(8), nullable=False),
        sa.Column("version", sa.String(10), nullable=False),
        sa.Column("protocol", sa.String(16)),
        sa.Column("reviewers", sa.JSON, nullable=False),
        sa.Column("enterprise_project_id", sa.String(64)),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("current_version_id", sa.Integer, nullable=False),
        sa.Column("creator", sa.String(64), nullable=False),
        sa.Column("creator_id", sa.String(64), nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_modified", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("tenant_id", "name"),
    )
    op.create_table(
        "script_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        _tenant(),
        sa.Column("script_uuid", sa.String(25), nullable=False, index=True),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("type", sa.String(8), nullable=False),
        sa.Column("version", sa.String(10), nullable=False),
        sa.Column("risk_level", sa.String(8), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("params", sa.JSON, nullable=False),
        sa.Column("properties", sa.JSON, nullable=False),
        sa.Column("operator", sa.String(64), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "script_reviews",
        sa.Column("id", sa.Integer, primary_key=True),
        _tenant(),
        sa.Column("script_uuid", sa.String(25), nullable=False, index=True),
        sa.Column("version_id", sa.Integer, nullable=False),
        sa.Column("reviewer_id", sa.String(64), nullable=False),
        sa.Column("reviewer_name", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("comments", sa.String(1024)),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "script_notify_channels",
        sa.Column("id", sa.Integer, primary_key=True),
        _tenant(),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("url_encrypted", sa.String(2048), nullable=False),
        sa.Column("gmt_modified", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("tenant_id", "protocol"),
    )
    op.create_table(
        "script_notify_targets",
        sa.Column("id", sa.Integer, primary_key=True),
        _tenant(),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("target", sa.String(255), nullable=False),
        sa.UniqueConstraint("tenant_id", "user_id", "protocol"),
    )
    op.create_table(
        "script_notify_outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        _tenant(),
        sa.Column("protocol", sa.String(16), nullable=False),
        sa.Column("targets", sa.JSON, nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger, nullable=False, index=True),
        sa.Column("last_error", sa.String(1024)),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_sent", sa.BigInteger),
    )


def downgrade() -> None:
    for table in (
        "script_notify_outbox",
        "script_notify_targets",
        "script_notify_channels",
        "script_reviews",
        "script_versions",
        "scripts",
    ):
        op.drop_table(table)
