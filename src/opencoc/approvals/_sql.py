"""The approvals domain's queries and guarded updates (the only code that touches its tables)."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import and_, case, or_, select, update
from sqlalchemy.orm import Session

from opencoc.approvals.models import ApprovalApprover, ApprovalDecision, ApprovalRequest
from opencoc.approvals.statuses import APPROVE, APPROVED, CANCELLED, PENDING, REJECTED


def load(session: Session, tenant_id: int, approval_id: str) -> ApprovalRequest | None:
    return session.scalar(
        select(ApprovalRequest).where(
            ApprovalRequest.tenant_id == tenant_id, ApprovalRequest.approval_id == approval_id
        )
    )


def status_of(session: Session, request_id: int) -> str:
    """The status as committed now (a fresh statement: after a lost race it shows the winner's)."""
    status: str = session.execute(select(ApprovalRequest.status).where(ApprovalRequest.id == request_id)).scalar_one()
    return status


def approvers(session: Session, request_ids: Sequence[int]) -> list[ApprovalApprover]:
    rows = select(ApprovalApprover).where(ApprovalApprover.request_id.in_(request_ids)).order_by(ApprovalApprover.id)
    return list(session.scalars(rows))


def decisions(session: Session, request_ids: Sequence[int]) -> list[ApprovalDecision]:
    rows = select(ApprovalDecision).where(ApprovalDecision.request_id.in_(request_ids)).order_by(ApprovalDecision.id)
    return list(session.scalars(rows))


def has_decided(session: Session, request_id: int, approver_id: str) -> bool:
    query = select(ApprovalDecision.id).where(
        ApprovalDecision.request_id == request_id, ApprovalDecision.approver_id == approver_id
    )
    return session.scalar(query) is not None


def record_verdict(session: Session, request_id: int, verdict: str, now: int) -> bool:
    """Count the verdict on a PENDING request; False when it is no longer pending (another decision won).

    One conditional UPDATE: the database lets exactly one of concurrent decisions take the row
    out of PENDING (PostgreSQL re-checks the WHERE after the row lock; SQLite has one writer).
    """
    r = ApprovalRequest
    values: dict[str, Any]
    if verdict == APPROVE:
        values = {
            "approved_count": r.approved_count + 1,
            "status": case((r.approved_count + 1 >= r.required, APPROVED), else_=PENDING),
        }
    else:
        values = {"status": REJECTED}
    done = session.execute(
        update(r)
        .where(r.id == request_id, r.status == PENDING)
        .values(**values, gmt_modified=now)
        .execution_options(synchronize_session=False)
    )
    rows: int = done.rowcount  # type: ignore[attr-defined]
    return rows == 1


def cancel_pending(session: Session, tenant_id: int, kind: str, subject_id: str, now: int) -> int:
    """Cancel the subject's pending requests (of any version); how many were cancelled."""
    r = ApprovalRequest
    done = session.execute(
        update(r)
        .where(r.tenant_id == tenant_id, r.subject_kind == kind, r.subject_id == subject_id, r.status == PENDING)
        .values(status=CANCELLED, gmt_modified=now)
        .execution_options(synchronize_session=False)
    )
    rows: int = done.rowcount  # type: ignore[attr-defined]
    return rows


def latest_for(
    session: Session, tenant_id: int, kind: str, subject_id: str, version: str | None
) -> ApprovalRequest | None:
    r = ApprovalRequest
    query = select(r).where(r.tenant_id == tenant_id, r.subject_kind == kind, r.subject_id == subject_id)
    if version is not None:
        query = query.where(r.subject_version == version)
    return session.scalar(query.order_by(r.id.desc()).limit(1))


def pending_for(
    session: Session, tenant_id: int, user_id: str, user_name: str, limit: int, after: int | None
) -> list[ApprovalRequest]:
    """The tenant's pending requests the user may decide, oldest first, after the marker's row."""
    a, r = ApprovalApprover, ApprovalRequest
    mine = or_(a.user_id == user_id, and_(a.user_id == "", a.user_name == user_name))
    ids = select(a.request_id).where(a.tenant_id == tenant_id, mine)
    query = select(r).where(r.tenant_id == tenant_id, r.status == PENDING, r.id.in_(ids))
    if after is not None:
        query = query.where(r.id > after)
    return list(session.scalars(query.order_by(r.id).limit(limit)))
