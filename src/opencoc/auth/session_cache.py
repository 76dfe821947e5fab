"""Live console sessions kept in memory for a few seconds, so a page view does not read its session row.

Everything that ends a session or changes what it acts as records a `user` revocation in its
transaction (sign-out, a new password, revoked tokens, a role change: auth/revocations.py), which
drops every kept session of that user on every server process within 0.5 s (at once on
PostgreSQL). A session's idle expiry is checked on each request against the `last_seen` kept;
an entry that looks expired is read again (another replica may have touched it). `TTL_SECONDS`
bounds what anything else (a row deleted by hand) can leave behind.
"""

from opencoc.auth.sessions import SignedIn
from opencoc.core.crypto import sha256_hex
from opencoc.core.ttl_cache import TtlCache

TTL_SECONDS = 5.0


class SessionCache:
    """Signed-in sessions by their id's hash (the cookie itself is not kept)."""

    def __init__(self, ttl_seconds: float = TTL_SECONDS) -> None:
        self._items: TtlCache[str, SignedIn] = TtlCache(ttl_seconds)

    def get(self, session_id: str, *, now: int, idle_ms: int) -> SignedIn | None:
        """The kept session, unless there is none or it has been idle for `idle_ms` as far as we know."""
        found = self._items.get(sha256_hex(session_id))
        if found is None or found.last_seen + idle_ms <= now:
            return None
        return found

    def put(self, session_id: str, signed_in: SignedIn) -> None:
        self._items.put(sha256_hex(session_id), signed_in)

    def evict(self, session_id: str) -> None:
        self._items.evict(sha256_hex(session_id))

    def evict_user(self, user_id: str) -> None:
        """Drop every session of the user (a `user` revocation: signed out, new password, new role)."""
        self._items.evict_where(lambda _key, signed_in: signed_in.caller.user_id == user_id)
