"""How the agent waits before trying again: one policy for the task poll, result delivery and enrolment.

Waits grow 0.5 s, 1 s, 2 s ... up to 30 s, each scaled by a random factor in [0.5, 1.5] so that
agents cut off together do not all come back at the same instant: after a server restart a
fleet's attempts spread over a window 2.5 times wider than with [0.8, 1.2]. A server that answers
with Retry-After (503 from its admission control) is obeyed: the wait is never shorter than it
asks, and is stretched by up to 40 % on top so that the agents it turned away together spread out.
What is worth retrying stays with each loop; how long to wait is decided here only.
"""

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

_MAX_DOUBLINGS = 16  # 0.5 s * 2**16 is far past the cap; a larger power would overflow a float


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; `sleep` and `uniform` are seams for tests."""

    first_s: float = 0.5
    max_s: float = 30.0
    jitter: float = 0.5  # a wait is scaled by a factor in [1 - jitter, 1 + jitter]
    retry_after_stretch: float = 0.4  # a Retry-After by one in [1, 1 + stretch]
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    uniform: Callable[[float, float], float] = random.uniform

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait after the failure numbered `attempt` (0 = the first) of one loop, at least
        `retry_after` when the server said so."""
        if retry_after is not None:
            return retry_after * self.uniform(1, 1 + self.retry_after_stretch)
        wait = min(self.max_s, self.first_s * 2.0 ** min(attempt, _MAX_DOUBLINGS))
        return wait * self.uniform(1 - self.jitter, 1 + self.jitter)

    def backoff(self, log: logging.Logger, what: str) -> "Backoff":
        """The waits of one retry loop, logged as `<what> (<error>); retrying in <s> s`."""
        return Backoff(self, log, what)


class Backoff:
    """Each failure waits longer than the one before; `reset` after a success starts again from the shortest."""

    def __init__(self, policy: RetryPolicy, log: logging.Logger, what: str) -> None:
        self.policy = policy
        self.log = log
        self.what = what
        self.attempt = 0

    async def wait(self, error: BaseException) -> None:
        """Log the failure and sleep until the next attempt is due (the server's Retry-After, if it sent one)."""
        delay = self.policy.delay(self.attempt, getattr(error, "retry_after", None))
        self.attempt += 1
        self.log.warning("%s (%s); retrying in %.1f s", self.what, error, delay)
        await self.policy.sleep(delay)

    def reset(self) -> None:
        self.attempt = 0


DEFAULT_POLICY = RetryPolicy()
