"""Transport guards: a request id on every response, a cap on request body size, and the last-resort 500.

An unexpected exception becomes a complete 500 response here. Left to Starlette's outermost
error middleware it would be answered and then re-raised to uvicorn, which closes a connection
whose request raised: the client's next request on that keep-alive connection would fail.
A client that goes away before its body arrived is logged as one info line.
"""

import itertools
import logging
import os
from typing import Any

import orjson
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from opencoc.core.envelopes import error_body, family_for_path

log = logging.getLogger("opencoc")


class BodyTooLarge(Exception):
    pass


# Why not asgi-correlation-id: its purpose is to adopt the id a client sends, and ours must not
# (every X-Request-Id is the server's, unique per request, as COC's is). Refusing every incoming
# id makes the library log a warning for each request that carries one (behind a proxy that sets
# the header, every request); its default also rewrites the request's headers, which a signature
# may cover. What would remain is the six lines below, which also stamp the 413 and the 500
# answered here without another ASGI layer on the hot path.
_REQUEST_PREFIX = os.urandom(8).hex()
INTERNAL_ERROR_CODE = "COC.00040701"  # the code of the 500 answered for a crash
_request_counter = itertools.count(1)


def new_request_id() -> str:
    """32 hex chars, unique per process start and request, without a syscall per request."""
    return f"{_REQUEST_PREFIX}{next(_request_counter):016x}"


class RequestGuards:
    """Pure ASGI middleware: sets `X-Request-Id`, rejects bodies over the limit with 413, answers crashes with 500.

    The limit is `max_body`, or the limit of the first entry of `body_limits` whose path prefix
    the request's path starts with (the routes that take larger bodies, e.g. agent results).
    """

    def __init__(self, app: ASGIApp, max_body: int, body_limits: tuple[tuple[str, int], ...] = ()) -> None:
        self.app = app
        self.max_body = max_body
        self.body_limits = body_limits

    def _limit(self, path: str) -> int:
        for prefix, limit in self.body_limits:
            if path.startswith(prefix):
                return max(self.max_body, limit)
        return self.max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        limit = self._limit(scope["path"])
        declared, chunked = declared_body(scope)
        if declared is not None and declared > limit:
            await send_error(scope, send_with_id, 413, "COC.00000413", _too_large(limit))
            return
        # A request without a body (a GET of a page or a list) keeps the bare `receive`: nothing to count.
        bodiless = not chunked and not declared
        try:
            await self.app(scope, receive if bodiless else _counted(receive, limit), send_with_id)
        except BodyTooLarge:
            if not started:
                await send_error(scope, send_with_id, 413, "COC.00000413", _too_large(limit))
        except ClientDisconnect:
            log.info("client went away before sending its whole request: %s %s", scope["method"], scope["path"])
        except Exception:
            if started:  # half a response is out: only closing the connection can tell the client
                raise
            log.exception("unhandled error on %s %s", scope["method"], scope["path"])
            await send_error(scope, send_with_id, 500, INTERNAL_ERROR_CODE, "Internal server error")


def _counted(receive: Receive, limit: int) -> Receive:
    """`receive`, raising BodyTooLarge once the body read exceeds `limit` bytes."""
    seen = 0

    async def counted_receive() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise BodyTooLarge
        return message

    return counted_receive


def _too_large(limit: int) -> str:
    return f"request body must be at most {limit} bytes"


async def send_error(scope: Scope, send: Any, status: int, code: str, msg: str, request_id: str | None = None) -> None:
    """A complete JSON error response in the envelope of the path's family (with `request_id` as X-Request-Id)."""
    body = orjson.dumps(error_body(family_for_path(scope.get("path", "")), code, msg))
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if request_id is not None:
        headers.append((b"x-request-id", request_id.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def declared_body(scope: Scope) -> tuple[int | None, bool]:
    """The request's Content-Length (None when absent or not a number) and whether its body is chunked."""
    length, chunked = None, False
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
        elif name == b"transfer-encoding":
            chunked = True
    return length, chunked
