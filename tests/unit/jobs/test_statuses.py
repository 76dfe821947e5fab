"""Order and instance statuses (jobs/statuses.py): which operation each status allows."""

from typing import get_args

import pytest

from opencoc.jobs import statuses as st

OPERATIONS = get_args(st.OperationType)


def test_every_operation_of_the_wire_has_a_rule() -> None:
    assert set(OPERATIONS) == set(st.ORDER_ALLOWS)
    assert set(st.INSTANCE_ALLOWS) == {"CANCEL_INSTANCE", "RETRY_INSTANCE"}


@pytest.mark.parametrize("status", [st.FINISHED, st.CANCELED])
def test_a_finished_or_canceled_order_allows_no_operation(status: str) -> None:
    assert [op for op in OPERATIONS if status in st.ORDER_ALLOWS[op]] == []


def test_an_abnormal_order_may_only_retry_an_instance() -> None:
    assert [op for op in OPERATIONS if st.ABNORMAL in st.ORDER_ALLOWS[op]] == ["RETRY_INSTANCE"]


def test_pause_applies_to_a_running_order_and_continue_to_a_paused_one() -> None:
    assert st.ORDER_ALLOWS["PAUSE_ORDER"] == {st.PROCESSING}
    assert st.ORDER_ALLOWS["CONTINUE_ORDER"] == {st.PAUSED}
    for op in ("CANCEL_ORDER", "SKIP_BATCH", "CANCEL_INSTANCE"):
        assert st.ORDER_ALLOWS[op] == {st.READY, st.PROCESSING, st.PAUSED}, op


def test_an_instance_is_canceled_while_it_waits_or_runs_and_retried_once_it_failed() -> None:
    assert st.INSTANCE_ALLOWS["CANCEL_INSTANCE"] == {st.READY, st.PROCESSING}
    assert st.INSTANCE_ALLOWS["RETRY_INSTANCE"] == {st.ABNORMAL, st.CANCELED}
    assert not any(st.FINISHED in allowed for allowed in st.INSTANCE_ALLOWS.values()), "a success is final"


def test_end_states_and_the_statistics_order() -> None:
    assert st.ORDER_ENDED == st.INSTANCE_ENDED == set(st.RESULT_STATUSES) == {st.FINISHED, st.ABNORMAL, st.CANCELED}
    assert st.INSTANCE_STATUSES == ("READY", "PROCESSING", "ABNORMAL", "CANCELED", "FINISHED")
    assert set(st.ORDER_STATUSES) == set(st.INSTANCE_STATUSES) | {st.PAUSED}
