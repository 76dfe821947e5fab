"""The heap trimmer: glibc's malloc_trim is found and called on every interval, on a worker thread."""

import asyncio
import threading

import pytest

from opencoc.core import heap_trim


def test_glibc_malloc_trim_is_found_and_answers() -> None:
    trim = heap_trim.malloc_trim()
    assert trim is not None, "this machine's C library is glibc"
    assert trim(0) in (0, 1)  # 1: memory was given back, 0: there was none to give


def test_the_loop_trims_on_every_interval_off_the_event_loop(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[int, bool]] = []
    loop_thread = threading.get_ident()

    def trim(pad: int) -> int:
        calls.append((pad, threading.get_ident() != loop_thread))
        return 0

    monkeypatch.setattr(heap_trim, "INTERVAL_S", 0.01)
    monkeypatch.setattr(heap_trim, "malloc_trim", lambda: trim)

    async def scenario() -> None:
        task = asyncio.create_task(heap_trim.run(None))
        while len(calls) < 3:
            await asyncio.sleep(0.01)
        task.cancel()

    asyncio.run(asyncio.wait_for(scenario(), 10))
    assert calls[:3] == [(0, True)] * 3
