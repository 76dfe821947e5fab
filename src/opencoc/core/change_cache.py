"""Values read from the database, kept until what they were read from changes.

A cache of this kind keeps each value under a key and in a group (a tenant, an order): a change
to the group drops its values (`forget`, called after the change commits, on every replica
through a wake-up subscriber). A read that overlaps a change must not be kept, or it would keep
the state before the change: take a `stamp()` before the read and `put` with it; the value is
kept only if its group has not changed since. The TTL bounds what a missed forget (a lost relay
message, a row written outside the services) can leave behind.
"""

import itertools
import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import Session

from opencoc.core.db import wake_after_commit
from opencoc.core.ttl_cache import TtlCache

K = TypeVar("K", bound=Hashable)
READING_STRIPES = 16
V = TypeVar("V")


class ChangeCache(Generic[K, V]):
    """Values by key, each in a group, dropped when their group changes; safe to share between threads."""

    def __init__(self, ttl_seconds: float, *, maxsize: int = 10_000) -> None:
        self._items: TtlCache[K, tuple[Hashable, V]] = TtlCache(ttl_seconds, maxsize=maxsize)
        # by group: the stamp of its last change, kept long enough to outlive any read that began before it
        self._changed: TtlCache[Hashable, int] = TtlCache(ttl_seconds * 4, maxsize=maxsize)
        self._clock = itertools.count(1)
        self._now = 0
        self._lock = threading.Lock()
        # one reader per key at a time (`get_or_read`); striped, so that the locks are bounded
        self._reading = tuple(threading.RLock() for _ in range(READING_STRIPES))

    def get(self, key: K) -> V | None:
        entry = self._items.get(key)
        return None if entry is None else entry[1]

    def stamp(self) -> int:
        """Take before a read whose result may be `put`."""
        return self._now

    def put(self, key: K, group: Hashable, value: V, *, read_since: int) -> None:
        """Keep `value` unless its group changed after `read_since` (a `stamp()` taken before the read)."""
        with self._lock:
            if (self._changed.get(group) or 0) <= read_since:
                self._items.put(key, (group, value))

    def get_or_read(self, key: K, read: Callable[[], tuple[Hashable, V]]) -> V:
        """The kept value of `key`, or `read()` -> (its group, the value), kept unless its group changed meanwhile.

        Readers that miss the same key at the same time (its TTL ends while eight people view one
        page) wait for the first one's read instead of each doing it: a stampede of the same read
        made every request in flight wait for all of them (bench/console.py p99). `read` must not
        take other keys of this cache.
        """
        if (found := self.get(key)) is not None:
            return found
        with self._reading[hash(key) % READING_STRIPES]:
            if (found := self.get(key)) is not None:
                return found
            since = self.stamp()
            group, value = read()
            self.put(key, group, value, read_since=since)
            return value

    def forget(self, group: Hashable) -> None:
        """The group changed: drop its values, and refuse those read before now."""
        with self._lock:
            self._now = next(self._clock)
            self._changed.put(group, self._now)
            self._items.evict_where(lambda _key, entry: entry[0] == group)

    def forget_id(self, group_id: str) -> None:
        """`forget` as a wake-up subscriber: the key ends with the group's numeric id, given as text."""
        if group_id.isdigit():
            self.forget(int(group_id))

    def forget_at_commit(self, session: Session, group: Hashable, wake_key: str) -> None:
        """`session`'s transaction changes the group: forget it once it commits, here and (through `wake_key`,
        whose subscriber calls `forget`) on every replica."""
        wake_after_commit(session, wake_key)
        event.listen(session, "after_commit", lambda _session: self.forget(group), once=True)


def database_of(session: Session) -> str:
    """The session's database, for keys: one process may serve (or test) several databases."""
    return str(session.get_bind().engine.url)
