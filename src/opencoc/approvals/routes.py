"""HTTP routes of approvals (/opencoc/v1/approvals, signed like every route): list, show, approve, reject."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Path, Query

from opencoc.approvals import service
from opencoc.approvals.deps import Deciders
from opencoc.approvals.schemas import APPROVAL_ID_PATTERN, ApprovalPageResponse, ApprovalResponse, DecisionBody
from opencoc.approvals.statuses import APPROVE, REJECT, Verdict
from opencoc.auth.caller import Caller
from opencoc.auth.deps import CurrentCaller
from opencoc.core.db import Database
from opencoc.core.deps import Db
from opencoc.core.envelopes import job_ok

PREFIX = "/opencoc/v1/approvals"
router = APIRouter(prefix=PREFIX, tags=["approvals"])
ApprovalId = Annotated[str, Path(pattern=APPROVAL_ID_PATTERN)]
Comment = Annotated[DecisionBody | None, Body()]  # optional: a decision without comment may send no body


@router.get("", response_model=ApprovalPageResponse)
async def list_pending(
    caller: CurrentCaller,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    marker: Annotated[str | None, Query(pattern=APPROVAL_ID_PATTERN)] = None,
) -> Any:
    """The pending requests the caller may decide, oldest first (`marker`: the last approval_id seen)."""
    page = await db.run_read(lambda s: service.list_pending(s, caller=caller, limit=limit, marker=marker))
    return job_ok(page)


@router.get("/{approval_id}", response_model=ApprovalResponse)
async def show(caller: CurrentCaller, db: Db, approval_id: ApprovalId) -> Any:
    """One request with its approvers and the decisions taken, in order."""
    return job_ok(await db.run_read(lambda s: service.get(s, tenant_id=caller.tenant_id, approval_id=approval_id)))


async def _decide(
    caller: Caller, db: Database, deciders: Deciders, approval_id: str, verdict: Verdict, body: DecisionBody | None
) -> Any:
    decided = await db.run_write(
        lambda s: service.decide_through(
            s,
            caller=caller,
            approval_id=approval_id,
            verdict=verdict,
            comment=body.comment if body else None,
            deciders=deciders,
        )
    )
    return job_ok(decided)


@router.post("/{approval_id}/approve", response_model=ApprovalResponse)
async def approve(
    caller: CurrentCaller, db: Db, deciders: Deciders, approval_id: ApprovalId, body: Comment = None
) -> Any:
    """An approver approves; the request is APPROVED once `required` approvers have (409 once decided)."""
    return await _decide(caller, db, deciders, approval_id, APPROVE, body)


@router.post("/{approval_id}/reject", response_model=ApprovalResponse)
async def reject(
    caller: CurrentCaller, db: Db, deciders: Deciders, approval_id: ApprovalId, body: Comment = None
) -> Any:
    """An approver rejects; the request is REJECTED at once (409 once decided)."""
    return await _decide(caller, db, deciders, approval_id, REJECT, body)
