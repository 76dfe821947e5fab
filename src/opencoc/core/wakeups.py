"""Wake-ups for long-polls: `notify(key)` from any thread wakes `wait(key)`.

Within a process the wake-up is immediate. Across replicas on PostgreSQL, a `Relay` (see
`core/pg_relay.py`) forwards each key with NOTIFY and delivers the keys other replicas send.
Waiters also wake on their timeout and re-check the database, which stays the source of truth.
A subscriber to a key prefix (e.g. a cache dropping revoked credentials) is called, on the
event loop, with the rest of every key delivered that starts with it.
`close()` (the server is stopping) wakes every waiter and sets `closed`, so that long-polls
answer before the server's graceful-shutdown deadline instead of being cancelled.
"""

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol

from opencoc.core.deadlines import Deadlines

RELAY_CHANNEL = "opencoc_wakeup"  # the PostgreSQL NOTIFY channel of the relay (core/pg_relay.py)


class Relay(Protocol):
    def publish(self, key: str) -> None: ...


class Wakeups:
    def __init__(self) -> None:
        # A key's one listener (an agent's long-poll: ten thousand of them), or a set of several.
        self._waiters: dict[str, Listener | set[Listener]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: list[tuple[str, Callable[[str], None]]] = []
        self.relay: Relay | None = None
        self.closed = False
        self.deadlines = Deadlines()  # the listeners' timeouts

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.deadlines = Deadlines()  # those of an earlier loop had their timers on it

    def subscribe(self, prefix: str, callback: Callable[[str], None]) -> None:
        """Call `callback(rest)` for every key `prefix + rest` delivered to this process."""
        self._subscribers.append((prefix, callback))

    def notify(self, key: str) -> None:
        """Wake every waiter on `key` here and, through the relay, on other replicas."""
        self.deliver(key)
        if self.relay is not None:
            self.relay.publish(key)

    def deliver(self, key: str) -> None:
        """Wake the waiters of this process only; safe to call from any thread."""
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._set(key)
        else:
            loop.call_soon_threadsafe(self._set, key)

    def _set(self, key: str) -> None:
        for listener in self._listeners(key):
            listener.set()
        for prefix, callback in self._subscribers:
            if key.startswith(prefix):
                callback(key[len(prefix) :])

    def close(self) -> None:
        """Wake every waiter of this process and mark it stopping (call on the event loop)."""
        self.closed = True
        for key in list(self._waiters):
            for listener in self._listeners(key):
                listener.set()

    async def wait(self, key: str, timeout: float) -> bool:
        """True if notified before `timeout` seconds."""
        with self.listening((key,)) as listener:
            return await listener.wait(timeout)

    def listening(self, keys: Sequence[str]) -> "Listener":
        """A listener to `keys` for a `with` block (a live view's stream, an agent's long-poll): a
        notification that comes while the block is busy elsewhere is kept for its next `wait`, not lost."""
        return Listener(self, tuple(keys))

    def _listeners(self, key: str) -> "tuple[Listener, ...] | set[Listener]":
        held = self._waiters.get(key)
        if held is None:
            return ()
        return held if isinstance(held, set) else (held,)

    def _add(self, key: str, listener: "Listener") -> None:
        held = self._waiters.get(key)
        if held is None:
            self._waiters[key] = listener
        elif isinstance(held, set):
            held.add(listener)
        elif held is not listener:
            self._waiters[key] = {held, listener}

    def _forget(self, key: str, listener: "Listener") -> None:
        held = self._waiters.get(key)
        if held is listener:
            del self._waiters[key]
        elif isinstance(held, set):
            held.discard(listener)
            if not held:
                del self._waiters[key]


class Listener:
    """What `Wakeups.listening` gives: `wait` returns as soon as any of its keys was notified since the last.

    A flag, and a future while someone waits, its timeout one of the shared deadlines (core/deadlines.py):
    ten thousand idle long-polls each hold one, so it is kept small (an asyncio.Event, a task per
    `wait_for`, an `asyncio.timeout` or a timer of its own cost more).
    """

    __slots__ = ("_keys", "_notified", "_waiter", "_wakeups")

    def __init__(self, wakeups: Wakeups, keys: tuple[str, ...]) -> None:
        self._wakeups = wakeups
        self._keys = keys
        self._notified = False
        self._waiter: asyncio.Future[bool] | None = None

    def __enter__(self) -> "Listener":
        for key in self._keys:
            self._wakeups._add(key, self)
        return self

    def __exit__(self, *_exc: object) -> None:
        for key in self._keys:
            self._wakeups._forget(key, self)

    def set(self) -> None:
        self._notified = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(True)

    async def wait(self, timeout: float) -> bool:
        """True if notified (now or since the last wait) before `timeout` seconds."""
        if not self._notified:
            deadlines = self._wakeups.deadlines
            self._waiter = waiter = asyncio.get_running_loop().create_future()
            tick = deadlines.add(waiter, timeout)
            try:
                if not await waiter:
                    return False
            finally:
                deadlines.discard(tick, waiter)
                self._waiter = None
        self._notified = False
        return True
