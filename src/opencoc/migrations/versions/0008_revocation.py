"""revocation: access keys expire and are revoked, agents are revoked, revocations reach every replica

Revision ID: 0008_revocation
Revises: 0007_solution_acceptor_usage
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_revocation"
down_revision = "0007_solution_acceptor_usage"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("access_keys", sa.Column("expires_at", sa.BigInteger, nullable=True))
    op.add_column("access_keys", sa.Column("revoked_at", sa.BigInteger, nullable=True))
    op.add_column("agents", sa.Column("revoked_at", sa.BigInteger, nullable=True))
    op.create_table(
        "auth_revocations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("created_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_auth_revocations_created_at", "auth_revocations", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_auth_revocations_created_at", "auth_revocations")
    op.drop_table("auth_revocations")
    with op.batch_alter_table("agents") as batch:
        batch.drop_column("revoked_at")
    with op.batch_alter_table("access_keys") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
