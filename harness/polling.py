"""Waiting in tests for something another process or thread does: the one polling loop of the suite."""

import time
from collections.abc import Callable
from typing import Any


def wait_for(
    check: Callable[[], Any],
    what: str,
    timeout: float = 30.0,
    every: float = 0.1,
    detail: Callable[[], str] | None = None,
) -> Any:
    """The first truthy value of `check()`, or an AssertionError naming `what` after `timeout` s.

    `detail` (e.g. a process's log tail) is called on timeout and added to the message. An
    exception raised by `check` ends the wait at once (a process that exited need not be waited for).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            suffix = f": {detail()}" if detail is not None else ""
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}{suffix}")
        time.sleep(every)
