"""notifications: tenant channels by name, users' own targets, one outbox; replaces the scripts' notify tables

The scripts' channels (one per protocol) become channels named after their protocol, with the
same encrypted URL, so script review keeps notifying. Their per-protocol reviewer addresses and
the old outbox are not carried over: users add their own targets (`opencoc notify target add`).

Revision ID: 0010_notifications
Revises: 0009_roles
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_notifications"
down_revision = "0009_roles"
branch_labels = None
depends_on = None

LONG_ID = sa.BigInteger().with_variant(sa.Integer, "sqlite")


def _tenant() -> sa.Column[int]:
    return sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False, index=True)


def upgrade() -> None:
    op.create_table(
        "notification_channels",
        sa.Column("id", sa.Integer, primary_key=True),
        _tenant(),
        sa.Column("name", sa.String(64), nullable=False),
        sa.Column("url_encrypted", sa.String(4096), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_modified", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("tenant_id", "name"),
    )
    op.create_table(
        "notification_targets",
        sa.Column("id", sa.Integer, primary_key=True),
        _tenant(),
        sa.Column("user_id", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("url_encrypted", sa.String(4096), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "notification_outbox",
        sa.Column("id", LONG_ID, primary_key=True),
        _tenant(),
        sa.Column("event", sa.String(64), nullable=False),
        sa.Column("destination", sa.String(128), nullable=False),
        sa.Column("channel_id", sa.Integer),
        sa.Column("target_id", sa.Integer),
        sa.Column("recipients", sa.JSON, nullable=False),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.BigInteger, nullable=False),
        sa.Column("last_error", sa.String(1024)),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_sent", sa.BigInteger),
    )
    op.create_index("ix_notification_outbox_due", "notification_outbox", ["status", "next_attempt_at"])
    op.execute(
        "INSERT INTO notification_channels (tenant_id, name, url_encrypted, gmt_created, gmt_modified)"
        " SELECT tenant_id, protocol, url_encrypted, gmt_modified, gmt_modified FROM script_notify_channels"
    )
    for table in ("script_notify_outbox", "script_notify_targets", "script_notify_channels"):
        op.drop_table(table)


def downgrade() -> None:
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
    op.execute(
        "INSERT INTO script_notify_channels (tenant_id, protocol, url_encrypted, gmt_modified)"
        " SELECT tenant_id, name, url_encrypted, gmt_modified FROM notification_channels WHERE length(name) <= 16"
        " AND length(url_encrypted) <= 2048"
    )
    op.drop_index("ix_notification_outbox_due", "notification_outbox")
    for table in ("notification_outbox", "notification_targets", "notification_channels"):
        op.drop_table(table)
