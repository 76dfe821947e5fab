"""A route class for the hot paths: the same typed signature as every route, without FastAPI's per-request solver.

Measured in-process on one alarm webhook: FastAPI's request handler (its dependency solver and
parameter validation) cost two to three times what the whole route costs without it. A route of
this class is declared like any other, with `Annotated[T, Depends(fn)]` parameters, and FastAPI
still reads the signature for /openapi.json; per request, each `fn` is called once, in the order
of the parameters, with the request and the path parameters it names. It therefore takes only:
- parameters `Annotated[T, Depends(fn)]`, where `fn` is an `async def` whose own parameters are
  `request` or path parameters (strings) and that has no dependencies of its own;
- path parameters, as strings.
Anything else raises TypeError when the route is declared. The endpoint returns its Response.

Use: `hot = APIRouter(route_class=FastRoute)`, declare the hot routes on it, include it in the
app (for /openapi.json, and the 405 of a wrong method), and put `FastRoutes(hot, ...)` first in the
app's routes: a request for one of them is then matched by its path pattern alone and run without
FastAPI's per-request layers (its included-router walk, done twice, and its request wrapper with
two exit stacks: ~50 us of an alarm webhook's ~300 us on the event loop, in-process measure). An
exception a handler raises is answered by the app's exception handlers, as for every route.
"""

import inspect
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any, get_args, get_origin, get_type_hints

from fastapi import APIRouter
from fastapi.params import Depends
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match
from starlette.types import Receive, Scope, Send

# (parameter name, dependency or None for a path parameter, the dependency's argument names)
_Step = tuple[str, Callable[..., Awaitable[Any]] | None, tuple[str, ...]]


def _dependency(hint: Any) -> Any:
    if get_origin(hint) is not Annotated:
        return None
    return next((m for m in get_args(hint)[1:] if isinstance(m, Depends)), None)


def _steps(endpoint: Callable[..., Any], path_params: set[str]) -> list[_Step]:
    hints = get_type_hints(endpoint, include_extras=True)
    steps: list[_Step] = []
    for name in inspect.signature(endpoint).parameters:
        depends = _dependency(hints.get(name))
        if depends is None:
            if name not in path_params:
                raise TypeError(f"{endpoint.__name__}: parameter {name} is neither a dependency nor a path parameter")
            steps.append((name, None, ()))
            continue
        fn = depends.dependency
        if fn is None or not inspect.iscoroutinefunction(fn):
            raise TypeError(f"{endpoint.__name__}: the dependency of {name} must be an async function")
        args = tuple(inspect.signature(fn).parameters)
        unknown = [a for a in args if a != "request" and a not in path_params]
        if unknown:
            raise TypeError(f"{endpoint.__name__}: {fn.__name__} takes {unknown}: only request and path parameters")
        steps.append((name, fn, args))
    return steps


class FastRoute(APIRoute):
    """An APIRoute whose handler resolves its simple dependencies directly (see the module docstring)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        if self.dependencies:
            raise TypeError(f"{self.path}: a FastRoute takes no route-level dependencies")
        steps = _steps(self.endpoint, set(self.param_convertors))
        endpoint = self.endpoint

        async def handler(request: Request) -> Response:
            params = request.path_params
            values: dict[str, Any] = {}
            for name, fn, args in steps:
                if fn is None:
                    values[name] = params[name]
                else:
                    values[name] = await fn(*[request if a == "request" else params[a] for a in args])
            response: Response = await endpoint(**values)
            return response

        return handler


class FastRoutes(BaseRoute):
    """The FastRoutes of `routers`, matched and run directly (see the module docstring)."""

    def __init__(self, *routers: APIRouter) -> None:
        self.routes = [route for router in routers for route in router.routes if isinstance(route, FastRoute)]
        self.handlers = {id(route): route.get_route_handler() for route in self.routes}

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            for route in self.routes:
                match, child_scope = route.matches(scope)
                if match is Match.FULL:  # a wrong method (PARTIAL) goes on to the included router's 405
                    return match, child_scope
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive, send)
        response = await self.handlers[id(scope["route"])](request)
        await response(scope, receive, send)
