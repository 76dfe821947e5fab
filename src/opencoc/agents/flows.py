"""Revoking an agent: it can no longer call the server, and its unfinished tasks end ABNORMAL."""

from sqlalchemy.orm import Session

from opencoc.agents import service
from opencoc.jobs import sweep

REVOKED_REASON = "agent revoked"


def revoke_agent(session: Session, *, tenant_name: str, agent_sn: str, now: int, grace_s: float) -> bool:
    """Revoke the agent and fail its READY and PROCESSING instances; False if it was already revoked."""
    if not service.revoke(session, tenant_name=tenant_name, agent_sn=agent_sn, now=now):
        return False
    # Agents that now have work (the orders' next batches) are woken by the servers' jobs sweep
    # within a second: this runs in the admin CLI, which has no wake-ups to send.
    sweep.fail_agent_instances(session, agent_sn, REVOKED_REASON, now, grace_s)
    return True
