"""A user's role in its tenant, and the one rule table every state-changing service call checks.

- `viewer` reads;
- `operator` also does the work: incidents, alarms, scripts and their review, orders, resources;
- `admin` also manages the tenant: alarm integrations (and, from the admin CLI, users and roles).
A service function calls `require(caller, action)` before it reads or writes anything, so the
API, the console and the CLI (which goes through the API) refuse the same calls, and a refused
call writes nothing. docs/security.md has the table.
"""

from typing import TYPE_CHECKING, Literal, NamedTuple

from opencoc.core.errors import OpenCOCError

if TYPE_CHECKING:
    from opencoc.auth.caller import Caller

Role = Literal["admin", "operator", "viewer"]
ADMIN: Role = "admin"
OPERATOR: Role = "operator"
VIEWER: Role = "viewer"
ROLES: tuple[Role, ...] = (ADMIN, OPERATOR, VIEWER)
DEFAULT_ROLE: Role = OPERATOR  # of a user created without --role: before roles, every user did the work
FORBIDDEN_CODE = "COC.00000403"
_RANK: dict[str, int] = {VIEWER: 0, OPERATOR: 1, ADMIN: 2}
_WHO: dict[Role, str] = {OPERATOR: "operator or admin", ADMIN: "admin"}

Action = Literal[
    "incidents.create",
    "incidents.handle",
    "alarms.clear",
    "alarms.convert",
    "alarms.auto_process",
    "alarms.integrations",
    "scripts.create",
    "scripts.update",
    "scripts.delete",
    "scripts.review",
    "scripts.tags",
    "orders.create",
    "orders.operate",
    "resources.sync",
    "approvals.decide",
    "attachments.write",
    "notifications.channels",
    "notifications.targets",
    "oncall.schedules",
    "warrooms.create",
    "warrooms.post",
    "warrooms.status",
    "warrooms.settings",
]


class Rule(NamedTuple):
    least: Role  # the lowest role allowed
    what: str  # the refusal names it: "role viewer may not <what>"


RULES: dict[Action, Rule] = {
    "incidents.create": Rule(OPERATOR, "create incidents"),
    "incidents.handle": Rule(OPERATOR, "handle incidents"),
    "alarms.clear": Rule(OPERATOR, "clear alarms"),
    "alarms.convert": Rule(OPERATOR, "convert alarms to incidents"),
    "alarms.auto_process": Rule(OPERATOR, "auto-process alarms"),
    "alarms.integrations": Rule(ADMIN, "manage alarm integrations"),
    "scripts.create": Rule(OPERATOR, "create scripts"),
    "scripts.update": Rule(OPERATOR, "modify scripts"),
    "scripts.delete": Rule(OPERATOR, "delete scripts"),
    # and, in scripts/review.py, only a listed reviewer of the script or an admin
    "scripts.review": Rule(OPERATOR, "review scripts"),
    "scripts.tags": Rule(OPERATOR, "tag scripts"),
    "orders.create": Rule(OPERATOR, "run scripts"),
    "orders.operate": Rule(OPERATOR, "operate script orders"),
    # operator, not admin: Terraform's huaweicloud_coc_script_execute syncs before every execute
    "resources.sync": Rule(OPERATOR, "sync resources"),
    # and, in approvals/service.py, only a listed approver of the request or an admin
    "approvals.decide": Rule(OPERATOR, "decide approval requests"),
    "attachments.write": Rule(OPERATOR, "upload or delete attachments"),
    "notifications.channels": Rule(ADMIN, "manage notification channels"),
    "notifications.targets": Rule(OPERATOR, "change notification targets"),
    "oncall.schedules": Rule(ADMIN, "edit on-call schedules"),
    "warrooms.create": Rule(OPERATOR, "open war rooms"),
    "warrooms.post": Rule(OPERATOR, "post to war room timelines"),
    "warrooms.status": Rule(OPERATOR, "change war room status"),
    "warrooms.settings": Rule(ADMIN, "change the war-room settings"),
}


def check_role(value: str) -> Role:
    """`value` as a Role; a 400 naming the roles otherwise."""
    for role in ROLES:
        if value == role:
            return role
    raise OpenCOCError("COC.00000001", f"role[{value[:32]}] invalid: expected one of {', '.join(ROLES)}")


def allows(role: str, action: Action) -> bool:
    return _RANK.get(role, -1) >= _RANK[RULES[action].least]


def is_admin(caller: "Caller") -> bool:
    return caller.role == ADMIN


def require(caller: "Caller", action: Action) -> None:
    """A 403 naming the rule unless the caller's role allows `action`."""
    if not allows(caller.role, action):
        rule = RULES[action]
        raise OpenCOCError(
            FORBIDDEN_CODE, f"role {caller.role} may not {rule.what}: {_WHO[rule.least]} only", status=403
        )
