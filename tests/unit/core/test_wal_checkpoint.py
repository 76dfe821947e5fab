"""SQLite's log is copied into the database file by the checkpoint thread, and stays bounded under writes."""

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from harness.polling import wait_for
from opencoc.core.db import Database
from opencoc.core.wal_checkpoint import WalCheckpointer

ROWS = 500  # of 4,000 bytes: ~2 MB, short of the 1,000 pages (4 MB) at which a commit checkpoints itself
TWO_MB = 2_000_000


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with database.write() as session:
        session.execute(text("CREATE TABLE t (b BLOB)"))
    yield database
    database.dispose()


def _fill(session: Session, rows: int = ROWS) -> None:
    session.execute(
        text(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :rows) "
            "INSERT INTO t (b) SELECT randomblob(4000) FROM c"
        ),
        {"rows": rows},
    )


def _sizes(db: Database) -> tuple[int, int]:
    """(database file, log file) in bytes."""
    path = str(db.write_engine.url.database)
    return os.path.getsize(path), os.path.getsize(path + "-wal")


def test_the_checkpoint_thread_copies_the_log_into_the_database_file(db: Database) -> None:
    with db.write() as session:
        _fill(session)
    assert _sizes(db)[0] < TWO_MB, "the commit alone leaves the rows in the log"
    checkpointer = WalCheckpointer(db.read_engine, every_s=0.05)
    checkpointer.ensure_started()
    try:
        wait_for(lambda: _sizes(db)[0] > TWO_MB, "the database file to hold the log's pages")
    finally:
        checkpointer.stop()
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == ROWS


def test_server_writes_start_the_checkpoint_thread(db: Database) -> None:
    asyncio.run(db.run_write(_fill))
    wait_for(lambda: _sizes(db)[0] > TWO_MB, "the database file to hold the log's pages")


def test_the_log_stays_bounded_while_writes_go_on_beside_the_thread(db: Database) -> None:
    async def writes() -> None:
        for _ in range(40):  # 40 MB in all, a write of 1 MB every few ms
            await db.run_write(lambda s: _fill(s, 250))

    asyncio.run(writes())
    assert _sizes(db)[1] < 12_000_000, "the log starts again from its beginning once it was copied"
