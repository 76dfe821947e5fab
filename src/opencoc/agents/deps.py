"""Agent authentication: `Authorization: Bearer <agent_sn>:<agent_secret>` -> the Agent row.

The agent counts as present (alive) while its request is open; for a long-poll (GET) that ends
early when the agent disconnects, so a killed agent stops counting at once, not when its poll
would have timed out.
"""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from starlette.requests import HTTPConnection

from opencoc.agents import service
from opencoc.agents.admission import Admitted as Admitted  # the agent routes of jobs use them too
from opencoc.agents.admission import PollAdmitted as PollAdmitted
from opencoc.agents.enroller import Enroller
from opencoc.agents.models import Agent
from opencoc.agents.registry import AgentRegistry, Presence, write_interval_ms
from opencoc.core.clock import now_ms
from opencoc.core.deps import database, settings_of
from opencoc.core.errors import unauthorized

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


async def _authenticate(request: Request, registry: AgentRegistry) -> Agent:
    header = request.headers.get("authorization", "")
    if header[: len(_BEARER)].lower() != _BEARER:
        raise unauthorized()
    agent_sn, _, secret = header[len(_BEARER) :].strip().partition(":")
    if not agent_sn or not secret or len(agent_sn) > 32:
        raise unauthorized()
    agent = registry.get(agent_sn)
    if agent is None:
        agent = await database(request).run_read(lambda s: service.find_by_sn(s, agent_sn))
        if agent is None or agent.revoked_at is not None:
            raise unauthorized()
        registry.put(agent)
    if not service.secret_matches(agent, secret):
        raise unauthorized()
    return agent


async def _disconnected(request: Request) -> None:
    """Returns when the client goes away (or the response is complete)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass


@asynccontextmanager
async def _present(request: Request) -> AsyncIterator[Presence]:
    registry = registry_of(request)
    agent = await _authenticate(request, registry)
    registry.touch(agent, now_ms(), write_interval_ms(settings_of(request).agent_offline_after_seconds))
    presence = registry.present(agent)
    watcher = None
    if request.method == "GET":  # no body to read, so the watcher takes no message the route needs
        watcher = asyncio.ensure_future(_disconnected(request))
        watcher.add_done_callback(lambda _task: presence.end())
    try:
        yield presence
    finally:
        if watcher is not None:
            watcher.cancel()
        presence.end()


async def authenticate_agent(request: Request) -> AsyncIterator[Agent]:
    """The calling agent (401 when unknown or the secret is wrong), present for the request."""
    async with _present(request) as presence:
        yield presence.agent


async def present_agent(request: Request) -> AsyncIterator[Presence]:
    """The calling agent's presence (as `authenticate_agent`): its `ended` tells a long-poll that the
    agent went away, without asking the connection."""
    async with _present(request) as presence:
        yield presence


CurrentAgent = Annotated[Agent, Depends(authenticate_agent)]
AgentPresence = Annotated[Presence, Depends(present_agent)]
Registry = Annotated[AgentRegistry, Depends(get_registry)]
EnrollerDep = Annotated[Enroller, Depends(get_enroller)]
