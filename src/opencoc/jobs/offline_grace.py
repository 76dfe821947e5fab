"""When the jobs domain takes an agent for offline, so that a server's own downtime does not count against agents.

Agents' last-seen times stop moving while no server runs. After a restart that took longer than the
grace (`agent_offline_after_seconds`), every agent seen before the crash would look offline until it
polled again: the sweep would fail the running instances of live agents ("agent lost") and a batch
started by the first result to come in would fail its hosts ("agent offline"). So at start a replica
notes the last time any agent was seen (the latest `last_seen_at`, about when the servers stopped
recording), and for one grace from its own start it takes the agents seen within a grace before then as
still there; an agent that is really gone is judged once that grace has passed. While other replicas
stay up, agents are seen until now and this changes nothing.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencoc.agents import service as agents_service


@dataclass
class OfflineGrace:
    grace_s: float  # agent_offline_after_seconds
    started_ms: int  # when this replica started
    last_recorded_ms: int | None = None  # the latest last-seen time at start (None: no agent yet, or not read)

    def load(self, session: Session) -> None:
        """Note the latest last-seen time of any agent (once, at start)."""
        self.last_recorded_ms = session.scalar(select(func.max(agents_service.Agent.last_seen_at)))

    def at(self, now_ms: int) -> float:
        """The offline threshold to apply now, in seconds: the grace, or during one grace after start the time
        back to a grace before the servers last recorded an agent, if that reaches further."""
        recorded = self.last_recorded_ms
        if recorded is None or now_ms >= self.started_ms + self.grace_s * 1000:
            return self.grace_s
        return max(self.grace_s, (now_ms - recorded) / 1000 + self.grace_s)
