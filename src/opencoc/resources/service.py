"""The tenant resource inventory: hosts of enrolled agents and imported resources."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, false, insert, select
from sqlalchemy.orm import Session

from opencoc.agents import service as agents_service
from opencoc.auth import service as auth_service
from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core import enterprise_projects
from opencoc.core.clock import ms_to_iso
from opencoc.core.errors import OpenCOCError
from opencoc.core.json_bounds import clip
from opencoc.resources.models import Resource
from opencoc.resources.schemas import PROPERTIES_BOUNDS, ImportedResource

HOST_PROVIDER = "ecs"
HOST_TYPE = "cloudservers"
INVALID_PARAM = "COC.00040701"
MAX_IDS = 100


@dataclass(frozen=True)
class Host:
    """An enrolled host as its agent describes it (agents/flows.py keeps the inventory in step)."""

    tenant_id: int
    resource_id: str
    agent_sn: str
    hostname: str
    region_id: str | None
    zone_id: str | None
    fixed_ip: str | None
    facts: dict[str, Any]


@dataclass(frozen=True)
class ResourceQuery:
    """The filters of `GET /v1/resources`."""

    provider: str
    type: str
    limit: int
    marker: str | None = None
    resource_ids: tuple[str, ...] = ()
    name: str | None = None
    region_id: str | None = None
    agent_state: str | None = None
    ip: str | None = None
    ep_id: str | None = None


def sync(caller: Caller) -> str:
    """Nothing to pull: enrolled agents keep the inventory live, so a permitted sync succeeds at once."""
    require(caller, "resources.sync")
    return "success"


def resource_ids(raw: list[str]) -> tuple[str, ...]:
    """`resource_id_list` as repeated keys (the SDK) and comma-separated (Terraform), or both."""
    ids = tuple(part.strip() for value in raw for part in value.split(",") if part.strip())
    if len(ids) > MAX_IDS:
        raise OpenCOCError(INVALID_PARAM, f"resource_id_list size must be at most {MAX_IDS}")
    return ids


def _find(session: Session, tenant_id: int, provider: str, type_: str, resource_id: str) -> Resource | None:
    return session.scalar(
        select(Resource).where(
            Resource.tenant_id == tenant_id,
            Resource.provider == provider,
            Resource.type == type_,
            Resource.resource_id == resource_id,
        )
    )


def upsert_host(session: Session, host: Host, *, now: int) -> Resource:
    """The `ecs`/`cloudservers` resource of an enrolled host, created or refreshed from its facts."""
    row = _find(session, host.tenant_id, HOST_PROVIDER, HOST_TYPE, host.resource_id)
    if row is None:
        row = Resource(
            tenant_id=host.tenant_id,
            uid=uuid.uuid4().hex,
            resource_id=host.resource_id,
            provider=HOST_PROVIDER,
            type=HOST_TYPE,
            tags=[],
            create_time=now,
        )
        session.add(row)
    row.name = host.hostname
    row.region_id = host.region_id
    row.zone_id = host.zone_id
    row.inner_ip = host.fixed_ip
    row.properties = {k: v for k, v in host.facts.items() if v is not None}
    row.agent_sn = host.agent_sn
    row.update_time = now
    return row


def add_hosts(session: Session, hosts: Sequence[Host], *, now: int) -> None:
    """The resources of newly enrolled hosts (new resource ids, so no row to update) in one INSERT."""
    if not hosts:
        return
    rows: list[dict[str, Any]] = [
        {
            "tenant_id": host.tenant_id,
            "uid": uuid.uuid4().hex,
            "resource_id": host.resource_id,
            "provider": HOST_PROVIDER,
            "type": HOST_TYPE,
            "tags": [],
            "create_time": now,
            "name": host.hostname,
            "region_id": host.region_id,
            "zone_id": host.zone_id,
            "inner_ip": host.fixed_ip,
            "properties": {k: v for k, v in host.facts.items() if v is not None},
            "agent_sn": host.agent_sn,
            "update_time": now,
        }
        for host in hosts
    ]
    session.execute(insert(Resource), rows)


def import_resources(session: Session, *, tenant_name: str, items: list[ImportedResource], now: int) -> int:
    """Create or update resources without agents; returns how many were written."""
    tenant = auth_service.get_tenant(session, tenant_name)
    for item in items:
        row = _find(session, tenant.id, item.provider, item.type, item.resource_id)
        if row is None:
            row = Resource(tenant_id=tenant.id, uid=uuid.uuid4().hex, create_time=now)
            session.add(row)
        for field, value in item.model_dump().items():
            setattr(row, field, value)
        row.update_time = now
    return len(items)


def _filtered(session: Session, tenant_id: int, query: ResourceQuery, online_since: int) -> Select[Resource, int]:
    seen = agents_service.last_seen_times()
    stmt = (
        select(Resource, seen.c.last_seen_at)
        .outerjoin(seen, and_(seen.c.agent_sn == Resource.agent_sn, seen.c.tenant_id == Resource.tenant_id))
        .where(Resource.tenant_id == tenant_id, Resource.provider == query.provider, Resource.type == query.type)
    )
    if query.marker:
        after = session.scalar(select(Resource.id).where(Resource.tenant_id == tenant_id, Resource.uid == query.marker))
        if after is None:
            raise OpenCOCError(INVALID_PARAM, f"marker[{query.marker}] is invalid")
        stmt = stmt.where(Resource.id > after)
    if query.resource_ids:
        stmt = stmt.where(Resource.resource_id.in_(query.resource_ids))
    if query.name:
        stmt = stmt.where(Resource.name.contains(query.name, autoescape=True))
    if query.region_id:
        stmt = stmt.where(Resource.region_id == query.region_id)
    if query.ip:
        stmt = stmt.where(Resource.inner_ip.contains(query.ip, autoescape=True))
    if query.ep_id:
        stmt = stmt.where(enterprise_projects.matches(Resource.ep_id, query.ep_id))
    if query.agent_state == agents_service.ONLINE:
        stmt = stmt.where(seen.c.last_seen_at >= online_since)
    elif query.agent_state == agents_service.OFFLINE:
        stmt = stmt.where(seen.c.last_seen_at < online_since)
    elif query.agent_state:
        stmt = stmt.where(false())
    return stmt.order_by(Resource.id).limit(query.limit)


def _item(row: Resource, last_seen: int | None, domain_id: str, online_since: int) -> dict[str, Any]:
    state = (
        None if last_seen is None else (agents_service.ONLINE if last_seen >= online_since else agents_service.OFFLINE)
    )
    return {
        "id": row.uid,
        "resource_id": row.resource_id,
        "domain_id": domain_id,
        "name": row.name,
        "provider": row.provider,
        "type": row.type,
        "project_id": row.project_id,
        "project_name": None,
        "region_id": row.region_id,
        "ep_id": enterprise_projects.or_default(row.ep_id),
        "ep_name": None,
        "tags": row.tags,
        "agent_id": row.agent_sn if last_seen is not None else None,
        "agent_state": state,
        "properties": clip(row.properties, PROPERTIES_BOUNDS.depth),  # rows imported before the bounds
        "ingest_properties": {},
        "is_delegated": last_seen is not None,
        "inner_ip": row.inner_ip,
        "operable": "ENABLE",
        "is_associate_group": False,
        "associated_group_list": [],
        "create_time": ms_to_iso(row.create_time),
        "update_time": ms_to_iso(row.update_time),
    }


def list_resources(
    session: Session, *, tenant_id: int, domain_id: str, query: ResourceQuery, now: int, offline_after_s: float
) -> list[dict[str, Any]]:
    """One page of the tenant's resources, oldest first; `marker` is the `id` of the last item seen."""
    online_since = agents_service.online_since(now, offline_after_s)
    rows = session.execute(_filtered(session, tenant_id, query, online_since)).all()
    return [_item(row, last_seen, domain_id, online_since) for row, last_seen in rows]
