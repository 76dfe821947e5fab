"""The agents' long-polls waiting on this replica, to which the write that makes their tasks due hands them.

When a result ends a batch, the write that starts the next one reserves the polls of its agents that
wait here (`reserve`, from the writer's thread), writes their tasks as handed out rather than due
(jobs/handout.py) and, once it has committed, gives each poll its feed (`deliver`): the batch's tasks
are created and handed out in one transaction, with no claim after it. A write that fails gives its
polls back (`release`). Only a waiting poll can be reserved: not one that is claiming or ending, and a
reserved poll does not end before its write has delivered or released it, so a handed task is never
left with no poll to take it. Agents polling another replica get their tasks as due, through its claim.
"""

import threading
from typing import Protocol

from opencoc.core.wakeups import Listener
from opencoc.jobs.tasks import Feed

# How long a reserved poll waits at a time for its write's outcome; the write always delivers or releases.
RESERVED_WAIT_S = 5.0


class Attendance(Protocol):
    """Whether the poll's agent is still there (an agent's `Presence`)."""

    @property
    def ended(self) -> bool: ...


class Spot:
    """One waiting poll: `open` while it may be reserved, `reserved` while a write holds it, then its `feed`."""

    __slots__ = ("attendance", "feed", "listener", "open", "reserved")

    def __init__(self, listener: Listener, attendance: Attendance) -> None:
        self.listener = listener
        self.attendance = attendance
        self.open = False
        self.reserved = False
        self.feed: Feed | None = None


class ParkedPolls:
    def __init__(self) -> None:
        self._spots: dict[str, Spot] = {}  # an agent's latest poll
        self._lock = threading.Lock()  # `reserve` runs on the writers' threads

    def park(self, agent_sn: str, listener: Listener, attendance: Attendance) -> Spot:
        """The poll's spot (closed until it `open`s); a delivery wakes `listener`. `unpark` it when done; it is not
        reserved once `attendance` ended (the agent went away)."""
        spot = Spot(listener, attendance)
        with self._lock:
            self._spots[agent_sn] = spot
        return spot

    def unpark(self, agent_sn: str, spot: Spot) -> None:
        with self._lock:
            if self._spots.get(agent_sn) is spot:
                del self._spots[agent_sn]

    def waiting(self, agent_sn: str) -> bool:
        """Whether a poll of the agent waits here, open to a hand-out."""
        spot = self._spots.get(agent_sn)
        return spot is not None and spot.open

    def open(self, spot: Spot) -> None:
        """The poll waits: a write may reserve it."""
        with self._lock:
            spot.open = True

    def close(self, spot: Spot) -> bool:
        """The poll stops waiting (to claim, or to end); False while a write holds it (wait for the outcome)."""
        with self._lock:
            spot.open = False
            return not spot.reserved

    def reserve(self, agent_sns: set[str]) -> dict[str, Spot]:
        """Hold the waiting polls of these agents for a write: the polls it holds, by agent."""
        held: dict[str, Spot] = {}
        with self._lock:
            for agent_sn in agent_sns:
                spot = self._spots.get(agent_sn)
                if spot is not None and spot.open and not spot.reserved and not spot.attendance.ended:
                    spot.open, spot.reserved = False, True
                    held[agent_sn] = spot
        return held

    def deliver(self, held: dict[str, Spot], feeds: dict[str, Feed]) -> None:
        """The write holding these polls committed: each gets its agent's feed (none: it waits on). Event loop."""
        for agent_sn, spot in held.items():
            spot.feed = feeds.get(agent_sn) or None
            with self._lock:
                spot.reserved = False
            spot.listener.set()

    def release(self, held: dict[str, Spot]) -> None:
        """The write holding these polls handed them nothing: they wait on. Event loop."""
        self.deliver(held, {})
