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

The registry holds a `KnownAgent` per agent, not its row: the few fields that authentication,
liveness and the heartbeat's facts check need (a digest of the facts, not the facts): a row with
its facts and its ORM state is ~3 KB, and a fleet of ten thousand is held for the process's life.
"""

import hashlib
import threading
from dataclasses import dataclass, field
from typing import Any

import orjson

from opencoc.agents.models import Agent


def facts_digest(facts: dict[str, Any]) -> bytes:
    """A digest of an agent's facts as stored (key order does not matter)."""
    return hashlib.blake2b(orjson.dumps(facts, option=orjson.OPT_SORT_KEYS), digest_size=16).digest()


@dataclass(slots=True)
class KnownAgent:
    """What the process keeps of an authenticated agent's row; `last_seen_at` moves forward in memory."""

    id: int
    agent_sn: str
    secret_hash: str
    last_seen_at: int
    facts_digest: bytes

    @classmethod
    def of(cls, agent: Agent) -> "KnownAgent":
        return cls(agent.id, agent.agent_sn, agent.secret_hash, agent.last_seen_at, facts_digest(agent.facts))


def write_interval_ms(offline_after_s: float) -> int:
    """How often a live agent's time is written: four times per offline threshold."""
    return int(offline_after_s * 1000 / 4)


def present_refresh_ms(offline_after_s: float) -> int:
    """How often the time of an agent with an open request is moved forward."""
    return int(offline_after_s * 1000 / 4)


@dataclass(slots=True)
class Presence:
    """One open request of an agent; `ended` once the agent went away (or the request is done).
    `end()` may be called more than once."""

    registry: "AgentRegistry"
    agent: KnownAgent
    ended: bool = field(default=False)

    def end(self) -> None:
        if not self.ended:
            self.ended = True
            self.registry.left(self.agent.agent_sn)


class AgentRegistry:
    def __init__(self) -> None:
        self._agents: dict[str, KnownAgent] = {}
        self._open: dict[str, int] = {}
        self._seen: dict[int, int] = {}
        self._lock = threading.Lock()
        self.forgotten = 0  # how many agents were forgotten: read it before reading rows to `put`

    def get(self, agent_sn: str) -> KnownAgent | None:
        return self._agents.get(agent_sn)

    def put(self, agent: Agent, forgotten_before: int) -> KnownAgent:
        """What authentication needs of a (non-revoked) agent's row, kept as `put_all` keeps it."""
        known = KnownAgent.of(agent)
        self.put_all([known], forgotten_before)
        return known

    def put_all(self, agents: list[KnownAgent], forgotten_before: int) -> None:
        """Keep agents read (or just written) after `forgotten_before` was taken from `forgotten`, unless an agent
        was forgotten (revoked) since: the rows may predate that revocation, so their next requests read them."""
        if self.forgotten == forgotten_before:
            self._agents.update((known.agent_sn, known) for known in agents)

    def keep_all(self, agents: list[KnownAgent], forgotten_before: int) -> None:
        """Keep agents read ahead of their requests (the start-up warm-up) as `put_all` does, except those a
        request has put a fresher row of."""
        if self.forgotten == forgotten_before:
            for known in agents:
                self._agents.setdefault(known.agent_sn, known)

    def forget(self, agent_sn: str) -> None:
        """Drop a (revoked) agent's cached row: its next request is checked against the database."""
        self._agents.pop(agent_sn, None)
        self.forgotten += 1

    def touch(self, agent: KnownAgent, now: int, interval_ms: int) -> None:
        """Note that the agent is alive; written to the database by the next flush."""
        if now - agent.last_seen_at < interval_ms:
            return
        agent.last_seen_at = now
        with self._lock:
            self._seen[agent.id] = now

    def present(self, agent: KnownAgent) -> Presence:
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
