"""Approvals: open a request on a subject, let its approvers decide, read it with its history.

The subject's domain opens the request (`open_request`), cancels it when the subject changes
(`cancel_pending`) and, when the request's outcome must change the subject too, decides it
itself: it locks the subject, calls `decide` and applies the outcome in the same transaction.
Such domains register a `Decider` for their kind (`app.APPROVAL_DECIDERS`), so that a decision
through /opencoc/v1/approvals goes through them as well.
"""

from collections.abc import Callable, Mapping
from typing import TypeAlias

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencoc.approvals import _sql
from opencoc.approvals.errors import AlreadyDecided, ApprovalError, NotApprover, NotFound, NotPending, invalid
from opencoc.approvals.models import ApprovalApprover, ApprovalDecision, ApprovalRequest
from opencoc.approvals.schemas import Approval, ApprovalPage, Approver, Decision, Subject
from opencoc.approvals.statuses import PENDING, Verdict
from opencoc.auth.caller import Caller
from opencoc.auth.roles import is_admin, require
from opencoc.core import ids
from opencoc.core.clock import now_ms

__all__ = [
    "AlreadyDecided",
    "Approval",
    "ApprovalError",
    "Decider",
    "NotApprover",
    "NotFound",
    "NotPending",
    "cancel_pending",
    "decide",
    "decide_through",
    "get",
    "latest_for",
    "list_pending",
    "open_request",
]

Decider: TypeAlias = Callable[[Session, Caller, Approval, Verdict, str | None], Approval]
"""How a subject's domain decides one of its requests: (session, caller, request, verdict, comment)."""

MAX_APPROVERS = 50


def _view(row: ApprovalRequest, approvers: list[ApprovalApprover], decisions: list[ApprovalDecision]) -> Approval:
    return Approval(
        approval_id=row.approval_id,
        subject=Subject(kind=row.subject_kind, id=row.subject_id, version=row.subject_version),
        title=row.title,
        requester_id=row.requester_id,
        requester_name=row.requester_name,
        approvers=[Approver(user_id=a.user_id, user_name=a.user_name) for a in approvers],
        required=row.required,
        approved_count=row.approved_count,
        status=row.status,
        gmt_created=row.gmt_created,
        gmt_modified=row.gmt_modified,
        decisions=[
            Decision(
                approver_id=d.approver_id,
                approver_name=d.approver_name,
                verdict=d.verdict,  # type: ignore[arg-type]
                comment=d.comment,
                gmt_created=d.gmt_created,
            )
            for d in decisions
        ],
    )


def _views(session: Session, rows: list[ApprovalRequest]) -> list[Approval]:
    ids_ = [r.id for r in rows]
    approvers, decisions = _sql.approvers(session, ids_), _sql.decisions(session, ids_)
    return [
        _view(r, [a for a in approvers if a.request_id == r.id], [d for d in decisions if d.request_id == r.id])
        for r in rows
    ]


def _check_approvers(approvers: list[Approver], required: int) -> None:
    if not approvers or len(approvers) > MAX_APPROVERS:
        raise invalid(f"approvers must list 1 to {MAX_APPROVERS} users")
    if any(not (a.user_id or a.user_name) for a in approvers):
        raise invalid("each approver must have a user_id or a user_name")
    if not 1 <= required <= len(approvers):
        raise invalid(f"required must be between 1 and the number of approvers ({len(approvers)})")


def open_request(
    session: Session,
    *,
    tenant_id: int,
    subject: Subject,
    title: str,
    requester: Caller,
    approvers: list[Approver],
    required: int = 1,
) -> Approval:
    """A new PENDING request on the subject, decided once `required` approvers approved or one rejected."""
    _check_approvers(approvers, required)
    now = now_ms()
    row = ApprovalRequest(
        approval_id=ids.hex_id(),
        tenant_id=tenant_id,
        subject_kind=subject.kind,
        subject_id=subject.id,
        subject_version=subject.version,
        title=title[:255],
        requester_id=requester.user_id,
        requester_name=requester.user_name,
        required=required,
        approved_count=0,
        status=PENDING,
        gmt_created=now,
        gmt_modified=now,
    )
    session.add(row)
    session.flush()
    people = [
        ApprovalApprover(request_id=row.id, tenant_id=tenant_id, user_id=a.user_id, user_name=a.user_name)
        for a in approvers
    ]
    session.add_all(people)
    return _view(row, people, [])


def cancel_pending(session: Session, *, tenant_id: int, subject_kind: str, subject_id: str) -> int:
    """Cancel every pending request on the subject (it changed or went away); how many there were."""
    return _sql.cancel_pending(session, tenant_id, subject_kind, subject_id, now_ms())


def _is_approver(approver: ApprovalApprover, caller: Caller) -> bool:
    if approver.user_id:
        return approver.user_id == caller.user_id
    return approver.user_name == caller.user_name


def _load(session: Session, tenant_id: int, approval_id: str) -> ApprovalRequest:
    row = _sql.load(session, tenant_id, approval_id)
    if row is None:
        raise NotFound(approval_id)
    return row


def decide(session: Session, *, caller: Caller, approval_id: str, verdict: Verdict, comment: str | None) -> Approval:
    """Record an approver's (or an admin's) verdict; one of concurrent decisions ends a request (others: NotPending)."""
    require(caller, "approvals.decide")
    row = _load(session, caller.tenant_id, approval_id)
    if not is_admin(caller) and not any(_is_approver(a, caller) for a in _sql.approvers(session, [row.id])):
        raise NotApprover(caller.user_name, approval_id)
    now = now_ms()
    if not _sql.record_verdict(session, row.id, verdict, now):
        raise NotPending(approval_id, _sql.status_of(session, row.id))
    # After the guarded update: a second decision of the same approver waited for the first's row lock.
    if _sql.has_decided(session, row.id, caller.user_id):
        raise AlreadyDecided(caller.user_name, approval_id)
    session.add(
        ApprovalDecision(
            request_id=row.id,
            tenant_id=caller.tenant_id,
            approver_id=caller.user_id,
            approver_name=caller.user_name,
            verdict=verdict,
            comment=comment,
            gmt_created=now,
        )
    )
    try:
        session.flush()
    except IntegrityError as exc:  # the unique key: the same approver raced itself
        raise AlreadyDecided(caller.user_name, approval_id) from exc
    session.refresh(row)
    return _views(session, [row])[0]


def decide_through(
    session: Session,
    *,
    caller: Caller,
    approval_id: str,
    verdict: Verdict,
    comment: str | None,
    deciders: Mapping[str, Decider],
) -> Approval:
    """A decision through /opencoc/v1/approvals: by the subject's domain when it registered a Decider."""
    require(caller, "approvals.decide")
    request = get(session, tenant_id=caller.tenant_id, approval_id=approval_id)
    decider = deciders.get(request.subject.kind)
    if decider is None:
        return decide(session, caller=caller, approval_id=approval_id, verdict=verdict, comment=comment)
    return decider(session, caller, request, verdict, comment)


def get(session: Session, *, tenant_id: int, approval_id: str) -> Approval:
    """One request with its approvers and decisions; NotFound for another tenant's."""
    return _views(session, [_load(session, tenant_id, approval_id)])[0]


def latest_for(session: Session, *, tenant_id: int, subject: Subject) -> Approval | None:
    """The newest request on the subject (on its version, when the subject names one)."""
    row = _sql.latest_for(session, tenant_id, subject.kind, subject.id, subject.version)
    return None if row is None else _views(session, [row])[0]


def list_pending(session: Session, *, caller: Caller, limit: int, marker: str | None) -> ApprovalPage:
    """The pending requests the caller may decide, oldest first; `marker` is the last approval_id seen."""
    after = None
    if marker is not None:
        after = _load(session, caller.tenant_id, marker).id
    rows = _sql.pending_for(session, caller.tenant_id, caller.user_id, caller.user_name, limit + 1, after)
    page = _views(session, rows[:limit])
    return ApprovalPage(approvals=page, next_marker=page[-1].approval_id if len(rows) > limit else None)
