"""A scene's role as incident create resolves it (rotation, overrides, escalation), kept until the schedule changes.

Every incident created for a scene and role asks who is on call now: a join of scenes, roles and
overrides that cost more than the rest of the create's on-call work (bench/incidents.py --assign
scene: 1.6 ms of server CPU per create with it, 1.36 ms without). The role is kept per database,
tenant, scene and role, with its overrides that had not ended when it was read (so "who is on
call" stays a pure computation for any later instant). Every on-call write calls `changed`: the
tenant's entries go when its transaction commits, here and, through the wake-up key `PREFIX<tenant
id>` (app.py subscribes `forget`), on every replica (core/change_cache.py).
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from opencoc.core.change_cache import ChangeCache, database_of
from opencoc.core.fastsql import json_value
from opencoc.oncall import schedule

PREFIX = "oncall.changes:"
TTL_S = 30.0

_ROLE = text(
    "SELECT s.id AS scene_id, s.escalation_delay_seconds AS delay, s.channel AS channel, r.id AS role_id,"
    " r.level AS level, r.rotation AS rotation"
    " FROM oncall_scenes s JOIN oncall_roles r ON r.scene_id = s.id"
    " WHERE s.tenant_id = :tenant_id AND s.name = :scene AND r.name = :role"
)
_OVERRIDES = text(
    "SELECT user_id, start_ms, end_ms FROM oncall_overrides WHERE role_id = :role_id AND end_ms > :at ORDER BY id"
)


@dataclass(frozen=True)
class Role:
    """A role of a scene with what deciding who is on call needs."""

    scene_id: int
    level: int
    rotation: schedule.Rotation | None
    overrides: tuple[schedule.Override, ...]  # in creation order, those not ended at `valid_from`
    valid_from: int  # the instant it was read for: it answers for this instant and any later one
    escalation_delay_seconds: int | None
    channel: str

    def on_call(self, at_ms: int) -> str | None:
        return schedule.on_call(self.rotation, self.overrides, at_ms)


_Key = tuple[str, int, str, str]  # database URL, tenant id, scene, role
_cache: ChangeCache[_Key, Role] = ChangeCache(TTL_S)  # in the group of the tenant id


def rotation_of(document: Any) -> schedule.Rotation | None:
    """A stored rotation document as schedule.Rotation (None: the role has no rotation yet)."""
    doc = json_value(document)
    if not doc:
        return None
    return schedule.Rotation(
        kind=doc["kind"],
        users=tuple(doc.get("users") or ()),
        handoff=dt.time.fromisoformat(doc.get("handoff_time") or "09:00"),
        zone=doc.get("time_zone") or "UTC",
        start=dt.date.fromisoformat(doc.get("start_date") or "1970-01-01"),
        shifts=tuple((s["user_id"], s["start_ms"], s["end_ms"]) for s in doc.get("shifts") or ()),
    )


def role(session: Session, *, tenant_id: int, scene: str, role_name: str, at_ms: int) -> Role | None:
    """The scene's role as it decides who is on call at `at_ms` (None: no such scene or role).

    From the cache when what is kept was read for `at_ms` or an earlier instant; read in the
    caller's session otherwise.
    """
    key = (database_of(session), tenant_id, scene, role_name)
    if (found := _cache.get(key)) is not None and found.valid_from <= at_ms:
        return found
    since = _cache.stamp()
    row = session.execute(_ROLE, {"tenant_id": tenant_id, "scene": scene, "role": role_name}).first()
    if row is None:
        return None
    overrides = session.execute(_OVERRIDES, {"role_id": row.role_id, "at": at_ms}).all()
    found = Role(
        scene_id=row.scene_id,
        level=row.level,
        rotation=rotation_of(row.rotation),
        overrides=tuple(schedule.Override(o.user_id, o.start_ms, o.end_ms) for o in overrides),
        escalation_delay_seconds=row.delay,
        channel=row.channel,
        valid_from=at_ms,
    )
    _cache.put(key, tenant_id, found, read_since=since)
    return found


def changed(session: Session, tenant_id: int) -> None:
    """The tenant's schedules change in this transaction: drop what is kept of them once it commits."""
    _cache.forget_at_commit(session, tenant_id, f"{PREFIX}{tenant_id}")


forget = _cache.forget_id  # the tenant's schedules changed (the wake-up subscriber)
