"""The incident state machine (incidents/workflow.py): which operation moves which status, and who may act."""

import pytest

from opencoc.core.errors import OpenCOCError
from opencoc.incidents import workflow

TRIGGERED, ACKNOWLEDGED = "INCIDENT_STATUS_TRIGGERED", "INCIDENT_STATUS_ACKNOWLEDGED"
RESOLVED, COMPLETED = "INCIDENT_STATUS_RESOLVED", "INCIDENT_STATUS_COMPLETED"
ACCEPT, COMMIT, CONFIRM = "acceptedIncident1", "commitSolution1", "confirm"
ALL_STATUSES = (TRIGGERED, ACKNOWLEDGED, RESOLVED, COMPLETED, "INCIDENT_STATUS_REJECTED", "incident_draft")


@pytest.mark.parametrize(
    ("operate_key", "status", "passed", "after"),
    [
        (ACCEPT, TRIGGERED, True, ACKNOWLEDGED),
        (COMMIT, ACKNOWLEDGED, True, RESOLVED),
        (CONFIRM, RESOLVED, True, COMPLETED),
        (CONFIRM, RESOLVED, False, ACKNOWLEDGED),
    ],
)
def test_each_allowed_operation_moves_to_its_status(operate_key: str, status: str, passed: bool, after: str) -> None:
    assert workflow.next_status(operate_key, status, passed) == after


def test_confirm_passes_unless_told_otherwise() -> None:
    assert workflow.next_status(CONFIRM, RESOLVED) == COMPLETED


ALLOWED = {(ACCEPT, TRIGGERED), (COMMIT, ACKNOWLEDGED), (CONFIRM, RESOLVED)}
REFUSED = [(k, s) for k in (ACCEPT, COMMIT, CONFIRM) for s in ALL_STATUSES if (k, s) not in ALLOWED]


@pytest.mark.parametrize(("operate_key", "status"), REFUSED)
def test_every_other_operation_is_refused_naming_the_status(operate_key: str, status: str) -> None:
    with pytest.raises(OpenCOCError) as refused:
        workflow.next_status(operate_key, status)
    assert (refused.value.status, refused.value.error_code) == (400, "COC.00067004")
    assert refused.value.error_msg == f"operate_key[{operate_key}] is not allowed in incident status[{status}]"


@pytest.mark.parametrize("operate_key", ["create", "acceptedIncident2", "", "CONFIRM"])
def test_an_unknown_operation_is_refused_in_any_status(operate_key: str) -> None:
    for status in ALL_STATUSES:
        with pytest.raises(OpenCOCError) as refused:
            workflow.next_status(operate_key, status)
        assert refused.value.error_code == "COC.00067004"


def _may(operate_key: str, operator: str, assignees: list[str], acceptor: str | None = None) -> bool:
    try:
        workflow.check_operator(operate_key, operator, assignees=assignees, acceptor=acceptor, creator="creator")
    except OpenCOCError as refused:
        assert (refused.status, refused.error_code) == (400, "COC.00067005")
        assert refused.error_msg.startswith(f"operator[{operator}] may not {operate_key}: only ")
        return False
    return True


def test_only_an_assignee_accepts_an_incident_assigned_to_people() -> None:
    assert _may(ACCEPT, "alice", ["alice"])
    assert not _may(ACCEPT, "creator", ["alice"])
    assert not _may(ACCEPT, "stranger", ["alice"])


def test_anyone_accepts_an_incident_assigned_by_scene_and_role() -> None:
    assert _may(ACCEPT, "oncall-7", [])


@pytest.mark.parametrize("operate_key", [COMMIT, CONFIRM])
def test_an_assignee_or_the_acceptor_handles_the_accepted_incident(operate_key: str) -> None:
    assert _may(operate_key, "alice", ["alice"])
    assert _may(operate_key, "oncall-7", [], acceptor="oncall-7")
    assert not _may(operate_key, "stranger", [], acceptor="oncall-7")
    assert not _may(operate_key, "stranger", ["alice"], acceptor="alice")


def test_the_creator_may_confirm_but_not_commit_a_solution() -> None:
    assert _may(CONFIRM, "creator", ["alice"], acceptor="alice")
    assert not _may(COMMIT, "creator", ["alice"], acceptor="alice")


def test_the_refusal_says_who_may() -> None:
    with pytest.raises(OpenCOCError) as confirm:
        workflow.check_operator(CONFIRM, "x", assignees=["a"], acceptor="a", creator="c")
    assert confirm.value.error_msg == (
        "operator[x] may not confirm: only the creator, an assignee, the person on call or the acceptor"
        " of the incident may"
    )
    with pytest.raises(OpenCOCError) as commit:
        workflow.check_operator(COMMIT, "x", assignees=["a"], acceptor="a", creator="c")
    assert commit.value.error_msg == (
        "operator[x] may not commitSolution1: only an assignee, the person on call or the acceptor of the incident may"
    )
