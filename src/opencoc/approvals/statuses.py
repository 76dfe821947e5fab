"""Statuses of an approval request and the verdicts an approver gives, once."""

from typing import Literal

PENDING = "PENDING"
APPROVED = "APPROVED"
REJECTED = "REJECTED"
CANCELLED = "CANCELLED"
STATUSES = (PENDING, APPROVED, REJECTED, CANCELLED)

APPROVE = "APPROVE"
REJECT = "REJECT"
Verdict = Literal["APPROVE", "REJECT"]
