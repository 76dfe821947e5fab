"""Failed sign-ins slowed down: at most `LIMIT` per minute per (tenant, user, address), per process."""

import time
from collections import deque

from cachetools import TTLCache

LIMIT = 5
WINDOW_S = 60.0


class SignInThrottle:
    def __init__(self, limit: int = LIMIT, window_s: float = WINDOW_S) -> None:
        self.limit = limit
        self.window_s = window_s
        # Bounded, and a key forgets itself a window after its last failure.
        self._failures: TTLCache[tuple[str, str, str], deque[float]] = TTLCache(maxsize=100_000, ttl=window_s)

    def _recent(self, key: tuple[str, str, str], now: float) -> deque[float]:
        stamps = self._failures.get(key) or deque()
        while stamps and stamps[0] <= now - self.window_s:
            stamps.popleft()
        return stamps

    def blocked(self, key: tuple[str, str, str]) -> bool:
        """True while the key has used up its failures of the last window."""
        return len(self._recent(key, time.monotonic())) >= self.limit

    def failed(self, key: tuple[str, str, str]) -> None:
        now = time.monotonic()
        stamps = self._recent(key, now)
        stamps.append(now)
        self._failures[key] = stamps
