"""war-room settings (a tenant's automatic war room for level_10 incidents); paused incidents by the end of
their pause

Revision ID: 0017_warroom_settings
Revises: 0016_warrooms
"""

import sqlalchemy as sa
from alembic import op

revision = "0017_warroom_settings"
down_revision = "0016_warrooms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "war_room_settings",
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), primary_key=True),
        sa.Column("auto_level_10", sa.Boolean, nullable=False),
        sa.Column("modified_by", sa.String(64), nullable=False),
        sa.Column("gmt_modified", sa.BigInteger, nullable=False),
    )
    paused = sa.text("phase = 'PAUSED'")
    op.create_index(
        "ix_incidents_paused_until", "incidents", ["pause_end_time"], sqlite_where=paused, postgresql_where=paused
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_paused_until", "incidents")
    op.drop_table("war_room_settings")
