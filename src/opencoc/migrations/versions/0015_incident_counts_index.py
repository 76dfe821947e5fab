"""incidents: an index covering the console's counts per status and per level

Revision ID: 0015_incident_counts_index
Revises: 0014_incident_v2
"""

from alembic import op

revision = "0015_incident_counts_index"
down_revision = "0014_incident_v2"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incidents_tenant_id_status_level", "incidents", ["tenant_id", "status", "incident_level"])


def downgrade() -> None:
    op.drop_index("ix_incidents_tenant_id_status_level", "incidents")
