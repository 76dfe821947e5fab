"""alarms: tables of the alarms domain

Revision ID: 0003_alarms
Revises: 0002_incidents
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0003_alarms"
down_revision = "0002_incidents"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
