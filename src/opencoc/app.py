"""FastAPI application factory: routers, middleware, error handlers, lifespan."""

import asyncio
import importlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager, suppress
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from opencoc.auth import revocations
from opencoc.auth.deps import authenticate
from opencoc.auth.keycache import KeyCache
from opencoc.config import Settings, get_settings
from opencoc.core import migrate
from opencoc.core.crypto import Cipher, load_master_key
from opencoc.core.db import Database
from opencoc.core.envelopes import default_validation_code, error_body, family_for_path
from opencoc.core.errors import OpenCOCError
from opencoc.core.middleware import RequestGuards
from opencoc.core.pg_relay import PgRelay
from opencoc.core.responses import FastJSONResponse
from opencoc.core.validation import describe
from opencoc.core.wakeups import Wakeups
from opencoc.domains import DOMAINS

# Each domain exposes `routes.router`; a domain may also have `background.run(app)`, a
# coroutine that runs for the server's lifetime (dispatcher, sweepers, writers).


def _background_runners() -> list[Callable[[FastAPI], Coroutine[Any, Any, None]]]:
    runners = []
    for domain in DOMAINS:
        try:
            module = importlib.import_module(f"opencoc.{domain}.background")
        except ModuleNotFoundError as exc:
            if exc.name != f"opencoc.{domain}.background":
                raise
            continue
        runners.append(module.run)
    return runners


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    app.state.wakeups.bind(asyncio.get_running_loop())
    await asyncio.to_thread(migrate.upgrade, app.state.db)
    relay = None if app.state.db.is_sqlite else PgRelay(app.state.db.url, app.state.wakeups)
    if relay is not None:
        relay.start()
        app.state.wakeups.relay = relay
    tasks = [asyncio.create_task(run(app)) for run in _background_runners()]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        for task in tasks:
            with suppress(asyncio.CancelledError, Exception):
                await task
        if relay is not None:
            relay.stop()
        app.state.db.dispose()


def _error(request: Request, status: int, code: str, msg: str) -> FastJSONResponse:
    family = "coc" if status == 401 else family_for_path(request.url.path)
    return FastJSONResponse(error_body(family, code, msg), status_code=status)


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(OpenCOCError)
    async def _coc_error(request: Request, exc: OpenCOCError) -> FastJSONResponse:
        return _error(request, exc.status, exc.error_code, exc.error_msg)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> FastJSONResponse:
        code = default_validation_code(family_for_path(request.url.path))
        return _error(request, 400, code, describe(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> FastJSONResponse:
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


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="OpenCOC",
        version="0.1.0",
        default_response_class=FastJSONResponse,
        redirect_slashes=False,
        lifespan=_lifespan,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.db = Database(settings.resolved_database_url)
    app.state.cipher = Cipher(load_master_key(settings))
    app.state.key_cache = KeyCache()
    app.state.wakeups = Wakeups()
    app.state.wakeups.subscribe(revocations.KEY_PREFIX, app.state.key_cache.evict)
    for domain in DOMAINS:
        app.include_router(importlib.import_module(f"opencoc.{domain}.routes").router)

    @app.get("/opencoc/health", include_in_schema=False)
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    _install_docs(app, settings.docs)
    _install_error_handlers(app)
    app.add_middleware(RequestGuards, max_body=settings.max_body_bytes)
    return app
