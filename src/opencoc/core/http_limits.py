"""The limits uvicorn's httptools protocol lacks: request-head size and count, head and body deadlines.

httptools (llhttp) buffers a request's head without bound, and uvicorn sets no deadline on
reading a head or a body, so one client could make the server hold any amount of memory or
keep a connection for as long as it likes. `LimitedHttpToolsProtocol` is uvicorn's protocol
with these limits (from `Settings`, so each worker process reads them from the environment):
- the request line and header fields together at most `max_header_bytes`, and at most
  `max_headers` fields: else 431 and the connection is closed. A head still incomplete past the
  limit is refused as soon as it is seen, so it never costs more than the limit plus one read;
- the whole head within `header_timeout_seconds` of the connection, or of the first byte of a
  later request on it: else 408 and close (a drip-fed head gains nothing, it is a deadline);
- the whole body within `body_timeout_seconds` of the head: else the connection is closed and
  the application sees the client go away.
Between requests uvicorn's keep-alive timeout (5 s) applies as before.

It also tells the application when a client goes away in the middle of a request, without a
task reading `receive()` for it: the scope's extension `WHEN_GONE` is a function; `fn` given to it
is called once the connection is lost before the request's response is complete (an agent's
long-poll ends its presence at once: agents/deps.py).
"""

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from uvicorn.protocols.http.flow_control import FlowControl
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from opencoc.config import Settings, get_settings
from opencoc.core.lazy_event import LazyEvent

log = logging.getLogger("opencoc.http")

WHEN_GONE = "opencoc.when_gone"  # the scope extension (see the module docstring)


@dataclass(frozen=True, slots=True)
class HttpLimits:
    max_header_bytes: int
    max_headers: int
    header_timeout_s: float
    body_timeout_s: float

    @classmethod
    def of(cls, settings: Settings) -> "HttpLimits":
        return cls(
            settings.max_header_bytes,
            settings.max_headers,
            settings.header_timeout_seconds,
            settings.body_timeout_seconds,
        )


@cache
def _limits() -> HttpLimits:
    """The process's limits, one object for all its connections (each worker reads its own settings)."""
    return HttpLimits.of(get_settings())


def _response(status: bytes, code: str, msg: str) -> bytes:
    body = orjson.dumps({"error_code": code, "error_msg": msg})
    head = (
        b"HTTP/1.1 " + status + b"\r\ncontent-type: application/json\r\nconnection: close\r\n"
        b"content-length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    return head + body


class _WhenGone:
    """The function a request asked to be called if its client goes away. It refers to neither the
    protocol nor the scope: a scope that referred back to its protocol would make a reference cycle,
    and each closed connection with its last request would wait for the cyclic garbage collector."""

    __slots__ = ("fn",)

    def __init__(self) -> None:
        self.fn: Callable[[], None] | None = None

    def set(self, fn: Callable[[], None]) -> None:
        self.fn = fn


class _LeanFlowControl(FlowControl):
    """uvicorn's flow control with a LazyEvent for "writable" (core/lazy_event.py): one per connection."""

    def __init__(self, transport: asyncio.Transport) -> None:
        # FlowControl.__init__'s own fields, without the asyncio.Event it would make
        self._transport = transport
        self.read_paused = False
        self.write_paused = False
        self._is_writable_event = LazyEvent(flag=True)  # type: ignore[assignment]


class _Pipeline(list[Any]):
    """uvicorn's queue of pipelined requests (it appends on the left and pops on the right) as a list: 56
    bytes empty where its deque takes ~0.6 KB, on every connection; pipelining itself is rare."""

    def appendleft(self, item: Any) -> None:
        self.insert(0, item)


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with bounded request heads and head/body deadlines.

    Cheap for a request that arrives whole: no timer runs (except from the connection until its
    first head is complete), and the head's size is measured only when its reads exceed the limit.
    Its own fields are slots: with them in the instance's dict, that dict outgrew the keys Python
    shares between instances and took 1.6 KB per connection instead of 0.3 (10,000 idle agents
    hold 10,000 connections). For the same reason the connection's flow control and each request's
    body event are LazyEvents, and its queue of pipelined requests is a list.
    """

    __slots__ = ("limits", "_in_body", "_head_read", "_heads_seen", "_last_read", "_refused", "_deadline", "_gone")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.pipeline = _Pipeline()  # type: ignore[assignment]
        self.limits = _limits()
        self._in_body = False
        self._head_read = 0  # raw bytes of an unfinished head read so far
        self._heads_seen = 0  # complete heads parsed on this connection
        self._last_read = 0
        self._refused = False
        self._deadline: asyncio.TimerHandle | None = None
        self._gone = _WhenGone()  # what the current request asked to be called when gone

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.flow = _LeanFlowControl(transport)
        self._arm(self.limits.header_timeout_s, self._head_timed_out)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)
        fn, self._gone.fn = self._gone.fn, None
        if fn is not None and self.cycle is not None and self.cycle.disconnected:
            fn()

    def data_received(self, data: bytes) -> None:
        if self._refused:
            return
        was_in_body, heads_seen = self._in_body, self._heads_seen
        self._last_read = len(data)
        super().data_received(data)
        if self._refused:
            return
        if self._in_body:
            if self._deadline is None:
                self._arm(self.limits.body_timeout_s, self._body_timed_out)
        elif not was_in_body and heads_seen == self._heads_seen:
            self._head_read += len(data)  # nothing completed: all of `data` is part of an unfinished head
            if self._head_read > self.limits.max_header_bytes:
                self._refuse_head_size()
            elif self._deadline is None:
                self._arm(self.limits.header_timeout_s, self._head_timed_out)
        else:
            self._head_read = 0  # `data` ended a request; a next head is counted from the next read

    # parser callbacks
    def on_headers_complete(self) -> None:
        if len(self.headers) > self.limits.max_headers:
            self._refuse(b"431 Request Header Fields Too Large", f"at most {self.limits.max_headers} header fields")
            return
        if self._head_read + self._last_read > self.limits.max_header_bytes and self._head_size() > (
            self.limits.max_header_bytes
        ):
            self._refuse_head_size()
            return
        self._in_body, self._head_read = True, 0
        self._heads_seen += 1
        self._disarm()
        self._gone.fn = None
        self.scope["extensions"] = {WHEN_GONE: self._gone.set}  # type: ignore[dict-item]  # an extension of our own
        previous = self.cycle
        super().on_headers_complete()
        if self.cycle is not previous:  # a new request's cycle, its task not started yet
            self.cycle.message_event = LazyEvent()  # type: ignore[assignment]

    def on_body(self, body: bytes) -> None:
        if not self._refused:
            super().on_body(body)

    def on_message_complete(self) -> None:
        if self._refused:
            return
        self._in_body = False
        self._disarm()
        super().on_message_complete()

    def _head_size(self) -> int:
        """The request line's URL and the header fields, as parsed."""
        return len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)

    # limits
    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _refuse_head_size(self) -> None:
        self._refuse(
            b"431 Request Header Fields Too Large",
            f"the request line and headers must be at most {self.limits.max_header_bytes} bytes",
        )

    def _refuse(self, status: bytes, msg: str) -> None:
        """Answer the head with an error and close the connection (no application call)."""
        self._refused = True
        self._disarm()
        log.info("refused a request from %s: %s", self._peer(), msg)
        if not self.transport.is_closing():
            self.transport.write(_response(status, f"COC.00000{status[:3].decode()}", msg))
            self.transport.close()

    def _head_timed_out(self) -> None:
        self._deadline = None
        if not self._in_body and not self.transport.is_closing():
            self._refuse(
                b"408 Request Timeout", f"the request head must arrive within {self.limits.header_timeout_s:g} s"
            )

    def _body_timed_out(self) -> None:
        self._deadline = None
        if self._in_body and not self.transport.is_closing():
            log.info(
                "closing the connection from %s: request body not received within %g s",
                self._peer(),
                self.limits.body_timeout_s,
            )
            self.transport.close()

    def _peer(self) -> str:
        return f"{self.client[0]}:{self.client[1]}" if self.client else "unknown client"
