"""Run a callback on the event loop when the process is asked to stop (SIGINT, SIGTERM).

uvicorn, on such a signal, waits for open requests before it runs the app's shutdown; a long-poll
would hold it for the whole graceful-shutdown timeout and then be cancelled with a traceback.
The app learns of the signal here, at once, and ends its long-polls itself.
"""

import asyncio
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def on_stop_signal(loop: asyncio.AbstractEventLoop, callback: Callable[[], None]) -> Callable[[], None]:
    """Also call `callback` (on `loop`) when a stop signal arrives, after the handler already installed
    (uvicorn's); returns the function that puts the previous handlers back. Only the main thread
    receives signals: elsewhere (e.g. an app under a test client) this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    previous: dict[int, Any] = {}

    def handler(sig: int, frame: FrameType | None) -> None:
        loop.call_soon_threadsafe(callback)
        before = previous[sig]
        if callable(before):
            before(sig, frame)
        elif before == signal.SIG_DFL:  # nobody handled it before us: do what the signal does
            signal.signal(sig, signal.SIG_DFL)
            signal.raise_signal(sig)

    for sig in STOP_SIGNALS:
        previous[sig] = signal.signal(sig, handler)

    def restore() -> None:
        for sig, before in previous.items():
            signal.signal(sig, before)

    return restore
