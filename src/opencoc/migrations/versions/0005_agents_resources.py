"""agents_resources: enrolment tokens, agents and the resource inventory

Revision ID: 0005_agents_resources
Revises: 0004_scripts
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_agents_resources"
down_revision = "0004_scripts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "agent_enroll_tokens",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.BigInteger, nullable=False),
        sa.Column("expires_at", sa.BigInteger),
        sa.Column("revoked_at", sa.BigInteger),
    )
    op.create_index("ix_agent_enroll_tokens_tenant_id", "agent_enroll_tokens", ["tenant_id"])
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("agent_sn", sa.String(32), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(64), nullable=False),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("hostname", sa.String(255), nullable=False),
        sa.Column("fixed_ip", sa.String(64)),
        sa.Column("ips", sa.JSON, nullable=False),
        sa.Column("os_type", sa.String(16)),
        sa.Column("os_name", sa.String(255)),
        sa.Column("region_id", sa.String(64)),
        sa.Column("zone_id", sa.String(64)),
        sa.Column("facts", sa.JSON, nullable=False),
        sa.Column("enrolled_at", sa.BigInteger, nullable=False),
        sa.Column("last_seen_at", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_agents_tenant_id", "agents", ["tenant_id"])
    op.create_table(
        "resources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False, unique=True),
        sa.Column("resource_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("type", sa.String(64), nullable=False),
        sa.Column("project_id", sa.String(64)),
        sa.Column("region_id", sa.String(64)),
        sa.Column("zone_id", sa.String(64)),
        sa.Column("ep_id", sa.String(64)),
        sa.Column("inner_ip", sa.String(64)),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("properties", sa.JSON, nullable=False),
        sa.Column("agent_sn", sa.String(32)),
        sa.Column("create_time", sa.BigInteger, nullable=False),
        sa.Column("update_time", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("tenant_id", "provider", "type", "resource_id"),
    )
    op.create_index("ix_resources_tenant_id", "resources", ["tenant_id"])
    op.create_index("ix_resources_agent_sn", "resources", ["agent_sn"])


def downgrade() -> None:
    for table in ("resources", "agents", "agent_enroll_tokens"):
        op.drop_table(table)
