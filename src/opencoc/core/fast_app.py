"""A FastAPI app that serves its FastRoutes (core/fast_route.py) ahead of its middleware stack.

A request for one of them meets only the app's own middleware (`add_middleware`) and its
exception handlers (called by `FastRoutes` itself); not Starlette's and FastAPI's layers (the
server-error, telemetry and exception middleware, FastAPI's body limit, its exit stack, the
router). Each layer is a coroutine frame and some closures held for the whole request: an agent's
long-poll is held ~30 s, ten thousand at once. The app's handler for 500 (or `Exception`) is not
used there: the app's own middleware answers a crash (core/middleware.py). Every other request
goes through the full stack as before.

`serve_bare(method, path, app)` goes one step further for a route that thousands of clients hold
at once (an agent's long-poll, jobs/poll_bare.py): a request for it without a body is given to
`app` alone, which answers as the middleware would (X-Request-Id, a crash as 500); one with a body
goes the FastRoute way, through the request guards."""

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from opencoc.core.fast_route import FastRoutes
from opencoc.core.middleware import declared_body


class FastApp(FastAPI):
    """FastAPI, with `serve_first(FastRoutes(...))` to serve those routes ahead of the middleware stack."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fast_routes: FastRoutes | None = None
        self._fast_stack: ASGIApp | None = None
        self._bare: dict[tuple[str, str], ASGIApp] = {}

    def serve_first(self, routes: FastRoutes) -> None:
        self.fast_routes = routes

    def serve_bare(self, method: str, path: str, app: ASGIApp) -> None:
        """Serve a `method` request for `path` (exactly) without a body with `app` alone."""
        self._bare[(method, path)] = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._bare and scope["type"] == "http":
            bare = self._bare.get((scope["method"], scope["path"]))
            if bare is not None and declared_body(scope) == (None, False):
                scope["app"] = self
                await bare(scope, receive, send)
                return
        routes = self.fast_routes
        child = routes.match(scope) if routes is not None and scope["type"] == "http" else None
        if routes is None or child is None:
            await super().__call__(scope, receive, send)
            return
        if self._fast_stack is None:
            self._fast_stack = self._build_fast_stack(routes)
        scope["app"] = self  # what Starlette's and FastAPI's own __call__ set
        if self.root_path:
            scope["root_path"] = self.root_path
        scope.update(child)
        await self._fast_stack(scope, receive, send)

    def _build_fast_stack(self, routes: FastRoutes) -> ASGIApp:
        """The routes inside the app's own middleware, innermost last added (as Starlette builds its stack)."""
        app: ASGIApp = routes
        for cls, args, kwargs in reversed(self.user_middleware):
            app = cls(app, *args, **kwargs)
        return app
