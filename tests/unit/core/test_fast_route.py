"""FastRoute: the hot routes' typed dependencies resolve in order without FastAPI's solver; misuse fails early."""

from collections.abc import AsyncIterator, Callable
from typing import Annotated

import pytest
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Query, Request
from fastapi.testclient import TestClient
from starlette.responses import PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opencoc.core.fast_app import FastApp
from opencoc.core.fast_route import FastRoute, FastRoutes

calls: list[str] = []


async def _first(request: Request) -> str:
    calls.append("first")
    return request.headers.get("x-who", "nobody")


async def _second(request: Request, key: str) -> str:
    calls.append("second")
    if key == "bad":
        raise PermissionError(key)
    return key.upper()


def test_dependencies_are_called_once_each_in_parameter_order_with_the_path_parameters() -> None:
    hot = APIRouter(route_class=FastRoute)

    @hot.post("/things/{key}")
    async def thing(
        who: Annotated[str, Depends(_first)], upper: Annotated[str, Depends(_second)], key: str
    ) -> Response:
        return PlainTextResponse(f"{who} {upper} {key}")

    app = FastAPI()
    app.include_router(hot)

    @app.exception_handler(PermissionError)
    async def _refused(request: Request, exc: PermissionError) -> Response:
        return PlainTextResponse(f"refused {exc}", status_code=403)

    client = TestClient(app)
    calls.clear()
    resp = client.post("/things/abc", headers={"x-who": "ann"})
    assert (resp.status_code, resp.text) == (200, "ann ABC abc")
    assert calls == ["first", "second"]
    refused = client.post("/things/bad")
    assert (refused.status_code, refused.text) == (403, "refused bad"), "a dependency's error reaches the handlers"
    assert app.openapi()["paths"]["/things/{key}"]["post"]["parameters"][0]["name"] == "key"


def test_a_parameter_it_cannot_resolve_is_refused_when_the_route_is_declared() -> None:
    async def _needs_query(limit: int) -> int:
        return limit

    hot = APIRouter(route_class=FastRoute)
    with pytest.raises(TypeError, match="only request and path parameters"):

        @hot.get("/a/{key}")
        async def a(value: Annotated[int, Depends(_needs_query)]) -> Response:
            return Response()

    with pytest.raises(TypeError, match="neither a dependency, a query with a default"):

        @hot.get("/b")
        async def b(limit: int) -> Response:
            return Response()


def _tracked(label: str) -> Callable[[Request], AsyncIterator[str]]:
    """A generator dependency that records when it is entered and closed."""

    async def dependency(request: Request) -> AsyncIterator[str]:
        calls.append(f"{label} in")
        try:
            yield label
        finally:
            calls.append(f"{label} out")

    return dependency


_outer, _inner = _tracked("outer"), _tracked("inner")


def test_generator_dependencies_close_in_reverse_order_after_the_endpoint_even_when_it_raises() -> None:
    hot = APIRouter(route_class=FastRoute)

    @hot.get("/gen/{key}")
    async def gen(outer: Annotated[str, Depends(_outer)], inner: Annotated[str, Depends(_inner)], key: str) -> Response:
        calls.append(f"endpoint {outer} {inner}")
        if key == "bad":
            raise PermissionError(key)
        return PlainTextResponse("ok")

    app = FastApp()
    app.include_router(hot)
    app.serve_first(FastRoutes(hot))

    @app.exception_handler(PermissionError)
    async def _refused(request: Request, exc: PermissionError) -> Response:
        return PlainTextResponse("refused", status_code=403)

    client = TestClient(app)
    for key, status in (("good", 200), ("bad", 403)):
        calls.clear()
        assert client.get(f"/gen/{key}").status_code == status
        assert calls == ["outer in", "inner in", "endpoint outer inner", "inner out", "outer out"]


def test_query_parameters_take_their_default_and_are_validated_as_fastapi_does() -> None:
    hot = APIRouter(route_class=FastRoute)

    @hot.get("/q")
    async def q(request: Request, wait: Annotated[float, Query(ge=0, le=60)] = 30.0) -> Response:
        return PlainTextResponse(f"{request.url.path} {wait}")

    app = FastApp()
    app.include_router(hot)
    app.serve_first(FastRoutes(hot))
    client = TestClient(app)
    assert client.get("/q").text == "/q 30.0"
    assert client.get("/q", params={"wait": "2.5"}).text == "/q 2.5"
    for bad, kind in (("61", "less_than_equal"), ("-1", "greater_than_equal"), ("soon", "float_parsing")):
        resp = client.get("/q", params={"wait": bad})
        assert resp.status_code == 422
        (error,) = resp.json()["detail"]
        assert (error["loc"], error["type"], error["input"]) == (["query", "wait"], kind, bad)
    assert app.openapi()["paths"]["/q"]["get"]["parameters"][0]["name"] == "wait"


def test_served_first_they_run_without_the_included_router_and_keep_its_405_and_handlers() -> None:
    hot = APIRouter(route_class=FastRoute)

    @hot.post("/things/{key}")
    async def thing(upper: Annotated[str, Depends(_second)], key: str) -> Response:
        return PlainTextResponse(f"{upper} {key}")

    app = FastApp()
    app.include_router(hot)
    app.serve_first(FastRoutes(hot))
    taken: list[str] = []
    original = FastRoutes.__call__

    async def spy(self: FastRoutes, scope: Scope, receive: Receive, send: Send) -> None:
        taken.append(scope["path"])
        await original(self, scope, receive, send)

    @app.exception_handler(PermissionError)
    async def _refused(request: Request, exc: PermissionError) -> Response:
        return PlainTextResponse(f"refused {exc}", status_code=403)

    client = TestClient(app)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(FastRoutes, "__call__", spy)
        assert (client.post("/things/abc").status_code, client.post("/things/abc").text) == (200, "ABC abc")
        assert client.post("/things/bad").text == "refused bad", "a dependency's error reaches the app's handlers"
        assert client.get("/things/abc").status_code == 405, "a wrong method goes on to the included router"
        assert client.post("/other").status_code == 404
    assert taken == ["/things/abc", "/things/abc", "/things/bad"]


def test_served_first_they_meet_the_apps_own_middleware_but_not_the_outer_stack() -> None:
    hot = APIRouter(route_class=FastRoute)

    @hot.get("/hot")
    async def hot_route(request: Request) -> Response:
        return PlainTextResponse(f"router: {'router' in request.scope}")

    app = FastApp()
    app.include_router(hot)

    @app.get("/slow")
    async def slow(request: Request) -> Response:
        return PlainTextResponse(f"router: {'router' in request.scope}")

    def stamped(inner: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            async def send_stamped(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message = {**message, "headers": [*message.get("headers", []), (b"x-stamp", b"1")]}
                await send(message)

            await inner(scope, receive, send_stamped)

        return middleware

    app.add_middleware(stamped)  # type: ignore[arg-type]
    app.serve_first(FastRoutes(hot))
    client = TestClient(app)
    hot_answer, slow_answer = client.get("/hot"), client.get("/slow")
    assert (hot_answer.text, hot_answer.headers["x-stamp"]) == ("router: False", "1"), (
        "not the router; the app's own middleware"
    )
    assert (slow_answer.text, slow_answer.headers["x-stamp"]) == ("router: True", "1")


def test_served_first_an_exception_meets_the_handler_starlette_would_pick_and_a_crash_goes_up() -> None:
    hot = APIRouter(route_class=FastRoute)

    @hot.get("/raise/{kind}")
    async def raising(kind: str) -> Response:
        raise {"teapot": HTTPException(418, "short and stout"), "denied": PermissionError("no")}.get(
            kind, RuntimeError(kind)
        )

    app = FastApp()
    app.include_router(hot)
    app.serve_first(FastRoutes(hot))

    @app.exception_handler(OSError)  # PermissionError's base class
    async def _os(request: Request, exc: OSError) -> Response:
        return PlainTextResponse(f"os {exc}", status_code=403)

    @app.exception_handler(Exception)  # the 500 handler stays the outer middleware's (core/middleware.py)
    async def _any(request: Request, exc: Exception) -> Response:
        return PlainTextResponse("never here", status_code=500)

    client = TestClient(app)
    teapot = client.get("/raise/teapot")
    assert (teapot.status_code, teapot.json()) == (418, {"detail": "short and stout"}), (
        "FastAPI's HTTPException handler"
    )
    assert (client.get("/raise/denied").status_code, client.get("/raise/denied").text) == (403, "os no")
    with pytest.raises(RuntimeError, match="boom"):
        client.get("/raise/boom")
