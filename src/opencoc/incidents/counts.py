"""The console's incident counts per tenant (per status, open per level), cached until its incidents change.

Every console page shows the open counts in its header and the list shows the counts per status:
one GROUP BY over all of a tenant's incidents (10,000 rows: a few ms) on each page view. The
result is kept per database and tenant until an incident of the tenant is created or changes:
`forget` is subscribed (app.py) to `service.changes_key`, which every incident write announces
after its commit, on every replica through the wake-up relay (core/change_cache.py).
"""

from sqlalchemy.orm import Session

from opencoc.core.change_cache import ChangeCache, database_of
from opencoc.incidents.search import Counts, counts

PREFIX = "incidents:"  # service.changes_key(tenant_id) is PREFIX + the tenant's id
TTL_S = 5.0

_cache: ChangeCache[tuple[str, int], Counts] = ChangeCache(TTL_S)  # by (database URL, tenant id)


def cached_counts(session: Session, *, tenant_id: int) -> Counts:
    """The tenant's counts, from the cache or from one GROUP BY in the caller's session."""
    return _cache.get_or_read(
        (database_of(session), tenant_id), lambda: (tenant_id, counts(session, tenant_id=tenant_id))
    )


forget = _cache.forget_id  # an incident of the tenant changed (the wake-up subscriber)
