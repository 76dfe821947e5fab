"""Where a tenant's notices can go (its channels, its users' own URL targets), cached per process.

`notify` runs inside hot write transactions (every incident create, on SQLite's single writer),
so it must not query each time: a tenant's directory is read once and kept for `TTL_S`.
A change of channels or targets drops it here at once and, after its commit, here again and on every
replica (the wake-up key `PREFIX<tenant id>`, relayed by NOTIFY on PostgreSQL; app.py subscribes
`forget`; core/change_cache.py).
Entries are keyed by database as well as tenant: one process may serve (or test) several databases.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencoc.core.change_cache import ChangeCache, database_of
from opencoc.notifications.models import NotificationChannel, NotificationTarget

PREFIX = "notifications.directory:"
TTL_S = 5.0


@dataclass(frozen=True)
class Directory:
    """Channel ids by name, and each user's URL target ids."""

    channels: dict[str, int] = field(default_factory=dict)
    url_targets: dict[str, tuple[int, ...]] = field(default_factory=dict)


_cache: ChangeCache[tuple[str, int], Directory] = ChangeCache(TTL_S)  # in the group of the tenant id


def directory(session: Session, tenant_id: int) -> Directory:
    """The tenant's channels and URL targets, from the cache or read in the caller's transaction."""
    return _cache.get_or_read((database_of(session), tenant_id), lambda: (tenant_id, _read(session, tenant_id)))


def _read(session: Session, tenant_id: int) -> Directory:
    query = select(NotificationChannel.name, NotificationChannel.id).where(NotificationChannel.tenant_id == tenant_id)
    channels: dict[str, int] = dict(session.execute(query).all())
    targets: defaultdict[str, list[int]] = defaultdict(list)
    for user_id, target_id in session.execute(
        select(NotificationTarget.user_id, NotificationTarget.id)
        .where(NotificationTarget.tenant_id == tenant_id, NotificationTarget.kind == "url")
        .order_by(NotificationTarget.id)
    ):
        targets[user_id].append(target_id)
    return Directory(channels=channels, url_targets={user: tuple(ids) for user, ids in targets.items()})


def changed(session: Session, tenant_id: int) -> None:
    """The tenant's channels or targets change in this transaction: drop its directory everywhere."""
    _cache.forget(tenant_id)  # at once, for the rest of this transaction
    _cache.forget_at_commit(session, tenant_id, f"{PREFIX}{tenant_id}")


forget = _cache.forget_id  # the tenant's channels or targets changed (the wake-up subscriber)
