"""jobs: a batch's instances by status (the dispatcher's batch start), one index for all three columns

Revision ID: 0018_instances_status_index
Revises: 0017_warroom_settings
"""

from alembic import op

revision = "0018_instances_status_index"
down_revision = "0017_warroom_settings"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_script_instances_order_batch", "script_instances")
    op.create_index("ix_script_instances_order_batch_status", "script_instances", ["order_id", "batch_index", "status"])


def downgrade() -> None:
    op.drop_index("ix_script_instances_order_batch_status", "script_instances")
    op.create_index("ix_script_instances_order_batch", "script_instances", ["order_id", "batch_index"])
