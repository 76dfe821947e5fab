"""Statuses of a script: PENDING_APPROVE until a reviewer decides, then APPROVED or REJECTED."""

from typing import Literal

PENDING_APPROVE = "PENDING_APPROVE"
APPROVED = "APPROVED"
REJECTED = "REJECTED"

ReviewStatus = Literal["APPROVED", "REJECTED"]
"""What a reviewer decides (the body of POST /v1/job/scripts/{script_uuid}/action)."""
