"""Review of a script pending approval: one of its reviewers approves or rejects it."""

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from opencoc.auth.caller import Caller
from opencoc.core.clock import now_ms
from opencoc.core.errors import OpenCOCError
from opencoc.scripts.models import Script, ScriptReview
from opencoc.scripts.schemas import ApprovalJobScriptModel
from opencoc.scripts.statuses import PENDING_APPROVE
from opencoc.scripts.versions import load_script


def _is_reviewer(reviewer: dict[str, str], caller: Caller) -> bool:
    """Reviewers are matched by IAM user id; one given without an id (the seed allows it) by name."""
    if reviewer.get("reviewer_id"):
        return reviewer["reviewer_id"] == caller.user_id
    return reviewer.get("reviewer_name") == caller.user_name


def accept_script(session: Session, *, caller: Caller, script_uuid: str, body: ApprovalJobScriptModel) -> bool:
    """Record the caller's decision; only a reviewer of the script, only while it is pending."""
    script = load_script(session, tenant_id=caller.tenant_id, script_uuid=script_uuid, for_update=True)
    reviewer = next((r for r in script.reviewers if _is_reviewer(r, caller)), None)
    if reviewer is None:
        raise OpenCOCError(
            "COC.00040606",
            f"user[{caller.user_name}] is not a reviewer of script[{script_uuid}]: only its reviewers may approve it",
            status=403,
        )
    # Guarded in the database: of two concurrent decisions on the same version only one wins.
    decided = session.execute(
        update(Script)
        .where(
            Script.id == script.id,
            Script.status == PENDING_APPROVE,
            Script.current_version_id == script.current_version_id,
        )
        .values(status=body.status, gmt_modified=max(now_ms(), script.gmt_modified + 1))
        .execution_options(synchronize_session=False)
    )
    if decided.rowcount != 1:  # type: ignore[attr-defined]
        raise OpenCOCError(
            "COC.00040607", f"script[{script_uuid}] is {script.status}, not PENDING_APPROVE: nothing to review"
        )
    session.add(
        ScriptReview(
            tenant_id=caller.tenant_id,
            script_uuid=script_uuid,
            version_id=script.current_version_id,
            reviewer_id=caller.user_id,
            reviewer_name=caller.user_name,
            status=body.status,
            comments=body.comments,
            gmt_created=now_ms(),
        )
    )
    return True


def review_queue(session: Session, *, caller: Caller) -> list[Script]:
    """The tenant's scripts pending approval that the caller reviews, oldest change first."""
    pending = session.scalars(
        select(Script)
        .where(Script.tenant_id == caller.tenant_id, Script.status == PENDING_APPROVE)
        .order_by(Script.gmt_modified)
    )
    return [s for s in pending if is_reviewer(s.reviewers, caller)]


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
