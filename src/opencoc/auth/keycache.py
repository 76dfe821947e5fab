"""A short-lived in-memory cache of access keys, so the hot path does not hit the database.

A revoked key is evicted when its revocation is announced (auth/revocations.py), and every key
of a user whose role changed; an expired one is refused by the caller, which checks
`expires_at` on every request.
"""

from opencoc.auth.service import KeyIdentity
from opencoc.core.ttl_cache import TtlCache

TTL_SECONDS = 60.0


class KeyCache(TtlCache[str, KeyIdentity]):
    def __init__(self, ttl_seconds: float = TTL_SECONDS) -> None:
        super().__init__(ttl_seconds)

    def evict_user(self, user_id: str) -> None:
        """Drop every key of the user (its role changed)."""
        self.evict_where(lambda _key, identity: identity.caller.user_id == user_id)
