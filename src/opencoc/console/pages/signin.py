"""Sign in (tenant, user name, password) and sign out.

The sign-in form is protected from cross-site posting by a double-submit token: a random value in
a short-lived cookie and the same value in the form. Failures are logged (never the password) and
slowed down to 5 a minute per user and address (console/throttle.py).
"""

import hmac
import logging
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from opencoc.auth import service as auth
from opencoc.auth import sessions
from opencoc.console import render
from opencoc.console.deps import Throttle
from opencoc.console.session import COOKIE, SIGN_IN_PATH, Changing, clear_cookie, session_cache_of, set_cookie
from opencoc.core.clock import now_ms
from opencoc.core.deps import Db
from opencoc.core.errors import OpenCOCError

log = logging.getLogger("opencoc.console")
router = APIRouter()
PRE_COOKIE = "opencoc_sign_in"
HOME = "/console/"


async def _form(
    request: Request, *, status: int = 200, error: str = "", tenant: str = "", user: str = ""
) -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    response = await render.page(
        request, None, "signin.html", status=status, error=error, tenant=tenant, user=user, sign_in_token=token
    )
    set_cookie(response, request, PRE_COOKIE, token, max_age=3600)
    return response


@router.get(SIGN_IN_PATH, response_class=HTMLResponse)
async def sign_in_form(request: Request) -> HTMLResponse:
    return await _form(request)


@router.post(SIGN_IN_PATH, response_class=HTMLResponse)
async def sign_in(
    request: Request,
    db: Db,
    throttle: Throttle,
    tenant: Annotated[str, Form(max_length=64)] = "",
    user: Annotated[str, Form(max_length=64)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    sign_in_token: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """A session for the user whose password matches; the form again, with the reason, otherwise."""
    expected = request.cookies.get(PRE_COOKIE, "")
    if not expected or not hmac.compare_digest(expected.encode(), sign_in_token.encode()):
        return await _form(request, status=403, error="The sign-in form expired. Please try again.", tenant=tenant)
    address = request.client.host if request.client else ""
    key = (tenant, user, address)
    if throttle.blocked(key):
        log.warning("console sign-in refused (too many failures): tenant=%r user=%r address=%s", tenant, user, address)
        return await _form(
            request,
            status=429,
            error="Too many failed sign-ins. Wait a minute and try again.",
            tenant=tenant,
            user=user,
        )
    try:
        login = await db.run_read(
            lambda s: auth.check_password(s, domain_name=tenant, user_name=user, password=password)
        )
    except OpenCOCError:
        throttle.failed(key)
        log.warning("console sign-in failed: tenant=%r user=%r address=%s", tenant, user, address)
        return await _form(
            request, status=401, error="Tenant, user name or password is wrong.", tenant=tenant, user=user
        )
    session_id, _ = await db.run_write(
        lambda s: sessions.start(s, user_pk=login.user_pk, tenant_id=login.tenant_id, now=now_ms())
    )
    log.info("console sign-in: tenant=%r user=%r address=%s", tenant, user, address)
    response = RedirectResponse(HOME, status_code=303)
    set_cookie(response, request, COOKIE, session_id)  # ends with the browser; idle expiry is the server's
    clear_cookie(response, PRE_COOKIE)
    return response


@router.post("/console/sign-out")
async def sign_out(request: Request, me: Changing, db: Db) -> Response:
    """End the session (its row is deleted) and go back to the sign-in page."""
    await db.run_write(lambda s: sessions.end(s, session_id=me.session_id, user_id=me.caller.user_id, now=now_ms()))
    session_cache_of(request).evict(me.session_id)  # here at once; other processes at the revocation
    response = RedirectResponse(SIGN_IN_PATH, status_code=303)
    clear_cookie(response, COOKIE)
    return response
