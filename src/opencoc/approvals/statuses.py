"""Statuses of an approval request and the verdicts an approver gives, once."""

from typing import Final, Literal

PENDING = "PENDING"
APPROVED = "APPROVED"
REJECTED = "REJECTED"
CANCELLED = "CANCELLED"
STATUSES = (PENDING, APPROVED, REJECTED, CANCELLED)

Verdict = Literal["APPROVE", "REJECT"]
APPROVE: Final = "APPROVE"
REJECT: Final = "REJECT"
