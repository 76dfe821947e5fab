"""Statuses of orders and instances, and which operation each status allows (the state machine)."""

from typing import Literal, get_args

# Order statuses (the seed also lists ERROR and ROLLBACKED, which nothing here produces).
READY = "READY"
PROCESSING = "PROCESSING"
PAUSED = "PAUSED"
FINISHED = "FINISHED"
ABNORMAL = "ABNORMAL"
CANCELED = "CANCELED"

OrderStatus = Literal["READY", "PROCESSING", "ABNORMAL", "PAUSED", "CANCELED", "FINISHED"]
ORDER_STATUSES: tuple[str, ...] = get_args(OrderStatus)
ORDER_ENDED = frozenset({FINISHED, ABNORMAL, CANCELED})

# Instance statuses, in the order statistics list them (as the seed's example does).
InstanceStatus = Literal["READY", "PROCESSING", "ABNORMAL", "CANCELED", "FINISHED"]
INSTANCE_STATUSES: tuple[str, ...] = get_args(InstanceStatus)
INSTANCE_ENDED = frozenset({FINISHED, ABNORMAL, CANCELED})
# What an agent may report for a task it ran.
ResultStatus = Literal["FINISHED", "ABNORMAL", "CANCELED"]
RESULT_STATUSES: tuple[str, ...] = get_args(ResultStatus)

RotationStrategy = Literal["CONTINUE", "PAUSE"]
PAUSE = "PAUSE"

OperationType = Literal[
    "CANCEL_INSTANCE", "SKIP_BATCH", "CANCEL_ORDER", "PAUSE_ORDER", "CONTINUE_ORDER", "RETRY_INSTANCE"
]

# operation -> order statuses it applies to
ORDER_ALLOWS: dict[str, frozenset[str]] = {
    "PAUSE_ORDER": frozenset({PROCESSING}),
    "CONTINUE_ORDER": frozenset({PAUSED}),
    "CANCEL_ORDER": frozenset({READY, PROCESSING, PAUSED}),
    "SKIP_BATCH": frozenset({READY, PROCESSING, PAUSED}),
    "CANCEL_INSTANCE": frozenset({READY, PROCESSING, PAUSED}),
    "RETRY_INSTANCE": frozenset({PROCESSING, PAUSED, ABNORMAL}),
}

# instance operation -> instance statuses it applies to
INSTANCE_ALLOWS: dict[str, frozenset[str]] = {
    "CANCEL_INSTANCE": frozenset({READY, PROCESSING}),
    "RETRY_INSTANCE": frozenset({ABNORMAL, CANCELED}),
}
