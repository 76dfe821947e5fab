"""SQLite's log is copied into the database file by the checkpoint thread, never by a writer's commit."""

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

ROWS = 1500  # of 4,000 bytes: ~6 MB, past the 1,000 pages (4 MB) at which a commit would checkpoint
SIX_MB = 6_000_000


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'w.db'}")
    with database.write() as session:
        session.execute(text("CREATE TABLE t (b BLOB)"))
    yield database
    database.dispose()


def _fill(session: Session) -> None:
    session.execute(
        text(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < :rows) "
            "INSERT INTO t (b) SELECT randomblob(4000) FROM c"
        ),
        {"rows": ROWS},
    )


def _sizes(db: Database) -> tuple[int, int]:
    """(database file, log file) in bytes."""
    path = str(db.write_engine.url.database)
    return os.path.getsize(path), os.path.getsize(path + "-wal")


def test_a_commit_past_the_autocheckpoint_size_leaves_the_log_uncopied(db: Database) -> None:
    with db.write() as session:
        _fill(session)
    main, wal = _sizes(db)
    assert wal > SIX_MB and main < 1_000_000


def test_the_checkpoint_thread_copies_the_log_into_the_database_file(db: Database) -> None:
    with db.write() as session:
        _fill(session)
    checkpointer = WalCheckpointer(db.read_engine, every_s=0.05)
    checkpointer.ensure_started()
    try:
        wait_for(lambda: _sizes(db)[0] > SIX_MB, "the database file to hold the log's pages")
    finally:
        checkpointer.stop()
    with db.read() as session:
        assert session.execute(text("SELECT count(*) FROM t")).scalar_one() == ROWS


def test_server_writes_start_the_checkpoint_thread(db: Database) -> None:
    asyncio.run(db.run_write(_fill))
    wait_for(lambda: _sizes(db)[0] > SIX_MB, "the database file to hold the log's pages")


def test_a_stopped_checkpointer_does_not_start_again(db: Database) -> None:
    checkpointer = WalCheckpointer(db.read_engine, every_s=0.05)
    checkpointer.stop()
    checkpointer.ensure_started()
    with db.write() as session:
        _fill(session)
    assert _sizes(db)[0] < 1_000_000
