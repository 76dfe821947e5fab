"""A FastAPI app that serves its FastRoutes (core/fast_route.py) ahead of its middleware stack.

A request for one of them meets only the app's own middleware (`add_middleware`) and its
exception handlers (called by `FastRoutes` itself); not Starlette's and FastAPI's layers (the
server-error, telemetry and exception middleware, FastAPI's body limit, its exit stack, the
router). Each layer is a coroutine frame and some closures held for the whole request: an agent's
long-poll is held ~30 s, ten thousand at once. The app's handler for 500 (or `Exception`) is not
used there: the app's own middleware answers a crash (core/middleware.py). Every other request
goes through the full stack as before."""

from typing import Any

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from opencoc.core.fast_route import FastRoutes


class FastApp(FastAPI):
    """FastAPI, with `serve_first(FastRoutes(...))` to serve those routes ahead of the middleware stack."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fast_routes: FastRoutes | None = None
        self._fast_stack: ASGIApp | None = None

    def serve_first(self, routes: FastRoutes) -> None:
        self.fast_routes = routes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
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
