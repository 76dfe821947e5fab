"""Carries wake-up keys between replicas that share one PostgreSQL, with LISTEN/NOTIFY.

Keys published while a send is under way go together in the next one: a NOTIFY whose payload is a JSON
array of keys (the ten agents a batch starts are one notification, not ten round trips, ten echoes to
drop and ten wake-ups of each replica's listener). A payload that is not an array is one key, as a
revocation's transaction sends it (auth/revocations.py: its keys begin with `revoked:`).
"""

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import orjson
import psycopg
from sqlalchemy.engine import make_url

from opencoc.core.wakeups import RELAY_CHANNEL as CHANNEL
from opencoc.core.wakeups import Wakeups

log = logging.getLogger("opencoc.wakeups")
PAYLOAD_MAX = 7900  # bytes; PostgreSQL refuses a NOTIFY payload of 8000 or more


def payloads(keys: list[str]) -> Iterator[str]:
    """The keys as JSON arrays of at most PAYLOAD_MAX bytes each (a key too long alone is sent alone)."""
    chunk: list[str] = []
    size = 2
    for key in keys:
        cost = len(orjson.dumps(key)) + 1
        if chunk and size + cost > PAYLOAD_MAX:
            yield orjson.dumps(chunk).decode()
            chunk, size = [], 2
        chunk.append(key)
        size += cost
    if chunk:
        yield orjson.dumps(chunk).decode()


def keys_of(payload: str) -> list[str]:
    """The keys a notification carries: a JSON array of them, or the payload itself as one key."""
    if payload.startswith("["):
        try:
            keys = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return [payload]
        if isinstance(keys, list) and all(isinstance(key, str) for key in keys):
            return keys
    return [payload]


def _libpq_url(sqlalchemy_url: str) -> str:
    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


class PgRelay:
    """Publishes keys with pg_notify and delivers other replicas' keys to local waiters.

    A key this process published was delivered here by `Wakeups.notify` already, so its echo is dropped
    (known by the publishing session's backend pid): delivered twice, it woke this replica's polls a second
    time, each then looking at the database for work that had already been handed out. Keys sent by any
    other session (another replica, a revocation's transaction, the admin CLI) are delivered."""

    def __init__(self, sqlalchemy_url: str, wakeups: Wakeups) -> None:
        self._url = _libpq_url(sqlalchemy_url)
        self._wakeups = wakeups
        self._stop = threading.Event()
        self._publisher = ThreadPoolExecutor(1, thread_name_prefix="wakeup-publish")
        self._pub_conn: psycopg.Connection | None = None
        self._own_pid: int | None = None  # of the publishing session (a pid may be reused once it has gone)
        self._queued: dict[str, None] = {}  # keys to send, in order, each once
        self._sending = False  # a drain is submitted or running; it sends what is queued meanwhile
        self._lock = threading.Lock()
        self._listener = threading.Thread(target=self._listen, name="wakeup-listen", daemon=True)

    def start(self) -> None:
        self._listener.start()

    def stop(self) -> None:
        """Stop listening and close the publishing connection (keys not yet sent are dropped: no one waits on them)."""
        self._stop.set()
        self._publisher.shutdown(wait=True, cancel_futures=True)
        if self._pub_conn is not None:
            self._pub_conn.close()
            self._pub_conn = None

    def publish(self, key: str) -> None:
        with self._lock:
            self._queued[key] = None
            if self._sending:
                return
            self._sending = True
        self._publisher.submit(self._drain)

    def _drain(self) -> None:
        try:
            while True:
                with self._lock:
                    keys, self._queued = list(self._queued), {}
                    if not keys:
                        self._sending = False
                        return
                self._send(keys)
        except BaseException:  # the next publish starts a drain again
            with self._lock:
                self._sending = False
            raise

    def _send(self, keys: list[str]) -> None:
        try:
            if self._pub_conn is None or self._pub_conn.closed:
                self._pub_conn = psycopg.connect(self._url, autocommit=True)
                self._own_pid = self._pub_conn.info.backend_pid
            for payload in payloads(keys):
                self._pub_conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
        except psycopg.Error:
            log.warning("could not relay %d wake-up(s); waiters will re-check on their timeout", len(keys))
            if self._pub_conn is not None:
                self._pub_conn.close()
                self._pub_conn = None

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._url, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=1.0):
                            if note.pid != self._own_pid:
                                for key in keys_of(note.payload):
                                    self._wakeups.deliver(key)
            except psycopg.Error:
                log.warning("wake-up listener lost its connection; reconnecting")
                self._stop.wait(1.0)
