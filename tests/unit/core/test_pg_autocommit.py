"""PostgreSQL reads and one-statement writes in autocommit (core/db.py): the pooled connection they used is back
in transactions for the next write, and a one-statement write is committed and announced when it returns."""

import asyncio
import itertools
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from harness.postgres import PgServer
from opencoc.core.db import Database, wake_after_commit

_names = itertools.count(1)


@pytest.fixture
def pg_db(pg_server: PgServer | None) -> Iterator[Database]:
    if pg_server is None:
        pytest.skip("PostgreSQL is not available (set OPENCOC_TEST_POSTGRES=required to insist)")
    db = Database(pg_server.create_database(f"autocommit_{next(_names)}"))
    with db.write() as session:
        session.execute(text("CREATE TABLE marks (v int)"))
    yield db
    db.dispose()


def _marks(db: Database) -> list[int]:
    with db.read() as session:
        return list(session.scalars(text("SELECT v FROM marks ORDER BY v")))


@pytest.mark.postgres
def test_a_write_after_a_read_on_the_same_connection_is_still_one_transaction(pg_db: Database) -> None:
    with pg_db.read() as session:
        read_pid = session.scalar(text("SELECT pg_backend_pid()"))
    with pytest.raises(RuntimeError), pg_db.write() as session:
        assert session.scalar(text("SELECT pg_backend_pid()")) == read_pid, "the pool handed out another connection"
        session.execute(text("INSERT INTO marks VALUES (1)"))
        raise RuntimeError("the write fails after its first statement")
    assert _marks(pg_db) == [], "the first statement was committed on its own"


@pytest.mark.postgres
def test_a_one_statement_write_is_committed_and_announced_when_it_returns(pg_db: Database) -> None:
    announced: list[str] = []
    pg_db.on_commit = announced.append

    def insert(session: Session) -> int:
        session.execute(text("INSERT INTO marks VALUES (7)"))
        wake_after_commit(session, "marks:7")
        return 7

    assert asyncio.run(pg_db.run_statement(insert)) == 7
    assert _marks(pg_db) == [7] and announced == ["marks:7"]
    with pg_db.write() as session:  # and the next write is atomic again
        session.execute(text("INSERT INTO marks VALUES (8)"))
        assert session.scalar(text("SELECT now() = statement_timestamp()")) is False, "not inside a transaction"
