"""The TTL cache (cachetools behind a lock): entries expire, can be evicted, and the cache stays bounded."""

import asyncio

from opencoc.core.ttl_cache import TtlCache
from opencoc.core.wakeups import Wakeups


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_entry_is_served_until_its_ttl_passes() -> None:
    clock = Clock()
    cache: TtlCache[str, int] = TtlCache(5.0, timer=clock)
    cache.put("k", 1)
    clock.now += 4.9
    assert cache.get("k") == 1
    clock.now += 0.2
    assert cache.get("k") is None


def test_evict_drops_an_entry_and_ignores_an_unknown_key() -> None:
    cache: TtlCache[str, int] = TtlCache(60.0)
    cache.put("k", 1)
    cache.evict("k")
    cache.evict("never-put")
    assert cache.get("k") is None


def test_the_cache_holds_at_most_maxsize_entries_dropping_the_least_recently_used() -> None:
    cache: TtlCache[str, int] = TtlCache(60.0, maxsize=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)


def test_a_revocation_delivered_through_wakeups_evicts_the_cached_key() -> None:
    cache: TtlCache[str, str] = TtlCache(60.0)
    cache.put("AK1", "identity-1")
    cache.put("AK2", "identity-2")
    wakeups = Wakeups()
    wakeups.subscribe("revoked:key:", cache.evict)

    async def deliver() -> None:
        wakeups.bind(asyncio.get_running_loop())
        wakeups.deliver("revoked:key:AK1")

    asyncio.run(deliver())
    assert cache.get("AK1") is None and cache.get("AK2") == "identity-2"


def test_evict_where_drops_exactly_the_matching_entries() -> None:
    cache: TtlCache[str, str] = TtlCache(60.0)
    for key, owner in (("k1", "alice"), ("k2", "bob"), ("k3", "alice")):
        cache.put(key, owner)
    cache.evict_where(lambda _key, owner: owner == "alice")
    assert [cache.get(k) for k in ("k1", "k2", "k3")] == [None, "bob", None]
