"""incidents: the v2 workflow's state (phase, pending level, pause end, approval, task sequence)

Revision ID: 0014_incident_v2
Revises: 0013_oncall
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_incident_v2"
down_revision = "0013_oncall"
branch_labels = None
depends_on = None

_COLUMNS = ("phase", "pending_level", "pause_end_time", "approval_id", "task_seq")


def upgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("phase", sa.String(32), nullable=True))
        batch.add_column(sa.Column("pending_level", sa.String(255), nullable=True))
        batch.add_column(sa.Column("pause_end_time", sa.BigInteger, nullable=True))
        batch.add_column(sa.Column("approval_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("task_seq", sa.Integer, nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("incidents") as batch:
        for name in reversed(_COLUMNS):
            batch.drop_column(name)
