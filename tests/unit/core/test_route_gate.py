"""A gate tries its routes only for paths under its prefix."""

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Match, Route
from starlette.testclient import TestClient

from opencoc.core.route_gate import RouteGate


class _Counting(Route):
    """A route that counts how often it was asked to match."""

    asked = 0

    def matches(self, scope):  # type: ignore[no-untyped-def]
        _Counting.asked += 1
        return super().matches(scope)


def _page(_request: object) -> PlainTextResponse:
    return PlainTextResponse("page")


def _api(_request: object) -> PlainTextResponse:
    return PlainTextResponse("api")


def test_paths_outside_the_prefix_never_reach_the_gated_routes() -> None:
    _Counting.asked = 0
    gate = RouteGate("/console/", _Counting("/console/{name}", _page, name="page"))
    app = Starlette(routes=[gate, Route("/v1/things", _api)])
    client = TestClient(app)
    assert client.get("/v1/things").text == "api"
    assert _Counting.asked == 0
    assert client.get("/console/incidents").text == "page"
    assert _Counting.asked == 1
    assert client.get("/console").status_code == 404  # the prefix is "/console/"
    assert app.url_path_for("page", name="x") == "/console/x"


def test_a_websocket_or_lifespan_scope_is_only_passed_on_under_the_prefix() -> None:
    gate = RouteGate("/console/", Route("/console/x", _page))
    assert gate.matches({"type": "lifespan"}) == (Match.NONE, {})
    assert gate.matches({"type": "http", "path": "/console/x", "method": "GET"})[0] is Match.FULL
