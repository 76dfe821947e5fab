"""Carries wake-up keys between replicas that share one PostgreSQL, with LISTEN/NOTIFY."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

import psycopg
from sqlalchemy.engine import make_url

from opencoc.core.wakeups import RELAY_CHANNEL as CHANNEL
from opencoc.core.wakeups import Wakeups

log = logging.getLogger("opencoc.wakeups")


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
        self._publisher.submit(self._send, key)

    def _send(self, key: str) -> None:
        try:
            if self._pub_conn is None or self._pub_conn.closed:
                self._pub_conn = psycopg.connect(self._url, autocommit=True)
                self._own_pid = self._pub_conn.info.backend_pid
            self._pub_conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, key))
        except psycopg.Error:
            log.warning("could not relay wake-up %s; waiters will re-check on their timeout", key)
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
                                self._wakeups.deliver(note.payload)
            except psycopg.Error:
                log.warning("wake-up listener lost its connection; reconnecting")
                self._stop.wait(1.0)
