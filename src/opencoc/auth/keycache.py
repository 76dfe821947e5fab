"""A short-lived in-memory cache of access keys, so the hot path does not hit the database.

A revoked key is evicted when its revocation is announced (auth/revocations.py); an expired
one is refused by the caller, which checks `expires_at` on every request.
"""

import threading
import time

from opencoc.auth.service import KeyIdentity


class KeyCache:
    def __init__(self, ttl_seconds: float = 60.0) -> None:
        self._ttl = ttl_seconds
        self._items: dict[str, tuple[float, KeyIdentity]] = {}
        self._lock = threading.Lock()

    def get(self, access_key: str) -> KeyIdentity | None:
        with self._lock:
            item = self._items.get(access_key)
        if item is None or item[0] < time.monotonic():
            return None
        return item[1]

    def put(self, access_key: str, identity: KeyIdentity) -> None:
        with self._lock:
            if len(self._items) > 10_000:
                self._items.clear()
            self._items[access_key] = (time.monotonic() + self._ttl, identity)

    def evict(self, access_key: str) -> None:
        with self._lock:
            self._items.pop(access_key, None)
