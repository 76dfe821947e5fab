"""An order's progress as its viewers see it, kept until the order changes.

Every open view of an order fetches its progress again when the order's wake-up key fires
(`wake.order_key`): with eight people watching a 200-host order, eight reads of 200 instances and
their output tails for one change. The progress is kept per order (and database) and dropped when
the key fires: `forget` is subscribed (app.py) to the key's prefix, which every change of the order
or its instances announces after its commit, on every replica through the wake-up relay
(core/change_cache.py). `TTL_S` also bounds how long a running host's duration shown on a reload
can lag.
"""

from sqlalchemy.orm import Session

from opencoc.core.change_cache import ChangeCache, database_of
from opencoc.jobs.progress import OrderProgress, order_progress

PREFIX = "order:"  # wake.order_key(order_id) is PREFIX + the order's id
TTL_S = 5.0

# by (database URL, tenant id, execute_uuid), in the group of the order's id
_cache: ChangeCache[tuple[str, int, str], OrderProgress] = ChangeCache(TTL_S, maxsize=256)


def cached_progress(session: Session, *, tenant_id: int, execute_uuid: str, now: int) -> OrderProgress:
    """The order's progress, from the cache or read in the caller's session (COC.00040709 if not the tenant's)."""

    def read() -> tuple[int, OrderProgress]:
        found = order_progress(session, tenant_id=tenant_id, execute_uuid=execute_uuid, now=now)
        return found.order_id, found

    return _cache.get_or_read((database_of(session), tenant_id, execute_uuid), read)


forget = _cache.forget_id  # the order changed (the wake-up subscriber)
