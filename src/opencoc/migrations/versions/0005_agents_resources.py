"""agents_resources: tables of the agents_resources domain

Revision ID: 0005_agents_resources
Revises: 0004_scripts
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0005_agents_resources"
down_revision = "0004_scripts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
