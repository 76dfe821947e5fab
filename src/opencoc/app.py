"""FastAPI application factory: routers, middleware, error handlers, lifespan."""

import asyncio
import gc
import sys
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from opencoc.agents import background as agents_background
from opencoc.agents import routes as agents_routes
from opencoc.agents.admission import Admission
from opencoc.agents.enroller import Enroller
from opencoc.agents.registry import AgentRegistry
from opencoc.alarms import background as alarms_background
from opencoc.alarms import routes as alarms_routes
from opencoc.alarms.writer import AlarmWriter
from opencoc.approvals import routes as approvals_routes
from opencoc.approvals.service import Decider
from opencoc.attachments import routes as attachments_routes
from opencoc.auth import background as auth_background
from opencoc.auth import revocations
from opencoc.auth import routes as auth_routes
from opencoc.auth.deps import authenticate
from opencoc.auth.keycache import KeyCache
from opencoc.config import Settings, get_settings
from opencoc.console import site as console
from opencoc.core import heap_trim, signals, tasks
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher, load_master_key
from opencoc.core.db import Database
from opencoc.core.envelopes import default_validation_code, error_body, family_for_path
from opencoc.core.errors import OpenCOCError
from opencoc.core.fast_app import FastApp
from opencoc.core.fast_route import FastRoutes
from opencoc.core.middleware import RequestGuards
from opencoc.core.responses import FastJSONResponse
from opencoc.core.validation import describe
from opencoc.core.wakeups import Wakeups
from opencoc.incidents import background as incidents_background
from opencoc.incidents import counts as incident_counts
from opencoc.incidents import routes as incidents_routes
from opencoc.incidents import service as incidents_service
from opencoc.incidents import v2_routes as incidents_v2_routes
from opencoc.incidents import v2_service as incidents_v2
from opencoc.jobs import background as jobs_background
from opencoc.jobs import routes as jobs_routes
from opencoc.jobs import service as jobs_service
from opencoc.jobs import wake as jobs_wake
from opencoc.jobs.announced import Announced
from opencoc.jobs.groups import TaskGroups
from opencoc.jobs.offline_grace import OfflineGrace
from opencoc.jobs.poll_bare import BarePoll
from opencoc.notifications import background as notifications_background
from opencoc.notifications import deps as notifications_deps
from opencoc.notifications import directory as notifications_directory
from opencoc.notifications import routes as notifications_routes
from opencoc.notifications.allowlist import Policy as NotifyPolicy
from opencoc.oncall import background as oncall_background
from opencoc.oncall import routes as oncall_routes
from opencoc.oncall import service as oncall_service
from opencoc.resources import routes as resources_routes
from opencoc.scripts import review as scripts_review
from opencoc.scripts import routes as scripts_routes
from opencoc.warrooms import automatic as warrooms_automatic
from opencoc.warrooms import routes as warrooms_routes

if TYPE_CHECKING:
    from opencoc.core.pg_relay import PgRelay

# The hot routes first: route matching walks the routers in order and costs ~2 us per route passed
# (149 routes: matching was 43% of the server's CPU for a route at the end, py-spy). The agent
# protocol (under a fleet the agents' polls and results are most requests), then alarm webhooks
# and incident create/handle (their domains' FastRoute routers), then everything else.
ROUTERS: tuple[APIRouter, ...] = (
    agents_routes.router,
    jobs_routes.agent_router,
    alarms_routes.hot,
    incidents_routes.hot,
    auth_routes.router,
    incidents_routes.router,
    incidents_v2_routes.router,
    alarms_routes.router,
    scripts_routes.router,
    jobs_routes.router,
    resources_routes.router,
    notifications_routes.router,
    oncall_routes.router,
    warrooms_routes.router,
    warrooms_routes.own,
    approvals_routes.router,
    attachments_routes.router,
)

# The routers of FastRoutes: their routes are matched and run first and directly (core/fast_app.py).
HOT_FAST_ROUTES: tuple[APIRouter, ...] = (jobs_routes.agent_router, alarms_routes.hot, incidents_routes.hot)

# Subjects whose domain decides their approval requests itself (see approvals/service.py): kind -> Decider.
APPROVAL_DECIDERS: dict[str, Decider] = {
    scripts_review.KIND: scripts_review.decide_approval,
    incidents_v2.APPROVAL_KIND: incidents_v2.decide_approval,
}

# What a new incident starts in the domains above incidents (incidents/service.py `set_new_incident_hooks`).
NEW_INCIDENT_HOOKS: tuple[incidents_service.NewIncidentHook, ...] = (warrooms_automatic.on_new_incident,)

# Coroutines that run for the server's lifetime: (name, run(app)).
BACKGROUND: tuple[tuple[str, Callable[[FastAPI], Coroutine[Any, Any, None]]], ...] = (
    ("auth.revocations", auth_background.run),
    ("alarms.writer", alarms_background.run),
    ("notifications.outbox", notifications_background.run),
    ("oncall.escalations", oncall_background.run),
    ("incidents.pauses", incidents_background.run),
    ("jobs.sweep", jobs_background.run),
    ("agents.last-seen", agents_background.run),
    ("agents.enroller", agents_background.run_enroller),
    ("core.heap-trim", heap_trim.run),
)

# `opencoc serve`'s process settings (served_app).
SWITCH_INTERVAL_S = 0.0005
# Collections: the youngest every 20,000 allocations (a request allocates many short-lived objects);
# the middle one after 3 of those, so that its pause stays short while 10,000 open long-polls'
# objects pass through it (after 20: 100-300 ms pauses that every request in flight waited out,
# bench/agents_idle.py --restart); a full one after 1,000 of those at the soonest (CPython also
# waits until the objects promoted since the last are a quarter of the long-lived ones).
GC_THRESHOLDS = (20_000, 3, 1000)

# Routes that take bodies larger than OPENCOC_MAX_BODY_BYTES: (path prefix, limit in bytes).
BODY_LIMITS: tuple[tuple[str, int], ...] = (jobs_routes.RESULT_BODY_LIMIT,)


def _body_limits(settings: Settings) -> tuple[tuple[str, int], ...]:
    """BODY_LIMITS and the configured ones (attachments: OPENCOC_ATTACHMENT_MAX_BYTES)."""
    return (*BODY_LIMITS, attachments_routes.body_limit(settings), incidents_v2_routes.body_limit(settings))


def _pg_relay(app: FastAPI) -> "PgRelay":
    """The PostgreSQL wake-up relay; imported here, so that a server on SQLite never loads psycopg (9 MB)."""
    from opencoc.core.pg_relay import PgRelay

    return PgRelay(app.state.db.url, app.state.wakeups)


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.wakeups.bind(asyncio.get_running_loop())
    if app.state.settings.migrate_on_start:
        from opencoc.core import migrate  # here: a server started by `opencoc serve` never loads Alembic

        await asyncio.to_thread(migrate.upgrade, app.state.db)
    relay = None if app.state.db.is_sqlite else _pg_relay(app)
    if relay is not None:
        relay.start()
        app.state.wakeups.relay = relay
    running = [tasks.start(name, run(app)) for name, run in BACKGROUND]
    restore_signals = signals.on_stop_signal(asyncio.get_running_loop(), app.state.wakeups.close)
    try:
        yield
    finally:
        restore_signals()
        await tasks.stop(running)
        if relay is not None:
            relay.stop()
        app.state.db.dispose()


def _error(request: Request, status: int, code: str, msg: str) -> Response:
    if console.owns(request):  # the console's errors are pages; its routes never take API credentials
        return console.error_page(request, status, msg)
    family = "coc" if status == 401 else family_for_path(request.url.path)
    return FastJSONResponse(error_body(family, code, msg), status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(OpenCOCError)
    async def _coc_error(request: Request, exc: OpenCOCError) -> Response:
        response = _error(request, exc.status, exc.error_code, exc.error_msg)
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        code = default_validation_code(family_for_path(request.url.path))
        return _error(request, 400, code, describe(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        msg = "resource not found" if exc.status_code == 404 else str(exc.detail)
        return _error(request, exc.status_code, f"COC.00000{exc.status_code}", msg)


def _install_docs(app: FastAPI, public: bool) -> None:
    """The OpenAPI schema for signed-in callers (anyone with OPENCOC_DOCS=1); the doc pages only when public."""

    @app.get("/openapi.json", include_in_schema=False)
    async def openapi(request: Request) -> FastJSONResponse:
        if not public:
            await authenticate(request)
        return FastJSONResponse(app.openapi())

    if not public:
        return

    @app.get("/docs", include_in_schema=False)
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(openapi_url="/openapi.json", title="OpenCOC API")

    @app.get("/redoc", include_in_schema=False)
    async def redoc() -> HTMLResponse:
        return get_redoc_html(openapi_url="/openapi.json", title="OpenCOC API")


def _install_state(app: FastAPI, settings: Settings) -> None:
    """What the process holds; routes reach it through the typed dependencies (core/deps.py, <domain>/deps.py)."""
    app.state.settings = settings
    app.state.db = Database(settings.resolved_database_url)
    app.state.cipher = Cipher(load_master_key(settings))
    app.state.wakeups = wakeups = Wakeups()
    app.state.key_cache = KeyCache()
    wakeups.subscribe(revocations.KEY_PREFIX, app.state.key_cache.evict)
    wakeups.subscribe(revocations.USER_PREFIX, app.state.key_cache.evict_user)
    app.state.agent_registry = AgentRegistry()
    wakeups.subscribe(revocations.AGENT_PREFIX, app.state.agent_registry.forget)
    app.state.alarm_writer = AlarmWriter(app.state.db)
    app.state.agent_enroller = Enroller(app.state.db, app.state.agent_registry)
    app.state.agent_admission = Admission.from_settings(settings)
    app.state.jobs_announced = Announced()
    wakeups.subscribe(jobs_wake.AGENT_PREFIX, app.state.jobs_announced.note)
    app.state.jobs_offline_grace = OfflineGrace(settings.agent_offline_after_seconds, now_ms())
    app.state.jobs_task_groups = TaskGroups(app.state.db, wakeups, app.state.cipher, grace=app.state.jobs_offline_grace)
    app.state.db.on_commit = wakeups.notify  # core.db.wake_after_commit: live console views
    wakeups.subscribe(notifications_directory.PREFIX, notifications_directory.forget)
    wakeups.subscribe(incident_counts.PREFIX, incident_counts.forget)
    wakeups.subscribe(oncall_service.lookups.PREFIX, oncall_service.lookups.forget)
    wakeups.subscribe(jobs_service.progress_cache.PREFIX, jobs_service.progress_cache.forget)
    setattr(app.state, notifications_deps.STATE_KEY, NotifyPolicy.from_settings(settings))
    app.state.approval_deciders = APPROVAL_DECIDERS
    incidents_service.set_new_incident_hooks(NEW_INCIDENT_HOOKS)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastApp(
        title="OpenCOC",
        version="0.1.0",
        default_response_class=FastJSONResponse,
        # OpenCOC exports no OpenTelemetry: without this, FastAPI looks for a configured provider on
        # every request (py-spy: ~4% of an agent's poll).
        telemetry={"tracing": False, "metrics": False, "logs": False},
        redirect_slashes=False,
        lifespan=_lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    _install_state(app, settings)

    @app.get("/opencoc/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    for router in ROUTERS:
        app.include_router(router)
    app.serve_first(FastRoutes(*HOT_FAST_ROUTES))  # ahead of the middleware stack (core/fast_app.py)
    app.serve_bare("GET", jobs_routes.POLL_PATH, BarePoll())  # ahead of everything: held by every idle agent

    console.install(app)
    _install_docs(app, settings.docs)
    _install_error_handlers(app)
    app.add_middleware(RequestGuards, max_body=settings.max_body_bytes, body_limits=_body_limits(settings))
    return app


def served_app() -> FastAPI:
    """The app as `opencoc serve` runs it, with the serving process's settings (made per worker process)."""
    # The event loop and the database threads share the GIL; a short switch interval hands it
    # back to the loop soon after a driver call returns (bench/incidents.py: higher req/s).
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    gc.set_threshold(*GC_THRESHOLDS)
    app = create_app()
    # What start-up made (modules, routes, schemas: ~165,000 objects) lives as long as the process.
    # Frozen, a full collection no longer walks it: that walk took 30-200 ms, a pause that every
    # request in flight waited out (bench/console.py p99).
    gc.collect()
    gc.freeze()
    return app
