"""Revoked credentials leave every server process's caches within 2 s.

Credentials are revoked by the admin CLI, which acts on the database, not through a server.
Each revocation is a row of `auth_revocations`, written in the revoking transaction:
- on PostgreSQL the same transaction sends NOTIFY (delivered when it commits), which every
  replica's `PgRelay` hands to its `Wakeups` as the key `revoked:<kind>:<subject>`; the caches
  subscribed to that prefix drop the credential at once;
- every server process also re-reads the rows of the last `RECENT_MS` twice a second
  (`auth/background.py`) and announces them locally again: the only path on SQLite, and the
  safety net for a NOTIFY missed while a listener reconnected. Announcing a revocation more
  than once also evicts an entry that a request loaded just before the revocation committed.
The database stays the source of truth: a revoked or expired credential is never loaded again.
A role change is announced the same way (kind `user`, the user's id): the caches drop every key
of the user, and the next request loads it again with the new role. Tokens are not cached:
each request reads its user's role.
`created_at` is the revoking host's clock; the NOTIFY path does not depend on it.
"""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencoc.auth.models import Revocation
from opencoc.core.wakeups import RELAY_CHANNEL

KEY = "key"
AGENT = "agent"
USER = "user"
PREFIX = "revoked:"
KEY_PREFIX = f"{PREFIX}{KEY}:"
AGENT_PREFIX = f"{PREFIX}{AGENT}:"
USER_PREFIX = f"{PREFIX}{USER}:"
RECENT_MS = 10_000
POLL_INTERVAL_S = 0.5


def record(session: Session, *, kind: str, subject: str, now: int) -> None:
    """Note the revocation in the caller's transaction (and NOTIFY the replicas on PostgreSQL)."""
    session.add(Revocation(kind=kind, subject=subject, created_at=now))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(RELAY_CHANNEL, f"{PREFIX}{kind}:{subject}")))


def recent(session: Session, *, since: int) -> list[str]:
    """The wake-up keys of the revocations made since `since` (ms)."""
    rows = session.execute(select(Revocation.kind, Revocation.subject).where(Revocation.created_at >= since))
    return [f"{PREFIX}{kind}:{subject}" for kind, subject in rows]
