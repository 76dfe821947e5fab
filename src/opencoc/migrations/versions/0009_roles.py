"""roles: each user has a role in its tenant (admin, operator or viewer)

Per tenant the earliest-created user (the `admin` that `create-tenant` makes) becomes admin,
every other user operator: before roles every user could do everything but manage the tenant.

Revision ID: 0009_roles
Revises: 0008_revocation
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_roles"
down_revision = "0008_revocation"
branch_labels = None
depends_on = None

# The first user of each tenant: the lowest id among those created first (ids break ties).
_FIRST_USERS = """
UPDATE users SET role = 'admin'
WHERE id IN (
    SELECT MIN(u.id) FROM users u
    WHERE u.created_at = (SELECT MIN(f.created_at) FROM users f WHERE f.tenant_id = u.tenant_id)
    GROUP BY u.tenant_id
)
"""


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("role", sa.String(16), nullable=False, server_default="operator"))
    op.execute(_FIRST_USERS)
    with op.batch_alter_table("users") as batch:
        batch.alter_column("role", server_default=None, existing_type=sa.String(16), existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("role")
