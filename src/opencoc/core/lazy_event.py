"""An asyncio.Event that allocates nothing until somebody waits on it.

uvicorn gives every connection an Event for its write flow control and every request one for its
body: each holds a deque of waiters (~0.6 KB empty) that an agent's long-poll never uses, and ten
thousand idle agents hold a connection and a request each. This one keeps its waiters' futures in a
list made on the first `wait` that has to wait.
"""

import asyncio


class LazyEvent:
    """asyncio.Event's interface (`is_set`, `set`, `clear`, `wait`), waiters allocated on demand."""

    __slots__ = ("_flag", "_waiters")

    def __init__(self, flag: bool = False) -> None:
        self._flag = flag
        self._waiters: list[asyncio.Future[bool]] | None = None

    def is_set(self) -> bool:
        return self._flag

    def set(self) -> None:
        """Set the flag and wake every waiter."""
        if self._flag:
            return
        self._flag = True
        waiters, self._waiters = self._waiters, None
        for fut in waiters or ():
            if not fut.done():
                fut.set_result(True)

    def clear(self) -> None:
        self._flag = False

    async def wait(self) -> bool:
        """Return True once the flag is set (at once if it is)."""
        if self._flag:
            return True
        fut: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        if self._waiters is None:
            self._waiters = []
        self._waiters.append(fut)
        try:
            return await fut
        finally:
            if self._waiters is not None and fut in self._waiters:
                self._waiters.remove(fut)
