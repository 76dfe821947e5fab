"""console sessions: the signed-in browsers of the web console

Revision ID: 0011_console_sessions
Revises: 0010_notifications
"""

import sqlalchemy as sa
from alembic import op

revision = "0011_console_sessions"
down_revision = "0010_notifications"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "console_sessions",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("user_pk", sa.Integer, sa.ForeignKey("users.id"), nullable=False),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("last_seen", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_console_sessions_user_pk", "console_sessions", ["user_pk"])


def downgrade() -> None:
    op.drop_index("ix_console_sessions_user_pk", "console_sessions")
    op.drop_table("console_sessions")
