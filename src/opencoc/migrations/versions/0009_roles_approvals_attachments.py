"""roles, approvals, attachments: each user has a role; script review on the approvals primitive; attachments

The tenant's first user (`admin`) becomes admin, every other user operator (before roles, every
user could do everything).

Revision ID: 0009_roles_approvals_attachments
Revises: 0008_revocation
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_roles_approvals_attachments"
down_revision = "0008_revocation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="operator"))
    op.execute("UPDATE users SET role = 'admin' WHERE name = 'admin'")
    with op.batch_alter_table("users") as batch:
        batch.alter_column("role", server_default=None, existing_type=sa.String(16), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
