"""Routes tried only for paths under one prefix: one `startswith` instead of a match per route.

FastAPI 0.165 matches a request by walking the app's routes in order, at ~2 us per route passed,
twice (to match, then to handle). With the API's ~100 routes ahead of it, a console page spent
8% of its CPU finding its route (bench/console.py, py-spy). Behind a `RouteGate` placed first,
the console's routes are skipped by every other request and reached by its own at once.
"""

from typing import Any

from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send


class RouteGate(BaseRoute):
    """`inner` (one route, e.g. an included router), tried only when the path starts with `prefix`."""

    def __init__(self, prefix: str, inner: BaseRoute) -> None:
        self.prefix = prefix
        self.inner = inner

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] not in ("http", "websocket") or not scope["path"].startswith(self.prefix):
            return Match.NONE, {}
        return self.inner.matches(scope)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.inner.handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        return self.inner.url_path_for(name, **path_params)
