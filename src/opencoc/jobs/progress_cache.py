"""An order's progress as its viewers see it, kept until the order changes.

Every open view of an order fetches its progress again when the order's wake-up key fires
(`wake.order_key`): with eight people watching a 200-host order, eight reads of 200 instances and
their output tails for one change. The progress is kept per order (and database) and dropped when
the key fires: `forget` is subscribed (app.py) to the key's prefix, which every change of the order
or its instances announces after its commit, on every replica through the wake-up relay. A read
that overlaps a change of its order is not kept, and `TTL_S` bounds what a missed relay message or
a row written outside the service can leave behind (and how long a running host's duration shown
on a reload can lag).
"""

import itertools
import threading

from sqlalchemy.orm import Session

from opencoc.core.ttl_cache import TtlCache
from opencoc.jobs.progress import OrderProgress, order_progress

PREFIX = "order:"  # wake.order_key(order_id) is PREFIX + the order's id
TTL_S = 5.0

# by execute_uuid: (database URL, tenant id, progress)
_cache: TtlCache[str, tuple[str, int, OrderProgress]] = TtlCache(TTL_S)
# by order id: the change count when the order last changed (a read that began before it is not kept)
_changed: TtlCache[int, int] = TtlCache(TTL_S * 4)
_uuids: TtlCache[int, str] = TtlCache(TTL_S * 4)  # order id -> execute_uuid of a kept progress
_counter = itertools.count(1)
_lock = threading.Lock()
_latest = 0


def cached_progress(session: Session, *, tenant_id: int, execute_uuid: str, now: int) -> OrderProgress:
    """The order's progress, from the cache or read in the caller's session (COC.00040709 if not the tenant's)."""
    url = str(session.get_bind().engine.url)
    entry = _cache.get(execute_uuid)
    if entry is not None and entry[0] == url and entry[1] == tenant_id:
        return entry[2]
    began = _latest
    found = order_progress(session, tenant_id=tenant_id, execute_uuid=execute_uuid, now=now)
    with _lock:
        if (_changed.get(found.order_id) or 0) <= began:
            _uuids.put(found.order_id, execute_uuid)
            _cache.put(execute_uuid, (url, tenant_id, found))
    return found


def forget(order_id: str) -> None:
    """The order changed: drop its progress (a wake-up subscriber, given the id as text)."""
    global _latest
    if not order_id.isdigit():
        return
    order = int(order_id)
    with _lock:
        _latest = next(_counter)
        _changed.put(order, _latest)
        if (execute_uuid := _uuids.get(order)) is not None:
            _cache.evict(execute_uuid)
