"""A fan-out's batches as the hosts see them, from the simulated agents' INFO log.

The server's own times no longer split a batch: the write that applies a batch's last result hands the
next batch out, so the next hand-out bears that result's time. The agents log each task's start (just
after its feed arrived) and its end (just before its result is sent) with milliseconds. Sorted by start,
the tasks of `runs` orders of `batches` batches of `size` hosts fall in their batches, since a batch's
tasks start only once the server has the last result of the batch before.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# "2026-12-05 06:49:31,123 INFO <logger>: task <id>: <message>" (opencoc/agent/main.py's format, loop.py's lines)
_LINE = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) INFO \S+: task ([0-9a-f]{32}): (.+)")
_START = re.compile(r"\S+ as \S*, timeout \d+ s")  # "SHELL as root, timeout 60 s"
_END = re.compile(r"[A-Z_]+ .*")  # "FINISHED ", or a status and its error


@dataclass
class HostView:
    """Per batch (ms): its first task received -> its last result sent (`hosts`), the spread of its tasks'
    arrival (`arrival`); per step between two batches of an order: the last result sent -> the next batch's
    first task received (`first`) and its last (`last`)."""

    hosts: list[float] = field(default_factory=list)
    arrival: list[float] = field(default_factory=list)
    first: list[float] = field(default_factory=list)
    last: list[float] = field(default_factory=list)


def _ms(stamp: str) -> float:
    """The log's local time stamp as epoch milliseconds."""
    return datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp() * 1000


def _tasks(logs: Iterable[Path], since_ms: float, until_ms: float) -> list[tuple[float, float]]:
    """(start, end) of each task that started in the window, by start."""
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    for path in logs:
        for line in path.read_text(errors="replace").splitlines():
            found = _LINE.fullmatch(line)
            if found is None:
                continue
            stamp, task_id, message = found.groups()
            if _START.fullmatch(message):
                starts[task_id] = _ms(stamp)
            elif _END.fullmatch(message):
                ends[task_id] = _ms(stamp)
    spans = [(start, ends[t]) for t, start in starts.items() if since_ms <= start <= until_ms and t in ends]
    return sorted(spans)


def host_view(logs: Iterable[Path], since_ms: float, until_ms: float, runs: int, batches: int, size: int) -> HostView:
    """The batches of the `runs` orders that ran in the window; ValueError if the logs do not hold each task."""
    spans = _tasks(logs, since_ms, until_ms)
    if len(spans) != runs * batches * size:
        raise ValueError(f"{len(spans)} tasks in the agents' logs, not {runs} x {batches} x {size}")
    view = HostView()
    for run in range(runs):
        order = spans[run * batches * size : (run + 1) * batches * size]
        chunks = [order[b * size : (b + 1) * size] for b in range(batches)]
        for chunk in chunks:
            view.hosts.append(max(end for _, end in chunk) - chunk[0][0])
            view.arrival.append(chunk[-1][0] - chunk[0][0])
        for prev, nxt in zip(chunks, chunks[1:], strict=False):
            sent = max(end for _, end in prev)
            view.first.append(nxt[0][0] - sent)
            view.last.append(nxt[-1][0] - sent)
    return view
