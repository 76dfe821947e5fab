"""Database engines and sessions for SQLite (embedded) and PostgreSQL.

SQLite writers start with BEGIN IMMEDIATE so that two writers queue on the lock instead of
failing with SQLITE_BUSY when a read transaction tries to upgrade; readers use plain BEGIN.

The server runs all its database work with `await db.run_write(fn)` / `await db.run_read(fn)`:
`fn` gets a session inside a transaction, off the event loop. Reads run on a thread pool. Writes
on PostgreSQL run on a pool of their own (concurrent writers, guarded by row locks and
conditional updates); on SQLite one thread does all writes of the process, many to a transaction
(core/group_commit.py), so they never wait on each other's lock.
On PostgreSQL a transaction costs two round trips of its own (the driver sends BEGIN before the first
statement, then COMMIT), each ~1 ms when the cores are busy. Reads therefore run in autocommit: at
READ COMMITTED every statement of a transaction takes its own snapshot anyway, so a read sees the
same either way. `run_statement` is for a write that is one statement (an agent's hand-out): it
commits by itself, one round trip instead of three.
`with db.write()` is for processes without an event loop (the admin CLI, tests): on SQLite it
takes its turn on the same file lock as the servers' writer threads.
"""

import asyncio
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from opencoc.core.group_commit import GroupCommitter, write_lock
from opencoc.core.wal_checkpoint import WalCheckpointer

# JSON columns are read with orjson, which reads 1024 levels without recursing: the json module's
# limit (1000 minus the stack in use) made a deeply nested value stored earlier fail its whole list.
_JSON = {"json_deserializer": orjson.loads}


def _sqlite_engine(url: str, begin: str) -> Engine:
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30, "isolation_level": None},
        pool_size=20,
        max_overflow=20,
        **_JSON,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql(begin)

    return engine


T = TypeVar("T")
_WAKE = "opencoc.wake_after_commit"


def wake_after_commit(session: Session, key: str) -> None:
    """Announce `key` (core/wakeups.py) once the session's transaction commits, e.g. to live console views.

    A write rolled back to its savepoint may still announce: a wake-up only makes a waiter look again.
    """
    session.info.setdefault(_WAKE, set()).add(key)


class Database:
    """Owns the engines; hands out write and read sessions that commit on success."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.write_engine = _sqlite_engine(url, "BEGIN IMMEDIATE")
            self.read_engine = _sqlite_engine(url, "BEGIN")
        else:
            from opencoc.core.pg_liveness import pg_engine  # psycopg: not loaded on SQLite

            self.write_engine = pg_engine(url, pool_size=20, max_overflow=20, **_JSON)
            # the same pool; a connection handed out for a read is in autocommit until it goes back
            self.read_engine = self.write_engine.execution_options(isolation_level="AUTOCOMMIT")
        self._writer = sessionmaker(self.write_engine, expire_on_commit=False)
        self._reader = sessionmaker(self.read_engine, expire_on_commit=False)
        # SQLite: one group-committing writer thread; PostgreSQL: concurrent writers on a pool.
        self._group_commit = GroupCommitter(self._transaction, self._lock_path()) if self.is_sqlite else None
        self._checkpointer = WalCheckpointer(self.read_engine) if self.is_sqlite else None
        self._write_pool = None if self.is_sqlite else ThreadPoolExecutor(16, thread_name_prefix="db-write")
        self._read_pool = ThreadPoolExecutor(8, thread_name_prefix="db-read")
        # Called with each key of `wake_after_commit` after the commit (the app sets Wakeups.notify).
        self.on_commit: Callable[[str], None] | None = None

    def _lock_path(self) -> str:
        """The SQLite writers' lock file, beside the database file."""
        return self.write_engine.url.database + ".write-lock"  # type: ignore[operator]

    @contextmanager
    def _transaction(self, maker: "sessionmaker[Session] | None" = None) -> Iterator[Session]:
        """A session of `maker` (the writers') in a transaction that commits, then announces its wake-ups."""
        with (maker or self._writer)() as session:
            with session.begin():
                yield session
            keys = session.info.pop(_WAKE, ())
            if self.on_commit is not None:
                for key in keys:
                    self.on_commit(key)

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """On SQLite, the writers' file lock for the block (core/group_commit.py); nothing on PostgreSQL."""
        if not self.is_sqlite:
            yield
            return
        with write_lock(self._lock_path()):
            yield

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction that commits when the block ends without an exception, for code without an event loop.

        Never inside a `run_write` job: on SQLite the job's thread already holds the lock this waits for.
        """
        with self.write_lock(), self._transaction() as session:
            yield session

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._reader() as session, session.begin():
            yield session

    async def run_write(self, fn: Callable[[Session], T], *, bulk: bool = False) -> T:
        """Run `fn(session)` in a write transaction off the event loop; its changes commit if it returns.
        `bulk`: a write of many rows, which on SQLite lets the small writes queued with it go first
        (core/group_commit.py)."""
        if self._group_commit is not None:
            assert self._checkpointer is not None
            self._checkpointer.ensure_started()  # copies the log while the writes go on
            return await self._group_commit.run(fn, bulk=bulk)
        return await self._on_write_pool(fn, self._writer)

    async def run_statement(self, fn: Callable[[Session], T]) -> T:
        """Run `fn(session)`, whose one write is a single statement, so that it commits by itself: on PostgreSQL
        in autocommit (no BEGIN and COMMIT round trips; what `fn` reads after the write sees it committed); on
        SQLite, as `run_write`. Wake-ups of `wake_after_commit` are announced once `fn` returns."""
        if self._group_commit is not None:
            return await self.run_write(fn)
        return await self._on_write_pool(fn, self._reader)  # autocommit, as reads are

    def _on_write_pool(self, fn: Callable[[Session], T], maker: "sessionmaker[Session]") -> "asyncio.Future[T]":
        """PostgreSQL: `fn(session)` on the writers' pool of threads, in a session of `maker`."""
        assert self._write_pool is not None

        def job() -> T:
            with self._transaction(maker) as session:
                return fn(session)

        return asyncio.get_running_loop().run_in_executor(self._write_pool, job)

    async def run_read(self, fn: Callable[[Session], T]) -> T:
        """Run `fn(session)` in a read transaction off the event loop."""
        def job() -> T:
            with self.read() as session:
                return fn(session)

        return await asyncio.get_running_loop().run_in_executor(self._read_pool, job)

    def dispose(self) -> None:
        if self._group_commit is not None:
            self._group_commit.stop()
        if self._checkpointer is not None:
            self._checkpointer.stop()
        if self._write_pool is not None:  # wait: a job's connection must be back in its pool to be closed
            self._write_pool.shutdown(wait=True)
        self._read_pool.shutdown(wait=True)
        self.write_engine.dispose()
        if self.is_sqlite:  # PostgreSQL's read engine is the write engine's pool with another option
            self.read_engine.dispose()
