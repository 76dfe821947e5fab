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
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

RELAY_CHANNEL = "opencoc_wakeup"  # the PostgreSQL NOTIFY channel of the relay (core/pg_relay.py)


class Relay(Protocol):
    def publish(self, key: str) -> None: ...


class Wakeups:
    def __init__(self) -> None:
        self._waiters: dict[str, set[asyncio.Event]] = defaultdict(set)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscribers: list[tuple[str, Callable[[str], None]]] = []
        self.relay: Relay | None = None
        self.closed = False

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

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
        for ev in self._waiters.get(key, ()):
            ev.set()
        for prefix, callback in self._subscribers:
            if key.startswith(prefix):
                callback(key[len(prefix) :])

    def close(self) -> None:
        """Wake every waiter of this process and mark it stopping (call on the event loop)."""
        self.closed = True
        for waiters in self._waiters.values():
            for ev in waiters:
                ev.set()

    async def wait(self, key: str, timeout: float) -> bool:
        """True if notified before `timeout` seconds."""
        ev = asyncio.Event()
        self._waiters[key].add(ev)
        try:
            await asyncio.wait_for(ev.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            self._forget(key, ev)

    @contextmanager
    def listening(self, keys: Sequence[str]) -> Iterator["Listener"]:
        """A listener to `keys` for the block (a live view's stream): a notification that comes while
        the stream is busy sending is kept for its next `wait`, not lost."""
        listener = Listener()
        for key in keys:
            self._waiters[key].add(listener.event)
        try:
            yield listener
        finally:
            for key in keys:
                self._forget(key, listener.event)

    def _forget(self, key: str, ev: asyncio.Event) -> None:
        waiters = self._waiters.get(key)
        if waiters is not None:
            waiters.discard(ev)
            if not waiters:
                del self._waiters[key]


class Listener:
    """What `Wakeups.listening` gives: `wait` returns as soon as any of its keys was notified since the last."""

    def __init__(self) -> None:
        self.event = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        """True if notified (now or since the last wait) before `timeout` seconds."""
        try:
            await asyncio.wait_for(self.event.wait(), timeout)
        except TimeoutError:
            return False
        self.event.clear()
        return True
