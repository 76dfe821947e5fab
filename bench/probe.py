"""A user beside the fleet: one signed call timed again and again, from a process of its own.

The probe once ran as a thread of the benchmark, which meanwhile started orders from eight threads
or read 10,000 resources: its figures then held the benchmark's own waits for the GIL. In its own
process (spawned, so it shares no socket or lock with the benchmark) it times the server alone.
"""

import multiprocessing
import statistics
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event
from typing import Any

import httpx

from opencoc.client.auth import SdkHmacAuth

PAUSE_S = 0.2  # between two calls


@dataclass(frozen=True)
class Call:
    """What the probe sends: a signed request to the server at `url`."""

    url: str
    auth: SdkHmacAuth
    method: str
    path: str
    json: Any = None
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def through(cls, api: httpx.Client, method: str, path: str, **request: Any) -> "Call":
        """The call as `api` (a client signed with SdkHmacAuth) would send it."""
        assert isinstance(api.auth, SdkHmacAuth)
        return cls(str(api.base_url), api.auth, method, path, **request)


def _run(call: Call, stop: Event, out: Connection) -> None:
    """The probe's process: call until stopped, then send back (ms, started s, status) per call."""
    samples: list[tuple[float, float, int]] = []
    t_zero = time.perf_counter()
    with httpx.Client(base_url=call.url, auth=call.auth, timeout=60) as client:
        while not stop.is_set():
            t0 = time.perf_counter()
            try:
                status = client.request(call.method, call.path, json=call.json, params=call.params).status_code
            except httpx.HTTPError:
                status = 0
            samples.append(((time.perf_counter() - t0) * 1000, t0 - t_zero, status))
            stop.wait(PAUSE_S)
    out.send(samples)
    out.close()


class Probe:
    """Starts timing `call` at once; `stop()` ends it and describes what it saw."""

    def __init__(self, call: Call) -> None:
        ctx = multiprocessing.get_context("spawn")
        self._stop = ctx.Event()
        self._receive, send = ctx.Pipe(duplex=False)
        self._process = ctx.Process(target=_run, args=(call, self._stop, send), daemon=True)
        self._process.start()
        send.close()

    def stop(self) -> str:
        self._stop.set()
        samples: list[tuple[float, float, int]] = self._receive.recv() if self._receive.poll(120) else []
        self._process.join(10)
        if not samples:
            return "no calls"
        ordered = sorted(ms for ms, _, _ in samples)
        p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
        statuses: dict[int, int] = {}
        for _, _, status in samples:
            statuses[status] = statuses.get(status, 0) + 1
        slowest = sorted(samples, reverse=True)[:3]
        return (
            f"{len(ordered)} calls, p50 {statistics.median(ordered):.0f} ms, p99 {p99:.0f} ms, "
            f"max {ordered[-1]:.0f} ms, statuses {dict(sorted(statuses.items()))}; slowest "
            + ", ".join(f"{ms:.0f} ms at +{at:.1f} s" for ms, at, _ in slowest)
        )
