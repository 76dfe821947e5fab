"""Values kept until their group changes; a read that overlaps a change is not kept."""

import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import text

from opencoc.core.change_cache import ChangeCache
from opencoc.core.db import Database


def test_a_change_drops_only_its_groups_values() -> None:
    cache: ChangeCache[str, int] = ChangeCache(60)
    cache.put("a1", "a", 1, read_since=cache.stamp())
    cache.put("b1", "b", 2, read_since=cache.stamp())
    cache.forget("a")
    assert cache.get("a1") is None and cache.get("b1") == 2


def test_a_read_that_began_before_a_change_of_its_group_is_not_kept() -> None:
    cache: ChangeCache[str, int] = ChangeCache(60)
    since = cache.stamp()  # the read begins
    cache.forget("a")  # a change commits meanwhile
    cache.put("a1", "a", 1, read_since=since)
    cache.put("b1", "b", 2, read_since=since)  # another group's read is kept
    assert cache.get("a1") is None and cache.get("b1") == 2
    cache.put("a1", "a", 3, read_since=cache.stamp())  # a read begun after the change is kept
    assert cache.get("a1") == 3


def test_forget_at_commit_drops_the_group_when_the_transaction_commits(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'c.db'}")
    cache: ChangeCache[str, int] = ChangeCache(60)
    cache.put("a1", "a", 1, read_since=cache.stamp())
    announced: list[str] = []
    db.on_commit = announced.append
    try:
        with db.write() as session:
            session.execute(text("CREATE TABLE t (n INTEGER)"))
            cache.forget_at_commit(session, "a", "changes:a")
            assert cache.get("a1") == 1, "not before the commit"
        assert cache.get("a1") is None
        assert announced == ["changes:a"]
    finally:
        db.dispose()


def test_as_a_wake_up_subscriber_it_takes_the_groups_id_as_text() -> None:
    cache: ChangeCache[str, int] = ChangeCache(60)
    cache.put("t7", 7, 1, read_since=cache.stamp())
    cache.forget_id("not-an-id")
    assert cache.get("t7") == 1
    cache.forget_id("7")
    assert cache.get("t7") is None


def test_readers_missing_the_same_key_together_wait_for_one_read() -> None:
    cache: ChangeCache[str, int] = ChangeCache(60)
    reads: list[int] = []
    first_reading, release = threading.Event(), threading.Event()

    def read() -> tuple[str, int]:
        reads.append(1)
        first_reading.set()
        release.wait(5)
        return "a", 42

    with ThreadPoolExecutor(4) as pool:
        first = pool.submit(cache.get_or_read, "a1", read)
        assert first_reading.wait(5)
        others = [pool.submit(cache.get_or_read, "a1", read) for _ in range(3)]
        release.set()
        assert [f.result(5) for f in [first, *others]] == [42, 42, 42, 42]
    assert len(reads) == 1


def test_get_or_read_does_not_keep_a_read_its_group_changed_under() -> None:
    cache: ChangeCache[str, int] = ChangeCache(60)

    def read() -> tuple[str, int]:
        cache.forget("a")  # a change commits while the read runs
        return "a", 1

    assert cache.get_or_read("a1", read) == 1
    assert cache.get("a1") is None
    assert cache.get_or_read("a1", lambda: ("a", 2)) == 2
    assert cache.get("a1") == 2
