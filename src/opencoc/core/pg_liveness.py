"""A pooled PostgreSQL connection is checked at checkout without a round trip to the server.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` at every checkout: one more round trip per transaction (on the
fan-out, 323 of them for two 200-host orders). A connection the server has closed (a restart, a failover,
`pg_terminate_backend`) has something to read while it sits idle in the pool, its FATAL message and then
the end of the stream; a healthy idle one has nothing. So a checkout polls the socket without waiting, and a
connection with anything to read, or one libpq already knows is broken, is discarded with the pool's
`DisconnectionError`, after which the pool connects again.
"""

import select
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy import Engine, create_engine, event, exc, make_url


def idle_and_open(conn: psycopg.Connection[Any]) -> bool:
    """Whether the connection is open with nothing unread from the server."""
    if conn.closed or conn.pgconn.status != pq.ConnStatus.OK:
        return False
    poller = select.poll()  # not select(): a server with thousands of agents' sockets has descriptors above 1024
    poller.register(conn.pgconn.socket, select.POLLIN)
    return not poller.poll(0)


def pg_engine(url: str, **options: Any) -> Engine:
    """An engine whose pool discards a connection the server has closed when it hands it out (with psycopg, as
    here; another driver gets SQLAlchemy's ping)."""
    if make_url(url).get_driver_name() != "psycopg":
        return create_engine(url, pool_pre_ping=True, **options)
    engine = create_engine(url, **options)

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_connection: psycopg.Connection[Any], _record: Any, _proxy: Any) -> None:
        if not idle_and_open(dbapi_connection):
            raise exc.DisconnectionError("the server closed this pooled connection")

    return engine
