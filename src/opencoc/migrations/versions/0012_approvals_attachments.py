"""approvals (requests, approvers, decisions; pending script reviews become requests) and attachments

Revision ID: 0012_approvals_attachments
Revises: 0011_console_sessions
"""

import uuid

import sqlalchemy as sa
from alembic import op

revision = "0012_approvals_attachments"
down_revision = "0011_console_sessions"
branch_labels = None
depends_on = None


def _approvals() -> None:
    op.create_table(
        "approval_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("approval_id", sa.String(32), nullable=False, unique=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("subject_kind", sa.String(32), nullable=False),
        sa.Column("subject_id", sa.String(64), nullable=False),
        sa.Column("subject_version", sa.String(64), nullable=True),
        sa.Column("title", sa.String(255), nullable=False),
        sa.Column("requester_id", sa.String(64), nullable=False),
        sa.Column("requester_name", sa.String(64), nullable=False),
        sa.Column("required", sa.Integer, nullable=False),
        sa.Column("approved_count", sa.Integer, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("gmt_modified", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_approval_requests_subject", "approval_requests", ["tenant_id", "subject_kind", "subject_id"])
    op.create_index("ix_approval_requests_status", "approval_requests", ["status"])
    op.create_table(
        "approval_approvers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("approval_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("user_id", sa.String(64), nullable=False),
        sa.Column("user_name", sa.String(64), nullable=False),
    )
    op.create_index("ix_approval_approvers_request_id", "approval_approvers", ["request_id"])
    op.create_index("ix_approval_approvers_user", "approval_approvers", ["tenant_id", "user_id"])
    op.create_table(
        "approval_decisions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Integer, sa.ForeignKey("approval_requests.id", ondelete="CASCADE"), nullable=False),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("approver_id", sa.String(64), nullable=False),
        sa.Column("approver_name", sa.String(64), nullable=False),
        sa.Column("verdict", sa.String(8), nullable=False),
        sa.Column("comment", sa.String(1024), nullable=True),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("request_id", "approver_id"),
    )
    op.create_index("ix_approval_decisions_request_id", "approval_decisions", ["request_id"])


def _pending_scripts_to_requests() -> None:
    """A script waiting for review before this migration gets its request, so that it can still be decided."""
    bind = op.get_bind()
    scripts = sa.table(
        "scripts",
        *(sa.column(c) for c in ("tenant_id", "script_uuid", "name", "version", "risk_level", "status")),
        sa.column("reviewers", sa.JSON),
        *(sa.column(c) for c in ("current_version_id", "creator", "creator_id", "gmt_modified")),
    )
    requests = sa.table(
        "approval_requests",
        *(sa.column(c) for c in ("id", "approval_id", "tenant_id", "subject_kind", "subject_id", "subject_version")),
        *(sa.column(c) for c in ("title", "requester_id", "requester_name", "required", "approved_count", "status")),
        *(sa.column(c) for c in ("gmt_created", "gmt_modified")),
    )
    approvers = sa.table(
        "approval_approvers", *(sa.column(c) for c in ("request_id", "tenant_id", "user_id", "user_name"))
    )
    for s in bind.execute(sa.select(scripts).where(scripts.c.status == "PENDING_APPROVE")).mappings().all():
        request_id = bind.execute(
            requests.insert()
            .values(
                approval_id=uuid.uuid4().hex, tenant_id=s["tenant_id"], subject_kind="script",
                subject_id=s["script_uuid"], subject_version=str(s["current_version_id"]),
                title=f"Script {s['name']} version {s['version']} (risk {s['risk_level']})",
                requester_id=s["creator_id"], requester_name=s["creator"], required=1, approved_count=0,
                status="PENDING", gmt_created=s["gmt_modified"], gmt_modified=s["gmt_modified"],
            )
            .returning(requests.c.id)
        ).scalar_one()  # fmt: skip
        for r in s["reviewers"] or []:
            bind.execute(
                approvers.insert().values(
                    request_id=request_id, tenant_id=s["tenant_id"],
                    user_id=r.get("reviewer_id") or "", user_name=r.get("reviewer_name") or "",
                )
            )  # fmt: skip


def _attachments() -> None:
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("attachment_id", sa.String(32), nullable=False, unique=True),
        sa.Column("tenant_id", sa.Integer, sa.ForeignKey("tenants.id"), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("subject_kind", sa.String(32), nullable=True),
        sa.Column("subject_id", sa.String(64), nullable=True),
        sa.Column("uploader_id", sa.String(64), nullable=False),
        sa.Column("uploader_name", sa.String(64), nullable=False),
        sa.Column("gmt_created", sa.BigInteger, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_attachments_subject", "attachments", ["tenant_id", "subject_kind", "subject_id"])


def upgrade() -> None:
    _approvals()
    _pending_scripts_to_requests()
    _attachments()


def downgrade() -> None:
    op.drop_index("ix_attachments_subject", "attachments")
    op.drop_table("attachments")
    op.drop_index("ix_approval_decisions_request_id", "approval_decisions")
    op.drop_table("approval_decisions")
    op.drop_index("ix_approval_approvers_user", "approval_approvers")
    op.drop_index("ix_approval_approvers_request_id", "approval_approvers")
    op.drop_table("approval_approvers")
    op.drop_index("ix_approval_requests_status", "approval_requests")
    op.drop_index("ix_approval_requests_subject", "approval_requests")
    op.drop_table("approval_requests")
