"""X-Request-Id: the server's own 32-hex id on every response, the 413 and the 500 included."""

import re

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from opencoc.core.middleware import RequestGuards

HEX32 = re.compile(r"[0-9a-f]{32}")


async def ok(request: Request) -> PlainTextResponse:
    await request.body()
    return PlainTextResponse("ok")


async def crash(request: Request) -> PlainTextResponse:
    raise RuntimeError("boom")


client = TestClient(
    RequestGuards(Starlette(routes=[Route("/ok", ok, methods=["GET", "POST"]), Route("/crash", crash)]), max_body=10),
    raise_server_exceptions=False,
)


def _id(resp: object) -> str:
    value = resp.headers["x-request-id"]  # type: ignore[attr-defined]
    assert HEX32.fullmatch(value), value
    return str(value)


def test_every_answer_carries_a_fresh_id() -> None:
    first, second = client.get("/ok"), client.get("/ok")
    assert first.status_code == second.status_code == 200
    assert _id(first) != _id(second)


def test_the_413_and_the_500_answered_by_the_guards_carry_one() -> None:
    too_large = client.post("/ok", content=b"x" * 11)
    assert too_large.status_code == 413 and _id(too_large)
    crashed = client.get("/crash")
    assert crashed.status_code == 500 and _id(crashed)


def test_an_id_the_client_sends_is_not_taken() -> None:
    sent = "0123456789abcdef0123456789abcdef"
    resp = client.get("/ok", headers={"X-Request-Id": sent})
    assert _id(resp) != sent and resp.headers.get_list("x-request-id") == [_id(resp)]
