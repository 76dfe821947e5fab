"""Tables of the approvals domain: requests, their approvers and the decisions taken on them.

A request is about one subject (`kind`, `id` and optionally a version, e.g. a script version);
it is decided when `required` approvers approved it or one rejected it, or cancelled by the
subject's domain (a modified script supersedes the request on its previous version).
"""

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from opencoc.core.models import Base


class ApprovalRequest(Base):
    __tablename__ = "approval_requests"
    __table_args__ = (Index("ix_approval_requests_subject", "tenant_id", "subject_kind", "subject_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    approval_id: Mapped[str] = mapped_column(String(32), unique=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[str] = mapped_column(String(64))
    subject_version: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(255))
    requester_id: Mapped[str] = mapped_column(String(64))
    requester_name: Mapped[str] = mapped_column(String(64))
    required: Mapped[int] = mapped_column(Integer)
    approved_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)
    gmt_created: Mapped[int] = mapped_column(BigInteger)
    gmt_modified: Mapped[int] = mapped_column(BigInteger)


class ApprovalApprover(Base):
    """One who may decide a request: by user id, or (an approver named without an id) by user name."""

    __tablename__ = "approval_approvers"
    __table_args__ = (Index("ix_approval_approvers_user", "tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    user_id: Mapped[str] = mapped_column(String(64))
    user_name: Mapped[str] = mapped_column(String(64))


class ApprovalDecision(Base):
    """An approver's APPROVE or REJECT with its comment; one per approver and request."""

    __tablename__ = "approval_decisions"
    __table_args__ = (UniqueConstraint("request_id", "approver_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("approval_requests.id", ondelete="CASCADE"), index=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    approver_id: Mapped[str] = mapped_column(String(64))
    approver_name: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str | None] = mapped_column(String(1024))
    gmt_created: Mapped[int] = mapped_column(BigInteger)
