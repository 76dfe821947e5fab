"""scripts: tables of the scripts domain

Revision ID: 0004_scripts
Revises: 0003_alarms
"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

revision = "0004_scripts"
down_revision = "0003_alarms"
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
