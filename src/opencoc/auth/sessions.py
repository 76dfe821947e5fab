"""Console sign-in sessions: a random id in the browser's cookie, its hash and the CSRF token in the database.

A session is read by one indexed join (like an X-Auth-Token) and then kept for a few seconds by
each server process (auth/session_cache.py); signing out and a password change record a `user`
revocation, so they take effect on every server process within 0.5 s, and on the signing-out
process at once. `last_seen` is written at most once a minute per session, not on every request.
"""

import secrets
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from opencoc.auth import revocations
from opencoc.auth.caller import Caller
from opencoc.auth.models import ConsoleSession, Tenant, User
from opencoc.auth.roles import check_role
from opencoc.core.crypto import sha256_hex

TOUCH_EVERY_MS = 60_000


@dataclass(frozen=True)
class SignedIn:
    """A live session: who it acts as and the CSRF token its forms must carry."""

    caller: Caller
    csrf_token: str
    last_seen: int


def start(session: Session, *, user_pk: int, tenant_id: int, now: int) -> tuple[str, str]:
    """A new session for a checked login: (the cookie's session id, the CSRF token)."""
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            id_hash=sha256_hex(session_id),
            user_pk=user_pk,
            tenant_id=tenant_id,
            csrf_token=csrf,
            created_at=now,
            last_seen=now,
        )
    )
    session.flush()
    return session_id, csrf


def resolve(session: Session, *, session_id: str, now: int, idle_ms: int) -> SignedIn | None:
    """The session's caller, or None when it is unknown, signed out or idle for longer than `idle_ms`."""
    row = session.execute(
        select(ConsoleSession, User, Tenant)
        .join(User, User.id == ConsoleSession.user_pk)
        .join(Tenant, Tenant.id == ConsoleSession.tenant_id)
        .where(ConsoleSession.id_hash == sha256_hex(session_id))
    ).first()
    if row is None or row[0].last_seen + idle_ms <= now:
        return None
    held, user, tenant = row
    # The role is read with the session on every request: a set-role reaches the console at once.
    caller = Caller(tenant.id, tenant.domain_id, tenant.name, user.user_id, user.name, role=check_role(user.role))
    return SignedIn(caller, held.csrf_token, held.last_seen)


def touch(session: Session, *, session_id: str, now: int) -> None:
    """Mark the session used now (keeps it from its idle expiry)."""
    session.execute(
        update(ConsoleSession).where(ConsoleSession.id_hash == sha256_hex(session_id)).values(last_seen=now)
    )


def end(session: Session, *, session_id: str, user_id: str, now: int) -> None:
    """Sign out: the session's row is deleted, and every process drops what it keeps of the user's sessions."""
    session.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == sha256_hex(session_id)))
    revocations.record(session, kind=revocations.USER, subject=user_id, now=now)


def end_all(session: Session, *, user_pk: int, user_id: str, now: int) -> int:
    """Sign the user out everywhere (a new password, revoked credentials); how many sessions there were."""
    done = session.execute(delete(ConsoleSession).where(ConsoleSession.user_pk == user_pk))
    revocations.record(session, kind=revocations.USER, subject=user_id, now=now)
    return int(done.rowcount)  # type: ignore[attr-defined]
