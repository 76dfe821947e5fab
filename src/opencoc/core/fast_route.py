"""A route class for the hot paths: the same typed signature as every route, without FastAPI's per-request solver.

Measured in-process on one alarm webhook: FastAPI's request handler (its dependency solver and
parameter validation) cost two to three times what the whole route costs without it. A route of
this class is declared like any other, with `Annotated[T, Depends(fn)]` parameters, and FastAPI
still reads the signature for /openapi.json; per request, each `fn` is called once, in the order
of the parameters, with the request and the path parameters it names. It therefore takes only:
- parameters `Annotated[T, Depends(fn)]`, where `fn` is an `async def` (or an async generator:
  once the endpoint has returned or raised, each is closed in reverse order, so only the
  `finally` around its `yield` runs, never an `except`) whose own parameters are `request` or
  path parameters (strings) and that has no dependencies of its own;
- path parameters, as strings;
- query parameters `Annotated[T, Query(...)] = default`, validated as FastAPI would (a wrong one
  raises the same RequestValidationError);
- the `Request` itself.
A body is read by a dependency (e.g. `core.deps.JsonBody`) and validated with `parse_body`.
Anything else raises TypeError when the route is declared. The endpoint returns its Response.

Use: `hot = APIRouter(route_class=FastRoute)`, declare the hot routes on it, include it in the
app (for /openapi.json, and the 405 of a wrong method), and give `FastRoutes(hot, ...)` to a
`FastApp` (core/fast_app.py): a request for one of them is then matched by its path pattern alone
and run without FastAPI's per-request layers (its included-router walk, done twice, and its
request wrapper with two exit stacks: ~50 us of an alarm webhook's ~300 us on the event loop,
in-process measure) nor the app's outer middleware. An exception a handler raises is answered by
the app's exception handlers, as for every route.
"""

import inspect
from collections.abc import AsyncGenerator, Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, get_args, get_origin, get_type_hints

from fastapi import APIRouter
from fastapi.exceptions import RequestValidationError
from fastapi.params import Depends, Query
from fastapi.routing import APIRoute
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import Receive, Scope, Send

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True, slots=True)
class _Step:
    """How one parameter of the endpoint gets its value."""

    name: str
    kind: str  # "path", "request", "query", "call" (an async def) or "enter" (an async generator)
    fn: Callable[..., Any] | None = None
    args: tuple[str, ...] = ()
    query: TypeAdapter[Any] | None = None
    default: Any = None


def _marker(hint: Any, kind: type) -> Any:
    if get_origin(hint) is not Annotated:
        return None
    return next((m for m in get_args(hint)[1:] if isinstance(m, kind)), None)


def _call_step(endpoint: Callable[..., Any], name: str, fn: Any, path_params: set[str]) -> _Step:
    if fn is None or not (inspect.iscoroutinefunction(fn) or inspect.isasyncgenfunction(fn)):
        raise TypeError(f"{endpoint.__name__}: the dependency of {name} must be an async function")
    args = tuple(inspect.signature(fn).parameters)
    unknown = [a for a in args if a != "request" and a not in path_params]
    if unknown:
        raise TypeError(f"{endpoint.__name__}: {fn.__name__} takes {unknown}: only request and path parameters")
    return _Step(name, "enter" if inspect.isasyncgenfunction(fn) else "call", fn, args)


def _steps(endpoint: Callable[..., Any], path_params: set[str]) -> list[_Step]:
    hints = get_type_hints(endpoint, include_extras=True)
    steps: list[_Step] = []
    for name, param in inspect.signature(endpoint).parameters.items():
        hint: Any = hints.get(name)
        depends, query = _marker(hint, Depends), _marker(hint, Query)
        if depends is not None:
            steps.append(_call_step(endpoint, name, depends.dependency, path_params))
        elif query is not None and param.default is not inspect.Parameter.empty:
            steps.append(_Step(name, "query", query=TypeAdapter(hint), default=param.default))
        elif hint is Request:
            steps.append(_Step(name, "request"))
        elif name in path_params:
            steps.append(_Step(name, "path"))
        else:
            raise TypeError(
                f"{endpoint.__name__}: parameter {name} is neither a dependency, a query with a default, "
                "the request nor a path parameter"
            )
    return steps


def _query(request: Request, step: _Step) -> Any:
    assert step.query is not None
    return query_value(request, step.name, step.query, step.default)


def query_value(request: Request, name: str, adapter: TypeAdapter[Any], default: Any) -> Any:
    """The query parameter `name` validated by `adapter` (of `Annotated[T, Query(...)]`), or `default` when
    absent; a wrong one raises the RequestValidationError FastAPI raises."""
    raw = request.query_params.get(name)
    if raw is None:
        return default
    try:
        return adapter.validate_python(raw)
    except ValidationError as exc:
        raise _invalid(exc, "query", name) from None


def _invalid(exc: ValidationError, *where: str) -> RequestValidationError:
    """What FastAPI raises for `exc` in the request part `where` ("query", name)."""
    return RequestValidationError([{**e, "loc": (*where, *e["loc"])} for e in exc.errors(include_url=False)])


def parse_body(model: type[M], payload: Any) -> M:
    """`payload` (the JSON body) as `model`, or the RequestValidationError FastAPI's body validation raises."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        raise _invalid(exc, "body") from None


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
            entered: list[AsyncGenerator[Any, None]] = []
            try:
                for step in steps:
                    if step.kind == "path":
                        values[step.name] = params[step.name]
                    elif step.kind == "request":
                        values[step.name] = request
                    elif step.kind == "query":
                        values[step.name] = _query(request, step)
                    else:
                        assert step.fn is not None
                        result = step.fn(*[request if a == "request" else params[a] for a in step.args])
                        if step.kind == "enter":
                            entered.append(result)
                            values[step.name] = await anext(result)
                        else:
                            values[step.name] = await result
                response: Response = await endpoint(**values)
                return response
            finally:
                for gen in reversed(entered):
                    await gen.aclose()

        return handler


class FastRoutes:
    """The FastRoutes of `routers`: `match` finds a request's route, and the object serves it as an ASGI app."""

    def __init__(self, *routers: APIRouter) -> None:
        self.routes = [route for router in routers for route in router.routes if isinstance(route, FastRoute)]
        self.handlers = {id(route): route.get_route_handler() for route in self.routes}

    def match(self, scope: Scope) -> Scope | None:
        """The child scope (route, endpoint, path parameters) of the route the request is for, or None: a
        wrong method (a partial match) goes on to the included router's 405."""
        for route in self.routes:
            match, child_scope = route.matches(scope)
            if match is Match.FULL:
                return child_scope
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Serve a request whose scope holds its `match`; an exception is answered by the app's handler for it."""
        request = Request(scope, receive, send)
        try:
            response = await self.handlers[id(scope["route"])](request)
        except Exception as exc:
            response = await answer_exception(request, exc)
        await response(scope, receive, send)


async def answer_exception(request: Request, exc: Exception) -> Response:
    """The answer of the app's handler for `exc`; `exc` itself is raised again when the app has none (a crash)."""
    handler = _handler_for(request.app.exception_handlers, exc)
    if handler is None:
        raise exc
    response: Response = await handler(request, exc)
    return response


def _handler_for(handlers: dict[Any, Any], exc: Exception) -> Any:
    """The app's handler of `exc`, found as Starlette's ExceptionMiddleware finds it (an HTTPException's status
    first, then the exception's classes), without the 500/Exception handler: a crash is left to the middleware."""
    if isinstance(exc, HTTPException) and exc.status_code in handlers:
        return handlers[exc.status_code]
    return next((handlers[cls] for cls in type(exc).__mro__ if cls in handlers and cls is not Exception), None)
