"""An operation of the incident's history in words a person reads ("accepted the incident"), for timelines.

The operator is shown beside the words, so they start with the verb. An operation this table does
not know (a key another domain added later) is shown by its key.
"""

from typing import Any

from opencoc.incidents import enums
from opencoc.incidents import v2_workflow as wf

_PLAIN: dict[str, str] = {
    enums.CREATE: "created the incident",
    enums.ACCEPT: "accepted the incident",
    enums.COMMIT_SOLUTION: "submitted a solution",
    wf.ACCEPTED: "accepted the incident",
    wf.COMMIT_SOLUTION: "submitted a solution",
    wf.PAUSE: "asked to pause the incident",
    wf.RECOVERY: "resumed the incident",
    wf.REOPEN: "reopened the incident",
    wf.RESUMED: "resumed the incident: its pause ended",
    "escalate": "escalated the incident to the next on-call level",
    "alarmCleared": "cleared an alarm of the incident",
    "createWarRoom": "opened the war room",
    "warRoomStatus": "changed the war room's status",
}
# `agreed` and `rejected` mean what the node they were done at says.
_DECISIONS: dict[tuple[str, str], str] = {
    (wf.PAUSE_APPROVAL_NODE.key, wf.AGREED): "agreed to pause the incident",
    (wf.PAUSE_APPROVAL_NODE.key, wf.REJECT): "refused to pause the incident",
    (wf.LEVEL_APPROVAL_NODE.key, wf.AGREED): "agreed to change the incident's level",
    (wf.LEVEL_APPROVAL_NODE.key, wf.REJECT): "refused to change the incident's level",
    (wf.ACCEPT_NODE.key, wf.REJECT): "rejected the incident",
    (wf.REJECTED_NODE.key, wf.AGREED): "closed the rejected incident",
}
_MAX_NOTE = 200
_NOTE_KEYS = ("note", "virtual_send_comment", "pause_reason", "virtual_change_level_comment", "virtual_confirm_comment")


def _level(value: Any) -> str:
    return enums.LEVELS.get(str(value), (str(value), str(value)))[1]


def _params(parameter: dict[str, Any]) -> dict[str, Any]:
    """A v2 action's params (its row keeps them under `params`), or a v1 operation's parameter."""
    params = parameter.get("params")
    return params if isinstance(params, dict) else parameter


def _note(parameter: dict[str, Any]) -> str:
    params = _params(parameter)
    note = next((params[k] for k in _NOTE_KEYS if params.get(k)), None)
    return f": {str(note)[:_MAX_NOTE]}" if note else ""


def describe(operate_key: str, parameter: dict[str, Any] | None) -> str:
    """The operation in words (its note, target person or level where it has one)."""
    parameter = parameter or {}
    params = _params(parameter)
    if operate_key == enums.CONFIRM:
        passed = str(params.get("virtual_confirm_result", True)).lower()
        return "confirmed the solution" if passed != "false" else "sent the solution back"
    if operate_key in (wf.UNACCEPTED_FORWARD, wf.ACCEPTED_FORWARD):
        to = params.get("virtual_send_assignee") or "/".join(
            str(params.get(k) or "") for k in ("virtual_schedule_type", "virtual_schedule_role")
        )
        return f"forwarded the incident to {to}{_note(parameter)}"
    if operate_key == wf.CHANGE_LEVEL:
        return f"asked to change the level to {_level(params.get('virtual_target_level'))}{_note(parameter)}"
    if operate_key == wf.ADD_REMARK:
        return f"added a remark{_note(parameter)}"
    decision = _DECISIONS.get((str(parameter.get("node")), operate_key))
    if decision is not None:
        return decision + _note(parameter)
    if operate_key == "warRoomStatus":
        return f"moved the war room from {parameter.get('from')} to {parameter.get('to')}"
    return _PLAIN.get(operate_key, operate_key) + (_note(parameter) if operate_key == wf.PAUSE else "")
