"""Outbox statuses, once."""

from typing import Literal

OutboxStatus = Literal["PENDING", "SENT", "FAILED"]
PENDING: OutboxStatus = "PENDING"
SENT: OutboxStatus = "SENT"
FAILED: OutboxStatus = "FAILED"
OUTBOX_STATUSES: tuple[OutboxStatus, ...] = (PENDING, SENT, FAILED)
