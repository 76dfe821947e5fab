"""What an agent's life changes in other domains: its host in the inventory, its tasks when revoked."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from opencoc.agents import service
from opencoc.agents.models import Agent
from opencoc.agents.schemas import AgentFacts
from opencoc.core.errors import OpenCOCError
from opencoc.jobs import service as jobs
from opencoc.resources import service as resources

REVOKED_REASON = "agent revoked"


def _host(agent: Agent) -> resources.Host:
    return resources.Host(
        tenant_id=agent.tenant_id,
        resource_id=agent.resource_id,
        agent_sn=agent.agent_sn,
        hostname=agent.hostname,
        region_id=agent.region_id,
        zone_id=agent.zone_id,
        fixed_ip=agent.fixed_ip,
        facts=agent.facts,
    )


def enroll_many(
    session: Session, requests: Sequence[tuple[str, AgentFacts]], *, now: int
) -> list[service.NewAgent | OpenCOCError]:
    """Enrol hosts (token, facts): new agents with their one-time secrets, and the hosts in their tenants'
    inventories; an item whose token is not valid gets its error instead."""
    out = service.enroll_many(session, requests, now=now)
    enrolled = [item.enrolled for item in out if isinstance(item, service.NewAgent)]
    hosts = [
        resources.Host(
            tenant_id=new.tenant_id,
            resource_id=new.resource_id,
            agent_sn=new.agent_sn,
            hostname=new.facts.hostname,
            region_id=new.facts.region_id,
            zone_id=new.facts.zone_id,
            fixed_ip=new.facts.fixed_ip,
            facts=new.facts.model_dump(),
        )
        for new in enrolled
    ]
    resources.add_hosts(session, hosts, now=now)
    return out


def update_facts(session: Session, *, agent_id: int, facts: AgentFacts, now: int) -> Agent | None:
    """Store an agent's new host facts and refresh its host in the inventory."""
    agent = service.update_facts(session, agent_id=agent_id, facts=facts, now=now)
    if agent is not None:
        resources.upsert_host(session, _host(agent), now=now)
    return agent


def revoke_agent(session: Session, *, tenant_name: str, agent_sn: str, now: int, grace_s: float) -> bool:
    """Revoke the agent and fail its READY and PROCESSING instances; False if it was already revoked."""
    if not service.revoke(session, tenant_name=tenant_name, agent_sn=agent_sn, now=now):
        return False
    # Agents that now have work (the orders' next batches) are woken by the servers' jobs sweep
    # within a second: this runs in the admin CLI, which has no wake-ups to send.
    jobs.fail_agent_instances(session, agent_sn, REVOKED_REASON, now, grace_s)
    return True
