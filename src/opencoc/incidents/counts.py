"""The console's incident counts per tenant (per status, open per level), cached until its incidents change.

Every console page shows the open counts in its header and the list shows the counts per status:
one GROUP BY over all of a tenant's incidents (10,000 rows: a few ms) on each page view. The
result is kept per database and tenant until an incident of the tenant is created or changes:
`forget` is subscribed (app.py) to `service.changes_key`, which every incident write announces
after its commit, on every replica through the wake-up relay. A read that overlaps a change is
not kept (the tenant's generation moved meanwhile), and `TTL_S` bounds what a missed relay
message or a row written outside the service can leave behind.
"""

from sqlalchemy.orm import Session

from opencoc.core.ttl_cache import TtlCache
from opencoc.incidents.search import Counts, counts

PREFIX = "incidents:"  # service.changes_key(tenant_id) is PREFIX + the tenant's id
TTL_S = 5.0

_cache: TtlCache[int, tuple[str, Counts]] = TtlCache(TTL_S)  # by tenant id: (database URL, counts)
_generations: dict[int, int] = {}


def cached_counts(session: Session, *, tenant_id: int) -> Counts:
    """The tenant's counts, from the cache or from one GROUP BY in the caller's session."""
    url = str(session.get_bind().engine.url)
    if (entry := _cache.get(tenant_id)) is not None and entry[0] == url:
        return entry[1]
    generation = _generations.get(tenant_id, 0)
    found = counts(session, tenant_id=tenant_id)
    if _generations.get(tenant_id, 0) == generation:
        _cache.put(tenant_id, (url, found))
    return found


def forget(tenant_id: str) -> None:
    """An incident of the tenant changed: drop its counts (a wake-up subscriber, given the id as text)."""
    if not tenant_id.isdigit():
        return
    tenant = int(tenant_id)
    _generations[tenant] = _generations.get(tenant, 0) + 1
    _cache.evict(tenant)
