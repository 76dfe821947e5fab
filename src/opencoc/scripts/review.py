"""Review of a script pending approval, on the approvals primitive: one request per reviewed version.

A version with reviewers opens an approval request (`open_review`); a modify or a delete cancels
the previous one. A decision, through COC's `/action` or /opencoc/v1/approvals, locks the script
first (as a modify does, so the two never lock in opposite orders), lets approvals pick the one
winner, records the COC review row and sets the script's status once the request is decided.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencoc.approvals import service as approvals
from opencoc.approvals.schemas import Approver, Subject
from opencoc.approvals.statuses import APPROVE, PENDING, REJECT, Verdict
from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core.clock import now_ms
from opencoc.core.errors import OpenCOCError
from opencoc.scripts.models import Script, ScriptReview
from opencoc.scripts.schemas import ApprovalJobScriptModel
from opencoc.scripts.statuses import APPROVED, PENDING_APPROVE, REJECTED
from opencoc.scripts.versions import load_script

KIND = "script"
_VERDICTS: dict[str, Verdict] = {APPROVED: APPROVE, REJECTED: REJECT}
_STATUSES = {APPROVE: APPROVED, REJECT: REJECTED}


def _subject(script: Script) -> Subject:
    return Subject(kind=KIND, id=script.script_uuid, version=str(script.current_version_id))


def open_review(session: Session, *, caller: Caller, script: Script) -> None:
    """Cancel the review of an earlier version; open one for this version when it waits for review."""
    approvals.cancel_pending(session, tenant_id=script.tenant_id, subject_kind=KIND, subject_id=script.script_uuid)
    if script.status != PENDING_APPROVE:
        return
    approvals.open_request(
        session,
        tenant_id=script.tenant_id,
        subject=_subject(script),
        title=f"Script {script.name} version {script.version} (risk {script.risk_level})",
        requester=caller,
        approvers=[Approver(user_id=r.get("reviewer_id", ""), user_name=r["reviewer_name"]) for r in script.reviewers],
    )


def withdraw_review(session: Session, *, script: Script) -> None:
    """The script goes away: its pending review is cancelled."""
    approvals.cancel_pending(session, tenant_id=script.tenant_id, subject_kind=KIND, subject_id=script.script_uuid)


def _decide(
    session: Session, caller: Caller, script: Script, approval_id: str, verdict: Verdict, comment: str | None
) -> approvals.Approval:
    """The decision on the locked script's current request; the script follows once it is decided."""
    decided = approvals.decide(session, caller=caller, approval_id=approval_id, verdict=verdict, comment=comment)
    session.add(
        ScriptReview(
            tenant_id=caller.tenant_id,
            script_uuid=script.script_uuid,
            version_id=script.current_version_id,
            reviewer_id=caller.user_id,
            reviewer_name=caller.user_name,
            status=_STATUSES[verdict],
            comments=comment,
            gmt_created=now_ms(),
        )
    )
    if decided.status != PENDING:
        script.status = decided.status
        script.gmt_modified = max(now_ms(), script.gmt_modified + 1)
    return decided


def accept_script(session: Session, *, caller: Caller, script_uuid: str, body: ApprovalJobScriptModel) -> bool:
    """Record the caller's decision (COC's wire); only a reviewer of the script or an admin, only while pending."""
    require(caller, "scripts.review")
    script = load_script(session, tenant_id=caller.tenant_id, script_uuid=script_uuid, for_update=True)
    request = approvals.latest_for(session, tenant_id=caller.tenant_id, subject=_subject(script))
    not_reviewer = OpenCOCError(
        "COC.00040606",
        f"user[{caller.user_name}] is not a reviewer of script[{script_uuid}]:"
        " only its reviewers or an admin may decide",
        status=403,
    )
    if request is None:  # this version has no reviewers
        raise not_reviewer
    try:
        _decide(session, caller, script, request.approval_id, _VERDICTS[body.status], body.comments)
    except approvals.NotApprover:
        raise not_reviewer from None
    except (approvals.NotPending, approvals.AlreadyDecided) as exc:
        status = exc.current if isinstance(exc, approvals.NotPending) else script.status
        raise OpenCOCError(
            "COC.00040607", f"script[{script_uuid}] is {status}, not PENDING_APPROVE: nothing to review"
        ) from None
    return True


def decide_approval(
    session: Session, caller: Caller, request: approvals.Approval, verdict: Verdict, comment: str | None
) -> approvals.Approval:
    """The approvals Decider of scripts: a decision through /opencoc/v1/approvals moves the script too."""
    require(caller, "scripts.review")
    try:
        script: Script | None = load_script(
            session, tenant_id=caller.tenant_id, script_uuid=request.subject.id, for_update=True
        )
    except OpenCOCError:  # deleted since: its request was cancelled with it
        script = None
    if script is None or str(script.current_version_id) != request.subject.version:  # approvals says: cancelled
        return approvals.decide(
            session, caller=caller, approval_id=request.approval_id, verdict=verdict, comment=comment
        )
    return _decide(session, caller, script, request.approval_id, verdict, comment)


def review_queue(session: Session, *, caller: Caller) -> list[Script]:
    """The tenant's scripts pending approval that the caller reviews, oldest change first."""
    pending = session.scalars(
        select(Script)
        .where(Script.tenant_id == caller.tenant_id, Script.status == PENDING_APPROVE)
        .order_by(Script.gmt_modified)
    )
    return [s for s in pending if is_reviewer(s.reviewers, caller)]


def _is_reviewer(reviewer: dict[str, str], caller: Caller) -> bool:
    """Reviewers are matched by IAM user id; one given without an id (the seed allows it) by name."""
    if reviewer.get("reviewer_id"):
        return reviewer["reviewer_id"] == caller.user_id
    return reviewer.get("reviewer_name") == caller.user_name


def is_reviewer(reviewers: list[dict[str, str]], caller: Caller) -> bool:
    """Whether the caller is one of these reviewers (a script's `properties.reviewers`)."""
    return any(_is_reviewer(r, caller) for r in reviewers)


def decisions(session: Session, *, tenant_id: int, script_uuid: str) -> list[ScriptReview]:
    """Every review decision on the script, newest first."""
    return list(
        session.scalars(
            select(ScriptReview)
            .where(ScriptReview.tenant_id == tenant_id, ScriptReview.script_uuid == script_uuid)
            .order_by(ScriptReview.id.desc())
        )
    )
