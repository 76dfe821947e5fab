"""The incident's operations in words for the war-room timeline: v1 and v2 alike, unknown keys as they are."""

import pytest

from opencoc.incidents.wording import describe


@pytest.mark.parametrize(
    ("operate_key", "parameter", "words"),
    [
        ("acceptedIncident1", {}, "accepted the incident"),
        ("confirm", {"virtual_confirm_result": "false"}, "sent the solution back"),
        ("confirm", {"node": "incident_confirm", "params": {"virtual_confirm_result": True}}, "confirmed the solution"),
        ("acceptedForward", {"params": {"virtual_send_assignee": "u-bob", "virtual_send_comment": "yours"}},
         "forwarded the incident to u-bob: yours"),
        ("unAcceptedForward", {"params": {"virtual_schedule_type": "db", "virtual_schedule_role": "dba"}},
         "forwarded the incident to db/dba"),
        ("agreed", {"node": "incident_pause_approval", "params": {}}, "agreed to pause the incident"),
        ("rejected", {"node": "incident_accept", "params": {"virtual_confirm_comment": "not ours"}},
         "rejected the incident: not ours"),
        ("agreed", {"node": "incident_rejected", "params": {}}, "closed the rejected incident"),
        ("pauseEnded", {"node": "incident_paused"}, "resumed the incident: its pause ended"),
        ("escalate", {"level": 2}, "escalated the incident to the next on-call level"),
        ("somethingNew", None, "somethingNew"),
    ],
)  # fmt: skip
def test_an_operation_reads_as_words(operate_key: str, parameter: dict[str, object] | None, words: str) -> None:
    assert describe(operate_key, parameter) == words
