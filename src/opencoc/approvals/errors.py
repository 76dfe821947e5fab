"""The approvals domain's client errors (codes of our own API, in the job family's envelope)."""

from opencoc.core.errors import OpenCOCError

NOT_FOUND = "OPENCOC.APPROVAL.NOT_FOUND"
NOT_APPROVER = "OPENCOC.APPROVAL.NOT_APPROVER"
NOT_PENDING = "OPENCOC.APPROVAL.NOT_PENDING"
ALREADY_DECIDED = "OPENCOC.APPROVAL.ALREADY_DECIDED"
INVALID = "OPENCOC.APPROVAL.INVALID"


class ApprovalError(OpenCOCError):
    """An approvals error; a subject's domain may catch it and answer in its own wire's words."""


class NotFound(ApprovalError):
    def __init__(self, approval_id: str) -> None:
        super().__init__(NOT_FOUND, f"approval[{approval_id[:64]}] does not exist", status=404)


class NotApprover(ApprovalError):
    def __init__(self, user_name: str, approval_id: str) -> None:
        super().__init__(
            NOT_APPROVER,
            f"user[{user_name}] is not an approver of approval[{approval_id}]: only its approvers decide",
            status=403,
        )


class NotPending(ApprovalError):
    def __init__(self, approval_id: str, status: str) -> None:
        super().__init__(
            NOT_PENDING, f"approval[{approval_id}] is {status}, not PENDING: it takes no more decisions", status=409
        )
        self.current = status


class AlreadyDecided(ApprovalError):
    def __init__(self, user_name: str, approval_id: str) -> None:
        super().__init__(
            ALREADY_DECIDED,
            f"user[{user_name}] has already decided approval[{approval_id}]: one decision each",
            status=409,
        )


def invalid(msg: str) -> ApprovalError:
    return ApprovalError(INVALID, msg)
