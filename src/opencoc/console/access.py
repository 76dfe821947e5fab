"""What the signed-in user may change in the console: viewers read everything and change nothing.

The role is the API's (`me.caller.role`), checked again by every service: the console only hides
what would be refused.
"""

from starlette.requests import Request
from starlette.responses import HTMLResponse

from opencoc.console.errors import error_page
from opencoc.console.session import Me

ADMIN, VIEWER = "admin", "viewer"


def role_of(me: Me) -> str:
    return me.caller.role


def can_change(me: Me) -> bool:
    return role_of(me) != VIEWER


def is_admin(me: Me) -> bool:
    return role_of(me) == ADMIN


def refused(request: Request, me: Me, what: str) -> HTMLResponse:
    """The 403 page of a change the user's role does not allow (nothing was changed)."""
    return error_page(request, 403, f"Your role, {role_of(me)}, may not {what}.")
