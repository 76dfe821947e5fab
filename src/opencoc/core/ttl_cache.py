"""A bounded in-memory cache whose entries expire: cachetools' TTLCache, safe to share between threads."""

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from cachetools import TTLCache

K = TypeVar("K")
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Up to `maxsize` entries, each for `ttl_seconds` after it was put; the least recently used go first."""

    def __init__(
        self, ttl_seconds: float, *, maxsize: int = 10_000, timer: Callable[[], float] = time.monotonic
    ) -> None:
        self._items: TTLCache[K, V] = TTLCache(maxsize, ttl_seconds, timer=timer)
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._items.get(key)

    def put(self, key: K, value: V) -> None:
        with self._lock:
            self._items[key] = value

    def evict(self, key: K) -> None:
        with self._lock:
            self._items.pop(key, None)

    def evict_where(self, matches: Callable[[K, V], bool]) -> None:
        """Drop every entry for which `matches(key, value)` holds (a scan: for rare events)."""
        with self._lock:
            for key in [k for k, v in self._items.items() if matches(k, v)]:
                self._items.pop(key, None)
