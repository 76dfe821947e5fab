"""The incident state machine as a table, and who may perform each operation.

| operate_key         | from status  | to status                                         |
|---------------------|--------------|---------------------------------------------------|
| acceptedIncident1   | TRIGGERED    | ACKNOWLEDGED                                      |
| commitSolution1     | ACKNOWLEDGED | RESOLVED (handle_time set)                        |
| confirm (result ok) | RESOLVED     | COMPLETED                                         |
| confirm (rejected)  | RESOLVED     | ACKNOWLEDGED (handled again, by the same people)  |

Operators are opaque ids from COC's personnel directory (they need not be OpenCOC users):
- accept: an id in `incident_assignee`; an incident assigned by scene and role (no assignee)
  may be accepted by anyone: the person on call (`oncall_assignee`, resolved at creation), or
  whoever an escalation reached. Whoever accepts is recorded as the incident's `acceptor`.
- commitSolution1: an id in `incident_assignee`, the person on call, or the acceptor.
- confirm: the creator, an id in `incident_assignee`, the person on call, or the acceptor.

The person on call is kept in `oncall_assignee`, not written into `incident_assignee`: the
Terraform resource reads `incident_assignee` back and the detail must stay as created.

No operation changes what the creator gave (assignee, type, interruption, start time, ...): the
acceptor is kept beside `incident_assignee`, so an incident assigned by scene and role keeps an
empty assignee list, and the solution's own values are kept with the solution.
"""

from opencoc.core.errors import OpenCOCError
from opencoc.incidents import enums

TRANSITIONS: dict[tuple[str, str, bool], str] = {
    (enums.ACCEPT, enums.TRIGGERED, True): enums.ACKNOWLEDGED,
    (enums.COMMIT_SOLUTION, enums.ACKNOWLEDGED, True): enums.RESOLVED,
    (enums.CONFIRM, enums.RESOLVED, True): enums.COMPLETED,
    (enums.CONFIRM, enums.RESOLVED, False): enums.ACKNOWLEDGED,
}


def next_status(operate_key: str, status: str, passed: bool = True) -> str:
    """The status after `operate_key`; a 400 naming the current status when it is not allowed."""
    target = TRANSITIONS.get((operate_key, status, passed))
    if target is None:
        raise not_allowed(operate_key, status)
    return target


def not_allowed(operate_key: str, status: str) -> OpenCOCError:
    return OpenCOCError(
        enums.WRONG_STATUS_CODE, f"operate_key[{operate_key}] is not allowed in incident status[{status}]"
    )


def held(operate_key: str, status: str, phase: str) -> OpenCOCError:
    """v1's operations wait while a v2 pause or approval is under way (incidents/v2_workflow.py)."""
    return OpenCOCError(
        enums.WRONG_STATUS_CODE,
        f"operate_key[{operate_key}] is not allowed in incident status[{status}] while its phase is [{phase}]",
    )


def check_operator(
    operate_key: str,
    operator: str,
    *,
    assignees: list[str],
    acceptor: str | None,
    creator: str,
    on_call: str | None = None,
    shown_as: str | None = None,
) -> None:
    """Raise unless `operator` may perform `operate_key` (rules in the module docstring); the refusal
    names the operation `shown_as` (a v2 action checked by its v1 counterpart's rule) or `operate_key`."""
    if operator in assignees or operator in (acceptor, on_call):
        return
    if operate_key == enums.ACCEPT and not assignees:
        return
    if operate_key == enums.CONFIRM and operator == creator:
        return
    who = "an assignee, the person on call or the acceptor"
    if operate_key == enums.CONFIRM:
        who = "the creator, " + who
    raise OpenCOCError(
        enums.NOT_PERMITTED_CODE,
        f"operator[{operator}] may not {shown_as or operate_key}: only {who} of the incident may",
    )
