"""Enrolment tokens, enrolment, heartbeats and agent look-ups (no HTTP here)."""

import hmac
import secrets
import uuid

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from opencoc.agents.models import Agent, EnrollToken
from opencoc.agents.schemas import AgentFacts
from opencoc.auth import revocations
from opencoc.auth import service as auth_service
from opencoc.core.crypto import sha256_hex
from opencoc.core.errors import OpenCOCError, unauthorized
from opencoc.resources import service as resources_service

ONLINE = "ONLINE"
OFFLINE = "OFFLINE"


def create_enroll_token(session: Session, *, tenant_name: str, ttl_s: int | None, now: int) -> str:
    """A new enrolment token of the tenant (valid for `ttl_s` seconds, forever when None)."""
    tenant = auth_service.get_tenant(session, tenant_name)
    token = "oce_" + secrets.token_urlsafe(32)
    expires = None if ttl_s is None else now + ttl_s * 1000
    session.add(EnrollToken(tenant_id=tenant.id, token_hash=sha256_hex(token), created_at=now, expires_at=expires))
    return token


def revoke_enroll_token(session: Session, *, tenant_name: str, token: str, now: int) -> None:
    """Revoke a token of the tenant: agents already enrolled keep working, new ones cannot enrol."""
    tenant = auth_service.get_tenant(session, tenant_name)
    done = session.execute(
        update(EnrollToken)
        .where(EnrollToken.tenant_id == tenant.id, EnrollToken.token_hash == sha256_hex(token))
        .values(revoked_at=now)
    )
    if done.rowcount == 0:  # type: ignore[attr-defined]
        raise OpenCOCError("COC.00000404", "enrolment token not found", status=404)


def _valid_token(session: Session, token: str, now: int) -> EnrollToken:
    row = session.scalar(select(EnrollToken).where(EnrollToken.token_hash == sha256_hex(token)))
    if row is None or row.revoked_at is not None or (row.expires_at is not None and row.expires_at <= now):
        raise unauthorized()
    return row


def _apply_facts(agent: Agent, facts: AgentFacts) -> None:
    agent.hostname = facts.hostname
    agent.fixed_ip = facts.fixed_ip
    agent.ips = list(facts.ips)
    agent.os_type = facts.os_type
    agent.os_name = facts.os_name
    agent.region_id = facts.region_id
    agent.zone_id = facts.zone_id
    agent.facts = facts.model_dump()


def enroll(session: Session, *, token: str, facts: AgentFacts, now: int) -> tuple[Agent, str]:
    """A new agent (and its host resource) of the token's tenant, with its one-time secret."""
    tenant_id = _valid_token(session, token, now).tenant_id
    secret = secrets.token_urlsafe(32)
    agent = Agent(
        tenant_id=tenant_id,
        agent_sn=uuid.uuid4().hex,
        secret_hash=sha256_hex(secret),
        resource_id=str(uuid.uuid4()),
        enrolled_at=now,
        last_seen_at=now,
    )
    _apply_facts(agent, facts)
    session.add(agent)
    session.flush()
    resources_service.upsert_host(session, agent, now=now)
    return agent, secret


def update_facts(session: Session, *, agent_id: int, facts: AgentFacts, now: int) -> Agent | None:
    """Store new host facts of an agent and refresh its resource row."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        return None
    _apply_facts(agent, facts)
    agent.last_seen_at = max(agent.last_seen_at, now)
    resources_service.upsert_host(session, agent, now=now)
    return agent


def get_by_sn(session: Session, *, tenant_id: int, agent_sn: str) -> Agent | None:
    """The tenant's agent with this serial number, or None."""
    return session.scalar(select(Agent).where(Agent.tenant_id == tenant_id, Agent.agent_sn == agent_sn))


def find_by_sn(session: Session, agent_sn: str) -> Agent | None:
    """Any tenant's agent with this serial number (for authenticating the agent itself)."""
    return session.scalar(select(Agent).where(Agent.agent_sn == agent_sn))


def revoke(session: Session, *, tenant_name: str, agent_sn: str, now: int) -> bool:
    """Revoke an agent of the tenant: it can no longer call the server. False if it already was revoked."""
    tenant = auth_service.get_tenant(session, tenant_name)
    agent = get_by_sn(session, tenant_id=tenant.id, agent_sn=agent_sn)
    if agent is None:
        raise OpenCOCError("COC.00000404", f"agent[{agent_sn}] not found", status=404)
    done = session.execute(update(Agent).where(Agent.id == agent.id, Agent.revoked_at.is_(None)).values(revoked_at=now))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        return False
    revocations.record(session, kind=revocations.AGENT, subject=agent_sn, now=now)
    return True


def secret_matches(agent: Agent, secret: str) -> bool:
    return hmac.compare_digest(agent.secret_hash, sha256_hex(secret))


def state_of(agent: Agent, now_ms: int, offline_after_s: float) -> str:
    """ONLINE while the agent was seen within `offline_after_s` seconds and is not revoked, else OFFLINE."""
    if agent.revoked_at is not None:
        return OFFLINE
    return ONLINE if now_ms - agent.last_seen_at <= offline_after_s * 1000 else OFFLINE


def record_seen(session: Session, seen: dict[int, int]) -> None:
    """Move `last_seen_at` forward for many agents in one statement (agent id -> ms)."""
    if not seen:
        return
    table = Agent.__table__
    assert isinstance(table, Table)
    stmt = (
        table.update()
        .where(table.c.id == bindparam("agent_pk"), table.c.last_seen_at < bindparam("seen"))
        .values(last_seen_at=bindparam("seen"))
    )
    session.connection().execute(stmt, [{"agent_pk": k, "seen": v} for k, v in seen.items()])
