"""The v2 incident workflow as tables: its nodes, the node an incident is at, the actions valid there.

An incident is at exactly one node, read from its v1 `status` and its v2 `phase`:

| node                    | status (v1)  | phase          | actions                                               |
|-------------------------|--------------|----------------|-------------------------------------------------------|
| incident_accept         | TRIGGERED    | -              | accepted, unAcceptedForward, rejected, addRemark      |
| incident_handle         | ACKNOWLEDGED | -              | commitSolution, acceptedForward, incidentPause,       |
|                         |              |                | changeLevel, addRemark                                |
| incident_pause_approval | ACKNOWLEDGED | PAUSE_APPROVAL | agreed, rejected, addRemark                           |
| incident_paused         | ACKNOWLEDGED | PAUSED         | recovery, addRemark                                   |
| incident_level_approval | ACKNOWLEDGED | LEVEL_APPROVAL | agreed, rejected, addRemark                           |
| incident_confirm        | RESOLVED     | -              | confirm, addRemark                                    |
| incident_rejected       | REJECTED     | -              | Reopen (or ReOpen), agreed (close), addRemark         |
| incident_end            | COMPLETED    | -              | -                                                     |

The SDK's status enum has no paused value, so a paused incident (or one whose pause or level
change waits for approval) stays INCIDENT_STATUS_ACKNOWLEDGED on the v1 detail; v1's
commitSolution1 is refused until it leaves that phase. `agreed` and `rejected` mean what the node
they are done at says. v1's operations move the same status, so both APIs see one workflow.
"""

from typing import NamedTuple

from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums

PAUSE_APPROVAL = "PAUSE_APPROVAL"
PAUSED = "PAUSED"
LEVEL_APPROVAL = "LEVEL_APPROVAL"
REJECTED = "INCIDENT_STATUS_REJECTED"

ACCEPTED = "accepted"
UNACCEPTED_FORWARD = "unAcceptedForward"
ACCEPTED_FORWARD = "acceptedForward"
ADD_REMARK = "addRemark"
COMMIT_SOLUTION = "commitSolution"
CONFIRM = "confirm"
PAUSE = "incidentPause"
AGREED = "agreed"
REJECT = "rejected"
RECOVERY = "recovery"
CHANGE_LEVEL = "changeLevel"
REOPEN = "Reopen"
# The history's key of a pause that ended by itself at its `pause_end_time` (the server's step, not an action).
RESUMED = "pauseEnded"
# The provider's docs spell it both ways; the stored action is REOPEN.
SPELLINGS = {"ReOpen": REOPEN}
ACTIONS = (
    ACCEPTED, UNACCEPTED_FORWARD, ACCEPTED_FORWARD, ADD_REMARK, COMMIT_SOLUTION, CONFIRM, PAUSE, AGREED, REJECT,
    RECOVERY, CHANGE_LEVEL, REOPEN,
)  # fmt: skip


class Node(NamedTuple):
    key: str
    name: str
    status: str
    phase: str | None
    actions: tuple[str, ...]


ACCEPT_NODE = Node(
    "incident_accept", "Accept", enums.TRIGGERED, None, (ACCEPTED, UNACCEPTED_FORWARD, REJECT, ADD_REMARK)
)
HANDLE_NODE = Node(
    "incident_handle",
    "Handle",
    enums.ACKNOWLEDGED,
    None,
    (COMMIT_SOLUTION, ACCEPTED_FORWARD, PAUSE, CHANGE_LEVEL, ADD_REMARK),
)
PAUSE_APPROVAL_NODE = Node(
    "incident_pause_approval", "Pause approval", enums.ACKNOWLEDGED, PAUSE_APPROVAL, (AGREED, REJECT, ADD_REMARK)
)
PAUSED_NODE = Node("incident_paused", "Paused", enums.ACKNOWLEDGED, PAUSED, (RECOVERY, ADD_REMARK))
LEVEL_APPROVAL_NODE = Node(
    "incident_level_approval", "Level change approval", enums.ACKNOWLEDGED, LEVEL_APPROVAL, (AGREED, REJECT, ADD_REMARK)
)
CONFIRM_NODE = Node("incident_confirm", "Confirm", enums.RESOLVED, None, (CONFIRM, ADD_REMARK))
REJECTED_NODE = Node("incident_rejected", "Rejected", REJECTED, None, (REOPEN, AGREED, ADD_REMARK))
END_NODE = Node("incident_end", "End", enums.COMPLETED, None, ())

NODES = (
    ACCEPT_NODE, HANDLE_NODE, PAUSE_APPROVAL_NODE, PAUSED_NODE, LEVEL_APPROVAL_NODE, CONFIRM_NODE, REJECTED_NODE,
    END_NODE,
)  # fmt: skip
# The main path, in order: what GET .../tasks lists after the node the incident is at.
MAIN_PATH = (ACCEPT_NODE, HANDLE_NODE, CONFIRM_NODE, END_NODE)
_BY_STATE = {(n.status, n.phase): n for n in NODES}


class Move(NamedTuple):
    """Where an action at a node leads: the new status and phase (None: unchanged status)."""

    status: str
    phase: str | None


MOVES: dict[tuple[str, str], Move] = {
    (ACCEPT_NODE.key, ACCEPTED): Move(enums.ACKNOWLEDGED, None),
    (ACCEPT_NODE.key, UNACCEPTED_FORWARD): Move(enums.TRIGGERED, None),
    (ACCEPT_NODE.key, REJECT): Move(REJECTED, None),
    (HANDLE_NODE.key, COMMIT_SOLUTION): Move(enums.RESOLVED, None),
    (HANDLE_NODE.key, ACCEPTED_FORWARD): Move(enums.ACKNOWLEDGED, None),
    (HANDLE_NODE.key, PAUSE): Move(enums.ACKNOWLEDGED, PAUSE_APPROVAL),
    (HANDLE_NODE.key, CHANGE_LEVEL): Move(enums.ACKNOWLEDGED, LEVEL_APPROVAL),
    (PAUSE_APPROVAL_NODE.key, AGREED): Move(enums.ACKNOWLEDGED, PAUSED),
    (PAUSE_APPROVAL_NODE.key, REJECT): Move(enums.ACKNOWLEDGED, None),
    (PAUSED_NODE.key, RECOVERY): Move(enums.ACKNOWLEDGED, None),
    (LEVEL_APPROVAL_NODE.key, AGREED): Move(enums.ACKNOWLEDGED, None),
    (LEVEL_APPROVAL_NODE.key, REJECT): Move(enums.ACKNOWLEDGED, None),
    (REJECTED_NODE.key, REOPEN): Move(enums.TRIGGERED, None),
    (REJECTED_NODE.key, AGREED): Move(enums.COMPLETED, None),
    # confirm's target depends on its result: see confirm_move
}


def node_at(status: str, phase: str | None) -> Node:
    """The node an incident with this status and phase is at (a draft or unknown status: the end)."""
    return _BY_STATE.get((status, phase), END_NODE)


def state_name(node: Node) -> str:
    """How an error names the state: the status, and the phase when there is one."""
    return f"{node.status}/{node.phase}" if node.phase else node.status


def not_allowed(action: str, node: Node) -> OpenCOCError:
    valid = ", ".join(node.actions) or "none"
    return OpenCOCError(
        enums.WRONG_STATUS_CODE,
        f"action[{action}] is not allowed in incident state[{state_name(node)}] (node {node.key}; valid: {valid})",
    )


def canonical(action: str) -> str:
    return SPELLINGS.get(action, action)


def move(node: Node, action: str, *, confirmed: bool = True) -> Move:
    """The status and phase after `action` at `node`; a 400 naming the action and the state when not valid."""
    if action not in node.actions:
        raise not_allowed(action, node)
    if action == ADD_REMARK:
        return Move(node.status, node.phase)
    if action == CONFIRM:
        return Move(enums.COMPLETED if confirmed else enums.ACKNOWLEDGED, None)
    return MOVES[(node.key, action)]


def task_id(incident_num: str, node: Node, task_seq: int) -> str:
    """The id of one visit of `node`: the next v2 state change makes it stale."""
    return f"{incident_num}-{node.key}-{task_seq}"
