"""Agent authentication: `Authorization: Bearer <agent_sn>:<agent_secret>` -> the agent as the process knows it.

The agent counts as present (alive) while its request is open, until the agent disconnects: a
killed agent stops counting at once, not when its long-poll would have timed out (the server's
HTTP protocol reports the lost connection: core/http_limits.py).
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from opencoc.agents import service
from opencoc.agents.admission import Admitted as Admitted  # the agent routes of jobs use them too
from opencoc.agents.admission import Slot as Slot  # a poll served bare takes one (jobs/poll_bare.py)
from opencoc.agents.admission import SlotAdmitted as SlotAdmitted
from opencoc.agents.admission import admission_of
from opencoc.agents.enroller import Enroller
from opencoc.agents.registry import AgentRegistry, KnownAgent, write_interval_ms
from opencoc.agents.registry import Presence as Presence
from opencoc.core.clock import now_ms
from opencoc.core.deps import database, settings_of
from opencoc.core.errors import unauthorized
from opencoc.core.http_limits import WHEN_GONE

_BEARER = "bearer "


def registry_of(conn: HTTPConnection) -> AgentRegistry:
    """The process's agents (auth cache, presence, last-seen times), built by the app factory."""
    registry: AgentRegistry = conn.app.state.agent_registry  # Starlette's State is untyped
    return registry


async def get_registry(request: Request) -> AgentRegistry:
    return registry_of(request)


async def get_enroller(request: Request) -> Enroller:
    """The process's enrolment batcher, built by the app factory."""
    enroller: Enroller = request.app.state.agent_enroller  # Starlette's State is untyped
    return enroller


def _authorization(request: Request) -> str:
    """The Authorization header, read from the scope: `request.headers` would copy the scope's header list
    into the request's, and an agent's long-poll keeps its scope for up to 30 s."""
    return next((value.decode("latin-1") for name, value in request.scope["headers"] if name == b"authorization"), "")


async def _authenticate(request: Request, registry: AgentRegistry) -> KnownAgent:
    header = _authorization(request)
    if header[: len(_BEARER)].lower() != _BEARER:
        raise unauthorized()
    agent_sn, _, secret = header[len(_BEARER) :].strip().partition(":")
    if not agent_sn or not secret or len(agent_sn) > 32:
        raise unauthorized()
    agent = registry.get(agent_sn)
    if agent is None:
        forgotten = registry.forgotten
        row = await database(request).run_read(lambda s: service.find_by_sn(s, agent_sn))
        if row is None or row.revoked_at is not None:
            raise unauthorized()
        agent = registry.put(row, forgotten)
    if not service.secret_matches(agent.secret_hash, secret):
        raise unauthorized()
    return agent


def take_slot(request: Request) -> Slot:
    """An admission slot for the request (503 when the server is busy with other agents); the caller releases it."""
    return Slot(admission_of(request))


async def enter_presence(request: Request) -> Presence:
    """The calling agent's presence for the request (401 when unknown or the secret is wrong): its `ended`
    tells a long-poll that the agent went away, without asking the connection. The caller ends it."""
    registry = registry_of(request)
    agent = await _authenticate(request, registry)
    registry.touch(agent, now_ms(), write_interval_ms(settings_of(request).agent_offline_after_seconds))
    presence = registry.present(agent)
    when_gone = request.scope.get("extensions", {}).get(WHEN_GONE)
    if when_gone is not None:  # served by `opencoc serve`: its protocol says when the connection is lost
        when_gone(presence.end)
    return presence


async def present_agent(request: Request) -> AsyncIterator[Presence]:
    """The calling agent's presence for the request, ended with it (`enter_presence`)."""
    presence = await enter_presence(request)
    try:
        yield presence
    finally:
        presence.end()


_present = asynccontextmanager(present_agent)


async def authenticate_agent(request: Request) -> AsyncIterator[KnownAgent]:
    """The calling agent (401 when unknown or the secret is wrong), present for the request."""
    async with _present(request) as presence:
        yield presence.agent


CurrentAgent = Annotated[KnownAgent, Depends(authenticate_agent)]
AgentPresence = Annotated[Presence, Depends(present_agent)]
Registry = Annotated[AgentRegistry, Depends(get_registry)]
EnrollerDep = Annotated[Enroller, Depends(get_enroller)]
