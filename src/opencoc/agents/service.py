"""Enrolment tokens, enrolment, heartbeats and agent look-ups (no HTTP here).

Other domains find agents through these functions (`by_sns`, `hostnames_by_sns`, `for_resources`,
`last_seen_times`); `Agent` and `HostAgent` are exported as the types they get back.
"""

import hmac
import secrets
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Exists,
    Subquery,
    Table,
    bindparam,
    case,
    exists,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from opencoc.agents.models import Agent, EnrollToken
from opencoc.agents.registry import KnownAgent, facts_digest
from opencoc.agents.schemas import AgentFacts
from opencoc.auth import revocations
from opencoc.auth import service as auth_service
from opencoc.core.crypto import sha256_hex
from opencoc.core.errors import OpenCOCError, unauthorized

__all__ = [
    "OFFLINE",
    "ONLINE",
    "Agent",
    "by_sns",
    "Enrolled",
    "NewAgent",
    "create_enroll_token",
    "enroll_many",
    "facts_changed",
    "known_agents_after",
    "find_by_sn",
    "for_resources",
    "HostAgent",
    "get_by_sn",
    "hostnames_by_sns",
    "is_online",
    "online_since",
    "online_sns",
    "last_seen_times",
    "list_agents",
    "record_seen",
    "revoke",
    "revoke_enroll_token",
    "secret_matches",
    "state_of",
    "update_facts",
]

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


def _token_states(session: Session, tokens: Iterable[str], now: int) -> dict[str, int | None]:
    """Each token -> its tenant's id, or None when it is unknown, expired or revoked (one query for all)."""
    hashes = {token: sha256_hex(token) for token in set(tokens)}
    rows = session.scalars(select(EnrollToken).where(EnrollToken.token_hash.in_(hashes.values())))
    valid = {
        row.token_hash: row.tenant_id
        for row in rows
        if row.revoked_at is None and (row.expires_at is None or row.expires_at > now)
    }
    return {token: valid.get(digest) for token, digest in hashes.items()}


def _fact_columns(facts: AgentFacts) -> dict[str, Any]:
    return {
        "hostname": facts.hostname,
        "fixed_ip": facts.fixed_ip,
        "ips": list(facts.ips),
        "os_type": facts.os_type,
        "os_name": facts.os_name,
        "region_id": facts.region_id,
        "zone_id": facts.zone_id,
        "facts": facts.model_dump(),
    }


def _apply_facts(agent: Agent, facts: AgentFacts) -> None:
    for name, value in _fact_columns(facts).items():
        setattr(agent, name, value)


@dataclass(frozen=True, slots=True)
class Enrolled:
    """A new agent as its enrolment answers it (the secret exists only here), with its host's facts."""

    tenant_id: int
    agent_sn: str
    secret: str
    resource_id: str
    facts: AgentFacts


@dataclass(frozen=True, slots=True)
class NewAgent:
    """An enrolment's agent as committed: its answer and what authentication keeps of its row."""

    enrolled: Enrolled
    known: KnownAgent


def enroll_many(
    session: Session, requests: Sequence[tuple[str, AgentFacts]], *, now: int
) -> list[NewAgent | OpenCOCError]:
    """New agents for (token, facts) pairs in one INSERT; an item with an invalid token gets its 401 instead.

    A secret is 256 random bits, so one SHA-256 of it is as strong as a slow password hash would be,
    and checking it costs microseconds (agents/deps.py checks it on every call)."""
    tenants = _token_states(session, (token for token, _ in requests), now)
    out: list[Enrolled | OpenCOCError] = []
    rows: list[dict[str, Any]] = []
    for token, facts in requests:
        tenant_id = tenants[token]
        if tenant_id is None:
            out.append(unauthorized())
            continue
        new = Enrolled(tenant_id, uuid.uuid4().hex, secrets.token_urlsafe(32), str(uuid.uuid4()), facts)
        out.append(new)
        rows.append(
            {
                "tenant_id": tenant_id,
                "agent_sn": new.agent_sn,
                "secret_hash": sha256_hex(new.secret),
                "resource_id": new.resource_id,
                "enrolled_at": now,
                "last_seen_at": now,
                **_fact_columns(facts),
            }
        )
    known = _inserted(session, rows, now)
    return [item if isinstance(item, OpenCOCError) else NewAgent(item, known[item.agent_sn]) for item in out]


def _inserted(session: Session, rows: list[dict[str, Any]], now: int) -> dict[str, KnownAgent]:
    """Insert the agents' rows (one statement) -> what authentication keeps of each, by serial number."""
    if not rows:
        return {}
    by_sn = {row["agent_sn"]: row for row in rows}
    inserted = session.execute(insert(Agent).returning(Agent.agent_sn, Agent.id), rows)
    return {
        sn: KnownAgent(agent_id, sn, by_sn[sn]["secret_hash"], now, facts_digest(by_sn[sn]["facts"]))
        for sn, agent_id in inserted
    }


def facts_changed(agent: KnownAgent, facts: AgentFacts | None) -> bool:
    """Whether a heartbeat's facts differ from the stored ones (None: the agent sent none)."""
    return facts is not None and facts_digest(facts.model_dump()) != agent.facts_digest


def update_facts(session: Session, *, agent_id: int, facts: AgentFacts, now: int) -> Agent | None:
    """Store new host facts of an agent (agents/flows.py refreshes its resource row)."""
    agent = session.get(Agent, agent_id)
    if agent is None:
        return None
    _apply_facts(agent, facts)
    agent.last_seen_at = max(agent.last_seen_at, now)
    return agent


def get_by_sn(session: Session, *, tenant_id: int, agent_sn: str) -> Agent | None:
    """The tenant's agent with this serial number, or None."""
    return session.scalar(select(Agent).where(Agent.tenant_id == tenant_id, Agent.agent_sn == agent_sn))


def by_sns(session: Session, *, tenant_id: int, agent_sns: Iterable[str]) -> dict[str, Agent]:
    """The tenant's agents among these serial numbers, by serial number."""
    sns = set(agent_sns)
    if not sns:
        return {}
    rows = session.scalars(select(Agent).where(Agent.tenant_id == tenant_id, Agent.agent_sn.in_(sns)))
    return {a.agent_sn: a for a in rows}


def online_since(now_ms: int, offline_after_s: float) -> int:
    """The earliest last-seen time (ms) of an agent ONLINE at `now_ms`: `state_of`'s rule as a bound for queries."""
    return now_ms - int(offline_after_s * 1000)


def is_online(agent_sn: ColumnElement[str], *, seen_since: int | BindParameter[int]) -> Exists:
    """Whether the agent of `agent_sn` (another domain's column) is ONLINE (`state_of`: seen since `seen_since`, in
    ms), values or bound parameters. It is found by its serial number alone, unique across tenants, so that the
    look-up takes that unique index whatever the planner's statistics say: the caller's rows name their own
    tenant's agents."""
    return exists().where(Agent.agent_sn == agent_sn, *_online(seen_since))


def _online(seen_since: int | BindParameter[int]) -> tuple[ColumnElement[bool], ...]:
    """An agent row's conditions of `state_of`'s ONLINE."""
    return Agent.revoked_at.is_(None), Agent.last_seen_at >= seen_since


def online_sns(
    session: Session, *, tenant_id: int, agent_sns: Iterable[str], now_ms: int, offline_after_s: float
) -> set[str]:
    """Which of these serial numbers are the tenant's ONLINE agents (`state_of`, from three columns, not whole rows)."""
    sns = sorted(set(agent_sns))
    if not sns:
        return set()
    online = _online(online_since(now_ms, offline_after_s))
    return set(
        session.scalars(select(Agent.agent_sn).where(Agent.tenant_id == tenant_id, Agent.agent_sn.in_(sns), *online))
    )


def hostnames_by_sns(session: Session, *, tenant_id: int, agent_sns: Iterable[str]) -> dict[str, str]:
    """The host names of the tenant's agents among these serial numbers, by serial number (no whole rows)."""
    sns = set(agent_sns)
    if not sns:
        return {}
    rows = session.execute(
        select(Agent.agent_sn, Agent.hostname).where(Agent.tenant_id == tenant_id, Agent.agent_sn.in_(sns))
    )
    return dict(rows.all())


@dataclass(frozen=True, slots=True)
class HostAgent:
    """What an order needs of a target's agent."""

    agent_sn: str
    region_id: str | None


def for_resources(session: Session, *, tenant_id: int, resource_ids: Iterable[str]) -> dict[str, list[HostAgent]]:
    """The tenant's agents on these hosts, by resource_id, oldest enrolment first (one query for all of an
    order's targets: a query each cost 200 round trips inside the write; and two columns, not the agents'
    rows as objects, which held the SQLite writer 4.2-4.5 ms after the query against 1.6-1.7, bench/orders.py)."""
    wanted = sorted(set(resource_ids))
    found: dict[str, list[HostAgent]] = {}
    if not wanted:
        return found
    stmt = (
        select(Agent.resource_id, Agent.agent_sn, Agent.region_id)
        .where(Agent.tenant_id == tenant_id, Agent.resource_id.in_(wanted))
        .order_by(Agent.id)
    )
    for resource_id, agent_sn, region_id in session.execute(stmt):
        found.setdefault(resource_id, []).append(HostAgent(agent_sn, region_id))
    return found


def last_seen_times() -> Subquery:
    """Every agent's (agent_sn, tenant_id, last_seen_at), for other domains' queries to join."""
    return select(Agent.agent_sn, Agent.tenant_id, Agent.last_seen_at).subquery("agent_seen")


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


def known_agents_after(session: Session, after_id: int, limit: int) -> list[KnownAgent]:
    """Up to `limit` non-revoked agents with ids above `after_id`, in id order, as the registry keeps them."""
    rows = session.execute(
        select(Agent.id, Agent.agent_sn, Agent.secret_hash, Agent.last_seen_at, Agent.facts)
        .where(Agent.id > after_id, Agent.revoked_at.is_(None))
        .order_by(Agent.id)
        .limit(limit)
    )
    return [KnownAgent(pk, sn, secret_hash, seen, facts_digest(facts)) for pk, sn, secret_hash, seen, facts in rows]


def secret_matches(secret_hash: str, secret: str) -> bool:
    return hmac.compare_digest(secret_hash, sha256_hex(secret))


def state_of(agent: Agent, now_ms: int, offline_after_s: float) -> str:
    """ONLINE while the agent was seen within `offline_after_s` seconds and is not revoked, else OFFLINE."""
    if agent.revoked_at is not None:
        return OFFLINE
    return ONLINE if agent.last_seen_at >= online_since(now_ms, offline_after_s) else OFFLINE


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


def list_agents(session: Session, *, tenant_id: int) -> list[Agent]:
    """The tenant's agents (revoked ones too), by host name."""
    return list(session.scalars(select(Agent).where(Agent.tenant_id == tenant_id).order_by(Agent.hostname, Agent.id)))


def presence_counts(session: Session, *, tenant_id: int, now_ms: int, offline_after_s: float) -> dict[str, int]:
    """How many of the tenant's agents (revoked ones left out) are ONLINE and OFFLINE, as `state_of` tells them
    apart, counted in SQL (the overview)."""
    seen_since = online_since(now_ms, offline_after_s)
    online = func.sum(case((Agent.last_seen_at >= seen_since, 1), else_=0))
    row = session.execute(
        select(func.count(), online).where(Agent.tenant_id == tenant_id, Agent.revoked_at.is_(None))
    ).one()
    total, up = int(row[0]), int(row[1] or 0)
    return {ONLINE: up, OFFLINE: total - up}
