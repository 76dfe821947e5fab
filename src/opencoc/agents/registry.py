"""Agents seen by this server process: cached rows for authentication, presence, last-seen times.

Every authenticated agent call is a sign of life, and so is a long-poll for as long as it is
open: an idle agent holds one poll open nearly all the time and needs no heartbeats on top.
Writing `last_seen_at` on each sign would cost a write transaction per request, so an agent's
time moves forward in memory at most every `write_interval_ms` (a quarter of the offline
threshold: 15 s by default), and `background.run` writes the collected times in one statement a
second (and, every third of that interval, moves the present agents' times forward).
ONLINE/OFFLINE is derived from the stored time by every replica alike, so an agent is shown
OFFLINE between 3/4 and all of the threshold after its last sign of life, and never while it
keeps one open.
"""

import threading
from dataclasses import dataclass, field

from opencoc.agents.models import Agent


def write_interval_ms(offline_after_s: float) -> int:
    """How often a live agent's time is written: four times per offline threshold."""
    return int(offline_after_s * 1000 / 4)


def present_refresh_ms(offline_after_s: float) -> int:
    """How often the time of an agent with an open request is moved forward."""
    return int(offline_after_s * 1000 / 4)


@dataclass
class Presence:
    """One open request of an agent; `ended` once the agent went away (or the request is done).
    `end()` may be called more than once."""

    registry: "AgentRegistry"
    agent: Agent
    ended: bool = field(default=False)

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.registry.left(self.agent.agent_sn)


class AgentRegistry:
    def __init__(self) -> None:
        self._agents: dict[str, Agent] = {}
        self._open: dict[str, int] = {}
        self._seen: dict[int, int] = {}
        self._lock = threading.Lock()

    def get(self, agent_sn: str) -> Agent | None:
        return self._agents.get(agent_sn)

    def put(self, agent: Agent) -> None:
        self._agents[agent.agent_sn] = agent

    def forget(self, agent_sn: str) -> None:
        """Drop a (revoked) agent's cached row: its next request is checked against the database."""
        self._agents.pop(agent_sn, None)

    def touch(self, agent: Agent, now: int, interval_ms: int) -> None:
        """Note that the agent is alive; written to the database by the next flush."""
        if now - agent.last_seen_at < interval_ms:
            return
        agent.last_seen_at = now
        with self._lock:
            self._seen[agent.id] = now

    def present(self, agent: Agent) -> Presence:
        """The agent has a request open until the returned presence ends."""
        self._open[agent.agent_sn] = self._open.get(agent.agent_sn, 0) + 1
        return Presence(self, agent)

    def left(self, agent_sn: str) -> None:
        count = self._open.get(agent_sn, 0) - 1
        if count > 0:
            self._open[agent_sn] = count
        else:
            self._open.pop(agent_sn, None)

    def refresh_present(self, now: int, interval_ms: int) -> None:
        """Move forward the time of every agent with an open request."""
        for agent_sn in list(self._open):
            agent = self._agents.get(agent_sn)
            if agent is not None:
                self.touch(agent, now, interval_ms)

    def drain(self) -> dict[int, int]:
        """The last-seen times collected since the previous drain (agent id -> ms)."""
        with self._lock:
            seen, self._seen = self._seen, {}
        return seen
