"""war rooms: one per incident, their members and timelines

Revision ID: 0016_warrooms
Revises: 0015_incident_counts_index
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_warrooms"
down_revision = "0015_incident_counts_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "war_rooms",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("war_room_num", sa.String(32), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("description", sa.String(1024), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("incident_num", sa.String(32), nullable=False),
        sa.Column("incident_level", sa.String(32), nullable=False),
        sa.Column("regions", sa.JSON, nullable=False),
        sa.Column("applications", sa.JSON, nullable=False),
        sa.Column("admin", sa.String(64), nullable=False),
        sa.Column("enterprise_project_id", sa.String(64), nullable=False),
        sa.Column("notification_type", sa.String(64), nullable=True),
        sa.Column("recover_time", sa.BigInteger, nullable=True),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_modified", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("war_room_num"),
        sa.UniqueConstraint("tenant_id", "incident_num"),
    )
    op.create_index("ix_war_rooms_tenant_id_status", "war_rooms", ["tenant_id", "status"])
    op.create_table(
        "war_room_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("war_room_id", sa.Integer, sa.ForeignKey("war_rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("joined_as", sa.String(16), nullable=False),
        sa.Column("scene", sa.String(64), nullable=True),
        sa.Column("role", sa.String(64), nullable=True),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("war_room_id", "user_id"),
    )
    op.create_table(
        "war_room_entries",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True),
        sa.Column("war_room_id", sa.Integer, sa.ForeignKey("war_rooms.id", ondelete="CASCADE"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.String(2000), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_war_room_entries_room", "war_room_entries", ["war_room_id", "id"])


def downgrade() -> None:
    for table in ("war_room_entries", "war_room_members", "war_rooms"):
        op.drop_table(table)
