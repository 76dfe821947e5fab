"""Wire models of the approvals API (/opencoc/v1/approvals) and the values other domains pass in."""

from pydantic import BaseModel, Field

from opencoc.approvals.statuses import Verdict

MAX_COMMENT = 1024
APPROVAL_ID_PATTERN = r"^[0-9a-f]{32}$"  # pydantic-core regex: `$` is the very end


class Subject(BaseModel):
    """What a request is about: e.g. kind "script", id its script_uuid, version its version id."""

    kind: str = Field(min_length=1, max_length=32)
    id: str = Field(min_length=1, max_length=64)
    version: str | None = Field(default=None, max_length=64)


class Approver(BaseModel):
    """A user who may decide; one named without an id is matched by name (as COC's script reviewers are)."""

    user_id: str = Field(default="", max_length=64)
    user_name: str = Field(default="", max_length=64)


class Decision(BaseModel):
    approver_id: str
    approver_name: str
    verdict: Verdict
    comment: str | None
    gmt_created: int


class Approval(BaseModel):
    """A request with its approvers and, in order, the decisions taken on it."""

    approval_id: str
    subject: Subject
    title: str
    requester_id: str
    requester_name: str
    approvers: list[Approver]
    required: int
    approved_count: int
    status: str
    gmt_created: int
    gmt_modified: int
    decisions: list[Decision]


class ApprovalPage(BaseModel):
    approvals: list[Approval]
    next_marker: str | None = None


class DecisionBody(BaseModel):
    """POST /opencoc/v1/approvals/{approval_id}/approve (or /reject)."""

    comment: str | None = Field(default=None, max_length=MAX_COMMENT)


class ApprovalResponse(BaseModel):
    data: Approval


class ApprovalPageResponse(BaseModel):
    data: ApprovalPage
