"""Integrations: a monitoring system's webhook URL and the rules its alarms follow.

The integration key is shown once, at creation; the database keeps its SHA-256 (the webhook
looks the hash up) and its first characters, to tell keys apart in a listing.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencoc.alarms import ids
from opencoc.alarms.models import Integration
from opencoc.alarms.rules import Rules
from opencoc.alarms.schemas import INVALID_CODE, NOT_FOUND_CODE, check_nul
from opencoc.auth.caller import Caller
from opencoc.auth.roles import require
from opencoc.core.clock import now_ms
from opencoc.core.crypto import sha256_hex
from opencoc.core.db import Database
from opencoc.core.errors import OpenCOCError, unauthorized
from opencoc.core.ttl_cache import TtlCache
from opencoc.oncall import service as oncall

PATHS = {"custom": "/v1/event/huawei/custom/", "prometheus": "/v1/event/prometheus/"}


def url(endpoint: str, type_: str, integration_key: str) -> str:
    """The webhook URL a monitoring system posts to."""
    return endpoint.rstrip("/") + PATHS[type_] + integration_key


def view(row: Integration) -> dict[str, Any]:
    """An integration on the wire (the key itself is never shown again)."""
    return {
        "integration_id": row.integration_id,
        "name": row.name,
        "type": row.type,
        "enabled": row.enabled,
        "integration_key_prefix": row.key_prefix,
        "rules": row.rules,
        "create_time": row.create_time,
        "update_time": row.update_time,
    }


def create(session: Session, *, caller: Caller, name: str, type_: str, rules: Rules, endpoint: str) -> dict[str, Any]:
    """A new enabled integration (admins only); the result carries `integration_key` and `url`, shown only now."""
    require(caller, "alarms.integrations")
    check_nul(name, "name")
    check_nul(rules.model_dump(), "rules")
    key, now = ids.integration_key(), now_ms()
    if rules.assignee_scene and rules.assignee_role:  # refused now rather than at each conversion
        oncall.assignment(
            session, tenant_id=caller.tenant_id, scene=rules.assignee_scene, role=rules.assignee_role, at_ms=now,
            fields=("rules.assignee_scene", "rules.assignee_role"), error_code=INVALID_CODE,
        )  # fmt: skip
    row = Integration(
        integration_id=ids.integration_id(),
        tenant_id=caller.tenant_id,
        name=name,
        type=type_,
        enabled=True,
        key_hash=sha256_hex(key),
        key_prefix=key[:6],
        rules=rules.model_dump(),
        create_time=now,
        update_time=now,
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise OpenCOCError("COC.00000409", f"integration[{name}] already exists", status=409) from None
    return {**view(row), "integration_key": key, "url": url(endpoint, type_, key)}


def list_all(session: Session, *, tenant_id: int) -> list[dict[str, Any]]:
    rows = session.scalars(select(Integration).where(Integration.tenant_id == tenant_id).order_by(Integration.id))
    return [view(row) for row in rows]


def _find(session: Session, tenant_id: int, ref: str) -> Integration:
    """The tenant's integration by integration_id or by name."""
    check_nul(ref, "integration")
    row = session.scalar(
        select(Integration).where(
            Integration.tenant_id == tenant_id, (Integration.integration_id == ref) | (Integration.name == ref)
        )
    )
    if row is None:
        raise OpenCOCError(NOT_FOUND_CODE, f"integration[{ref}] does not exist", status=404)
    return row


def set_enabled(session: Session, *, caller: Caller, ref: str, enabled: bool) -> dict[str, Any]:
    """Enable or disable an integration (admins only); a disabled key gets 401 and stores nothing."""
    require(caller, "alarms.integrations")
    row = _find(session, caller.tenant_id, ref)
    session.execute(update(Integration).where(Integration.id == row.id).values(enabled=enabled, update_time=now_ms()))
    session.refresh(row)
    return view(row)


def remove(session: Session, *, caller: Caller, ref: str) -> dict[str, Any]:
    """Delete an integration (admins only); its alarms stay, no longer attached to it."""
    require(caller, "alarms.integrations")
    row = _find(session, caller.tenant_id, ref)
    out = view(row)
    session.execute(delete(Integration).where(Integration.id == row.id))
    return out


def integration_id_of(session: Session, tenant_id: int, integration_key: str) -> int | None:
    """The row id of the tenant's integration with this key (to filter alarms by key)."""
    return session.scalar(
        select(Integration.id).where(
            Integration.tenant_id == tenant_id, Integration.key_hash == sha256_hex(integration_key)
        )
    )


@dataclass(frozen=True, slots=True)
class KeyOwner:
    id: int
    tenant_id: int
    type: str


def owner(session: Session, integration_key: str) -> KeyOwner | None:
    """The enabled integration this key opens, if any."""
    row = session.execute(
        select(Integration.id, Integration.tenant_id, Integration.type).where(
            Integration.key_hash == sha256_hex(integration_key), Integration.enabled.is_(True)
        )
    ).first()
    return None if row is None else KeyOwner(row.id, row.tenant_id, row.type)


class KeyCache(TtlCache[str, KeyOwner]):
    """Recently seen valid keys, so a webhook does not read the database before queueing.

    Only the early 401 uses it: the writer checks the integration again in the alarm's own
    transaction, so a disabled key stores nothing even while its entry is still cached.
    """

    def __init__(self, ttl_seconds: float = 5.0) -> None:
        super().__init__(ttl_seconds)


def check_type(key_owner: KeyOwner, type_: str) -> None:
    if key_owner.type != type_:
        path = PATHS[key_owner.type] + "{integration_key}"
        raise OpenCOCError(INVALID_CODE, f"integration_key belongs to a {key_owner.type} integration; post to {path}")


async def authorize(keys: KeyCache, db: Database, integration_key: str, type_: str) -> KeyOwner:
    """The enabled integration a webhook's key opens, or 401 in the seed's words; 400 if it is of another type."""
    key_owner = keys.get(integration_key)
    if key_owner is None:
        key_owner = await db.run_read(lambda s: owner(s, integration_key))
        if key_owner is None:
            raise unauthorized()
        keys.put(integration_key, key_owner)
    check_type(key_owner, type_)
    return key_owner
