"""Who is signed in to the console: the session cookie -> the same `Caller` the API uses, and the CSRF check.

Console routes never take the API's credentials (signatures, X-Auth-Token): their only
credential is this cookie, and every state-changing request must also carry the session's CSRF
token, as the form field `csrf_token` or the `X-CSRF-Token` header (htmx sends it).
"""

import hmac
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection
from starlette.responses import Response

from opencoc.auth import sessions
from opencoc.auth.caller import Caller
from opencoc.auth.session_cache import SessionCache
from opencoc.config import Settings
from opencoc.core.clock import now_ms
from opencoc.core.deps import database, settings_of

COOKIE = "opencoc_console"
SIGN_IN_PATH = "/console/sign-in"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class SignInRequired(Exception):
    """No live session: the browser is sent to the sign-in page (console/errors.py)."""


class CsrfRefused(Exception):
    """A state-changing request without the session's CSRF token: 403, nothing changed."""


@dataclass(frozen=True)
class Me:
    """The signed-in user of a console request."""

    caller: Caller
    csrf_token: str
    session_id: str


def session_cache_of(conn: HTTPConnection) -> SessionCache:
    """The process's kept sessions, built by console.install."""
    cache: SessionCache = conn.app.state.console_sessions  # Starlette's State is untyped
    return cache


async def signed_in(request: Request) -> Me:
    """The request's live session; SignInRequired when there is none (missing, signed out, idle too long)."""
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        raise SignInRequired
    db, settings, kept = database(request), settings_of(request), session_cache_of(request)
    now, idle_ms = now_ms(), settings.console_idle_seconds * 1000
    found = kept.get(session_id, now=now, idle_ms=idle_ms)
    if found is None:
        found = await db.run_read(lambda s: sessions.resolve(s, session_id=session_id, now=now, idle_ms=idle_ms))
        if found is None:
            raise SignInRequired
        kept.put(session_id, found)
    if now - found.last_seen >= sessions.TOUCH_EVERY_MS:
        await db.run_write(lambda s: sessions.touch(s, session_id=session_id, now=now))
        kept.evict(session_id)  # the next request reads the new last_seen
    return Me(found.caller, found.csrf_token, session_id)


async def csrf_checked(request: Request, me: Annotated[Me, Depends(signed_in)]) -> Me:
    """The signed-in user of a state-changing request that carries the session's CSRF token."""
    sent: object = request.headers.get(CSRF_HEADER)
    if sent is None:
        sent = (await request.form()).get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), me.csrf_token.encode()):
        raise CsrfRefused
    return me


SignedIn = Annotated[Me, Depends(signed_in)]
Changing = Annotated[Me, Depends(csrf_checked)]


def is_https(request: Request, settings: Settings) -> bool:
    """Whether the browser reached us over HTTPS: directly, or as a trusted proxy's X-Forwarded-Proto says."""
    if request.url.scheme == "https":
        return True
    peer = request.client.host if request.client else ""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return peer in settings.trusted_proxies and forwarded == "https"


def set_cookie(response: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
    """A console cookie: HttpOnly, SameSite=Lax, Secure when the browser came over HTTPS."""
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/console",
        httponly=True,
        samesite="lax",
        secure=is_https(request, settings_of(request)),
    )


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/console", httponly=True, samesite="lax")
