"""war-room settings: a tenant's automatic war room for level_10 incidents

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


def downgrade() -> None:
    op.drop_table("war_room_settings")
