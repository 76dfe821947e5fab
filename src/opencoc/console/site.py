"""The console's place in the app: its routers under /console/, its static files, `/` for browsers, its state."""

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import RedirectResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from opencoc.auth import revocations
from opencoc.auth.session_cache import SessionCache
from opencoc.console import errors, render
from opencoc.console.pages import (
    alarms,
    hosts,
    incidents,
    oncall,
    orders,
    overview,
    scripts,
    settings,
    signin,
    warrooms,
)
from opencoc.console.session import SignedIn
from opencoc.console.throttle import SignInThrottle
from opencoc.core.errors import OpenCOCError
from opencoc.core.route_gate import RouteGate

# Every page family's router; a new family adds its module here (and its NAV entry in render.py).
PAGES: tuple[APIRouter, ...] = (
    signin.router,
    incidents.router,
    overview.router,
    alarms.router,
    oncall.router,
    warrooms.router,
    scripts.router,
    orders.router,
    hosts.router,
    settings.router,
)

owns = errors.owns
error_page = errors.error_page


class _CachedStatic(StaticFiles):
    """Static files a browser may keep for a day (their URLs carry render.STATIC_VERSION)."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code == 200:
            response.headers["Cache-Control"] = "public, max-age=86400"
        return response


def install(app: FastAPI) -> None:
    """Mount the console on `app`."""
    app.state.console_throttle = SignInThrottle()
    app.state.console_sessions = sessions = SessionCache()
    app.state.wakeups.subscribe(revocations.USER_PREFIX, sessions.evict_user)
    pages = APIRouter()
    for router in PAGES:
        pages.include_router(router)
    app.include_router(pages, include_in_schema=False)
    # first, behind its prefix: the API's requests skip the pages, the pages skip the API's routes
    app.router.routes.insert(0, RouteGate("/console/", app.router.routes.pop()))
    app.mount("/console/static", _CachedStatic(directory=render.HERE / "static"), name="console-static")
    errors.install(app)

    @app.get("/console", include_in_schema=False)
    @app.get("/console/", include_in_schema=False)
    async def home(me: SignedIn) -> RedirectResponse:
        return RedirectResponse("/console/overview", status_code=303)

    @app.get("/", include_in_schema=False)
    async def root(request: Request) -> RedirectResponse:
        """A browser asking for the server's root gets the console; an API client the usual 404."""
        if "text/html" not in request.headers.get("accept", ""):
            raise OpenCOCError("COC.00000404", "resource not found", status=404)
        return RedirectResponse("/console/", status_code=303)
