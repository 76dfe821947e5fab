"""SQLite writes queued together commit together; a write that fails undoes only itself."""

import asyncio
import itertools
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from opencoc.core.db import Database
from opencoc.core.group_commit import GroupCommitter


class Boom(Exception):
    pass


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'g.db'}")
    with database.write() as session:
        session.execute(text("CREATE TABLE t (n INTEGER PRIMARY KEY)"))
    yield database
    database.dispose()


def _rows(db: Database) -> list[int]:
    with db.read() as session:
        return [row[0] for row in session.execute(text("SELECT n FROM t ORDER BY n"))]


def _insert(n: int, fail: bool = False):  # type: ignore[no-untyped-def]
    def job(session: Session) -> int:
        session.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
        if fail:
            raise Boom(n)
        return n

    return job


def test_queued_writes_share_a_batch_and_a_failing_one_undoes_only_itself(db: Database) -> None:
    entered, release = threading.Event(), threading.Event()
    sessions: list[Session] = []

    def blocker(session: Session) -> None:
        entered.set()
        release.wait(10)

    def recorder(n: int):  # type: ignore[no-untyped-def]
        def job(session: Session) -> int:
            sessions.append(session)
            return _insert(n)(session)

        return job

    async def scenario() -> list[object]:
        first = asyncio.ensure_future(db.run_write(blocker))
        assert await asyncio.to_thread(entered.wait, 10), "the writer thread never ran the first write"
        jobs = [db.run_write(recorder(n)) for n in range(1, 6)]
        jobs.insert(2, db.run_write(_insert(99, fail=True)))
        gathered = asyncio.gather(*jobs, return_exceptions=True)
        # One turn of the loop runs each of the six up to its await: run_write queues its job
        # before it first awaits, so all six are queued behind `blocker` when it is released.
        await asyncio.sleep(0)
        release.set()
        await first
        return list(await gathered)

    results = asyncio.run(scenario())
    assert [r for r in results if not isinstance(r, Exception)] == [1, 2, 3, 4, 5]
    assert isinstance(results[2], Boom)
    assert _rows(db) == [1, 2, 3, 4, 5]
    assert all(s is sessions[0] for s in sessions), "the five writes ran in one transaction"


def test_a_lone_write_that_fails_is_rolled_back(db: Database) -> None:
    async def scenario() -> None:
        with pytest.raises(Boom):
            await db.run_write(_insert(7, fail=True))
        assert await db.run_write(_insert(8)) == 8

    asyncio.run(scenario())
    assert _rows(db) == [8]


def test_the_answer_comes_after_the_commit(db: Database) -> None:
    async def scenario() -> list[int]:
        await asyncio.gather(*(db.run_write(_insert(n)) for n in range(10, 20)))
        return _rows(db)  # a separate connection sees every acknowledged write

    assert asyncio.run(scenario()) == list(range(10, 20))


def test_small_writes_commit_before_bulk_ones_and_each_bulk_write_commits_alone(db: Database) -> None:
    entered, release = threading.Event(), threading.Event()
    ran: list[tuple[str, int]] = []  # (name, number of its transaction) in the order they ran
    committed: dict[str, list[int]] = {}  # what a bulk write saw committed (by another connection) as it ran
    transactions = itertools.count()

    def blocker(session: Session) -> None:
        entered.set()
        release.wait(10)

    def write(name: str, n: int):  # type: ignore[no-untyped-def]
        def job(session: Session) -> str:
            ran.append((name, session.info.setdefault("transaction", next(transactions))))
            if name.startswith("bulk"):
                committed[name] = _rows(db)
            session.execute(text("INSERT INTO t (n) VALUES (:n)"), {"n": n})
            return name

        return job

    async def scenario() -> list[str]:
        first = asyncio.ensure_future(db.run_write(blocker))
        assert await asyncio.to_thread(entered.wait, 10), "the writer thread never ran the first write"
        jobs = [
            db.run_write(write("bulk-1", 1), bulk=True),
            db.run_write(write("small-1", 2)),
            db.run_write(write("bulk-2", 3), bulk=True),
            db.run_write(write("small-2", 4)),
        ]
        gathered = asyncio.gather(*jobs)
        await asyncio.sleep(0)  # all four queued behind `blocker` (see the first test)
        release.set()
        await first
        return list(await gathered)

    assert asyncio.run(scenario()) == ["bulk-1", "small-1", "bulk-2", "small-2"]
    assert [name for name, _ in ran] == ["small-1", "small-2", "bulk-1", "bulk-2"]
    groups = [group for _, group in ran]
    assert groups[0] == groups[1] != groups[2] != groups[3], "the small writes together, each bulk write alone"
    assert committed == {"bulk-1": [2, 4], "bulk-2": [1, 2, 4]}, "the small writes were committed first"
    assert _rows(db) == [1, 2, 3, 4]


def test_bulk_writes_queued_before_a_stop_still_run(db: Database, tmp_path: Path) -> None:
    entered, release = threading.Event(), threading.Event()
    committer = GroupCommitter(db.write, str(tmp_path / "writer.lock"))

    def blocker(session: Session) -> None:
        entered.set()
        release.wait(10)

    async def scenario() -> list[int]:
        first = asyncio.ensure_future(committer.run(blocker))
        assert await asyncio.to_thread(entered.wait, 10), "the writer thread never ran the first write"
        gathered = asyncio.gather(committer.run(_insert(1), bulk=True), committer.run(_insert(2), bulk=True))
        await asyncio.sleep(0)  # both queued behind `blocker`, then the stop
        committer.stop()
        release.set()
        await first
        return list(await asyncio.wait_for(gathered, 10))

    assert asyncio.run(scenario()) == [1, 2]
    assert _rows(db) == [1, 2]
