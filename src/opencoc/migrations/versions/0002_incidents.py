"""incidents: tables of the incidents domain

Revision ID: 0002_incidents
Revises: 0001_auth
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0002_incidents"
down_revision = "0001_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
