"""Admission control on the agent routes: a fleet reconnecting at once is told to come back later.

When a server restarts under 10,000 agents, each wants to heartbeat, poll and deliver results
at the same moment. Beyond `agent_max_active_requests` agent requests being worked on at once,
an agent gets 503 with a Retry-After drawn at random from 1..`agent_retry_after_max_seconds`,
which the agent honours (agent/retry.py), so the fleet comes back spread out while user API calls,
which never pass through here, keep their latency. A long-poll holds a slot only while it is
authenticated (after a restart that is a read per agent); an idle poll reads nothing more
(jobs/announced.py) and while it waits it costs nothing, so a burst of polls ending together is
not turned away.
"""

import random
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request

from opencoc.config import Settings
from opencoc.core.errors import OpenCOCError

BUSY_CODE = "OPENCOC.AGENT.BUSY"


class Admission:
    """How many agent requests this process is working on, against its limit."""

    @classmethod
    def from_settings(cls, settings: Settings) -> "Admission":
        return cls(settings.agent_max_active_requests, settings.agent_retry_after_max_seconds)

    def __init__(self, limit: int, retry_after_max_s: int) -> None:
        self.limit = limit
        self.retry_after_max_s = max(1, retry_after_max_s)
        self.active = 0
        self.refused = 0

    def enter(self) -> None:
        """Take a slot, or raise the 503 that tells the agent when to come back."""
        if self.active >= self.limit:
            self.refused += 1
            retry_after = str(random.randint(1, self.retry_after_max_s))
            raise OpenCOCError(
                BUSY_CODE, "the server is busy with other agents, retry later", 503, {"Retry-After": retry_after}
            )
        self.active += 1

    def leave(self) -> None:
        self.active -= 1


def admission_of(request: Request) -> Admission:
    """The process's admission counter, built by the app factory."""
    admission: Admission = request.app.state.agent_admission  # Starlette's State is untyped
    return admission


async def admitted(request: Request) -> AsyncIterator[None]:
    """Hold a slot for the whole request (heartbeat, result)."""
    admission = admission_of(request)
    admission.enter()
    try:
        yield
    finally:
        admission.leave()


async def slot_admitted(request: Request) -> AsyncIterator["Slot"]:
    """A slot the route gives back itself (`release()`) once what is left is waiting, not work: a
    long-poll once its agent is authenticated, an enrolment once it is queued for its batch. Given
    back at the end of the request otherwise."""
    slot = Slot(admission_of(request))
    try:
        yield slot
    finally:
        slot.release()


class Slot:
    """An agent request's place in the admission count, given back once (`release`)."""

    __slots__ = ("admission",)

    def __init__(self, admission: Admission) -> None:
        admission.enter()
        self.admission: Admission | None = admission

    def release(self) -> None:
        if self.admission is not None:
            self.admission.leave()
            self.admission = None


Admitted = Depends(admitted)
SlotAdmitted = Annotated[Slot, Depends(slot_admitted)]
