"""A user's role in its tenant, and the one check every state-changing service call makes.

- `viewer` reads;
- `operator` also does the work: incidents, alarms, scripts and their review, orders, resources;
- `admin` also manages the tenant: integrations (and, over HTTP as they come, users, roles,
  keys and settings).
The check is made by the service functions, not the routes, so that the API, the console and
the CLI (which goes through the API) refuse the same calls. docs/security.md has the table.
"""

from typing import TYPE_CHECKING, Literal

from opencoc.core.errors import OpenCOCError

if TYPE_CHECKING:
    from opencoc.auth.caller import Caller

Role = Literal["admin", "operator", "viewer"]
ADMIN: Role = "admin"
OPERATOR: Role = "operator"
VIEWER: Role = "viewer"
ROLES: tuple[Role, ...] = (ADMIN, OPERATOR, VIEWER)
DEFAULT_ROLE: Role = OPERATOR  # of a user created without --role: the tenant's users did everything before roles

FORBIDDEN_CODE = "COC.00000403"
_RANK: dict[str, int] = {VIEWER: 0, OPERATOR: 1, ADMIN: 2}
_WHO = {OPERATOR: "operator or admin", ADMIN: "admin"}


def check_role(value: str) -> Role:
    """`value` as a Role; a 400 naming the roles otherwise."""
    for role in ROLES:
        if value == role:
            return role
    raise OpenCOCError("COC.00000001", f"role[{value[:32]}] invalid: expected one of {', '.join(ROLES)}")


def require(caller: "Caller", needed: Role, action: str) -> None:
    """A 403 unless the caller's role is `needed` or above; `action` says what was refused ("handle incidents")."""
    if _RANK.get(caller.role, -1) < _RANK[needed]:
        raise OpenCOCError(
            FORBIDDEN_CODE,
            f"user[{caller.user_name}] with role[{caller.role}] may not {action}: {_WHO[needed]} required",
            status=403,
        )


def require_operator(caller: "Caller", action: str) -> None:
    require(caller, OPERATOR, action)


def require_admin(caller: "Caller", action: str) -> None:
    require(caller, ADMIN, action)
