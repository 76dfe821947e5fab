"""jobs: tables of the jobs domain

Revision ID: 0006_jobs
Revises: 0005_agents_resources
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0006_jobs"
down_revision = "0005_agents_resources"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
