"""Tenant, user, key and token management; credential look-ups for request authentication."""

from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencoc.auth import revocations
from opencoc.auth.caller import Caller
from opencoc.auth.models import AccessKey, Project, Tenant, Token, User
from opencoc.core import ids
from opencoc.core.clock import now_ms
from opencoc.core.crypto import Cipher, sha256_hex
from opencoc.core.errors import OpenCOCError, unauthorized

ADMIN_USER = "admin"
_hasher = PasswordHasher()


@dataclass(frozen=True)
class KeyIdentity:
    """An access key's secret and the caller it authenticates as."""

    secret: str
    caller: Caller
    expires_at: int | None = None


@dataclass(frozen=True)
class IssuedKey:
    access_key: str
    secret_key: str
    domain_id: str
    user_id: str
    expires_at: int | None = None


def _not_found(what: str, name: str) -> OpenCOCError:
    return OpenCOCError("COC.00000404", f"{what}[{name}] not found", status=404)


def get_tenant(session: Session, name: str) -> Tenant:
    tenant = session.scalar(select(Tenant).where(Tenant.name == name))
    if tenant is None:
        raise _not_found("tenant", name)
    return tenant


def get_user(session: Session, tenant: Tenant, name: str) -> User:
    user = session.scalar(select(User).where(User.tenant_id == tenant.id, User.name == name))
    if user is None:
        raise _not_found("user", name)
    return user


def create_tenant(session: Session, *, name: str) -> Tenant:
    """A tenant with a fresh domain id and its `admin` user."""
    if not name or len(name) > 64:
        raise OpenCOCError("COC.00000001", "name length must be between 1 and 64 characters")
    if session.scalar(select(Tenant).where(Tenant.name == name)) is not None:
        raise OpenCOCError("COC.00000409", f"tenant[{name}] already exists", status=409)
    tenant = Tenant(name=name, domain_id=ids.hex_id(), created_at=now_ms())
    session.add(tenant)
    session.flush()
    session.add(User(tenant_id=tenant.id, user_id=ids.hex_id(), name=ADMIN_USER, created_at=now_ms()))
    session.flush()
    return tenant


def create_user(session: Session, *, tenant_name: str, name: str, password: str | None) -> User:
    tenant = get_tenant(session, tenant_name)
    user = User(
        tenant_id=tenant.id,
        user_id=ids.hex_id(),
        name=name,
        password_hash=_hasher.hash(password) if password else None,
        created_at=now_ms(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise OpenCOCError("COC.00000409", f"user[{name}] already exists", status=409) from exc
    return user


def set_password(session: Session, *, tenant_name: str, name: str, password: str) -> int:
    """Set the user's password and revoke the tokens issued under the old one; how many were revoked."""
    user = get_user(session, get_tenant(session, tenant_name), name)
    user.password_hash = _hasher.hash(password)
    return _delete_tokens(session, user)


def revoke_tokens(session: Session, *, tenant_name: str, name: str) -> int:
    """Revoke every X-Auth-Token of the user; how many there were."""
    return _delete_tokens(session, get_user(session, get_tenant(session, tenant_name), name))


def _delete_tokens(session: Session, user: User) -> int:
    # Tokens are looked up in the database on every request, so deleting them is enough everywhere.
    done = session.execute(delete(Token).where(Token.user_pk == user.id))
    return int(done.rowcount)  # type: ignore[attr-defined]


def create_access_key(
    session: Session, cipher: Cipher, *, tenant_name: str, user_name: str, expires_in_days: int | None = None
) -> IssuedKey:
    """A new key of the user; it expires after `expires_in_days` days, or never when None."""
    tenant = get_tenant(session, tenant_name)
    user = get_user(session, tenant, user_name)
    ak, sk = ids.access_key(), ids.secret_key()
    now = now_ms()
    expires = None if expires_in_days is None else now + expires_in_days * 86_400_000
    session.add(
        AccessKey(
            access_key=ak,
            tenant_id=tenant.id,
            user_pk=user.id,
            secret_encrypted=cipher.encrypt(sk),
            created_at=now,
            expires_at=expires,
        )
    )
    session.flush()
    return IssuedKey(ak, sk, tenant.domain_id, user.user_id, expires)


def revoke_key(session: Session, *, tenant_name: str, access_key: str, now: int) -> bool:
    """Revoke a key of the tenant; False if it already was (404 if the tenant has no such key)."""
    tenant = get_tenant(session, tenant_name)
    mine = (AccessKey.access_key == access_key) & (AccessKey.tenant_id == tenant.id)
    if session.scalar(select(AccessKey.access_key).where(mine)) is None:
        raise _not_found("access key", access_key)
    done = session.execute(update(AccessKey).where(mine, AccessKey.revoked_at.is_(None)).values(revoked_at=now))
    if done.rowcount == 0:  # type: ignore[attr-defined]
        return False
    revocations.record(session, kind=revocations.KEY, subject=access_key, now=now)
    return True


def load_key(session: Session, cipher: Cipher, access_key: str) -> KeyIdentity | None:
    """The key's secret and caller, or None when it is unknown, revoked or expired."""
    row = session.execute(
        select(AccessKey, User, Tenant)
        .join(User, User.id == AccessKey.user_pk)
        .join(Tenant, Tenant.id == AccessKey.tenant_id)
        .where(
            AccessKey.access_key == access_key,
            AccessKey.revoked_at.is_(None),
            or_(AccessKey.expires_at.is_(None), AccessKey.expires_at > now_ms()),
        )
    ).first()
    if row is None:
        return None
    key, user, tenant = row
    caller = Caller(tenant.id, tenant.domain_id, tenant.name, user.user_id, user.name)
    return KeyIdentity(cipher.decrypt(key.secret_encrypted), caller, key.expires_at)


def ensure_project(session: Session, *, tenant_id: int, name: str) -> Project:
    """The tenant's project of that name, created on first use (one per region name)."""
    project = session.scalar(select(Project).where(Project.tenant_id == tenant_id, Project.name == name))
    if project is None:
        project = Project(tenant_id=tenant_id, project_id=ids.hex_id(), name=name)
        session.add(project)
        session.flush()
    return project


def issue_token(
    session: Session, *, domain_name: str, user_name: str, password: str, project_name: str | None, ttl_s: int
) -> tuple[str, int, Caller]:
    """A new X-Auth-Token for a password login; raises 401 on any mismatch."""
    tenant = session.scalar(select(Tenant).where(Tenant.name == domain_name))
    if tenant is None:
        raise unauthorized()
    user = session.scalar(select(User).where(User.tenant_id == tenant.id, User.name == user_name))
    if user is None or not user.password_hash:
        raise unauthorized()
    try:
        _hasher.verify(user.password_hash, password)
    except VerificationError as exc:
        raise unauthorized() from exc
    project_id = ensure_project(session, tenant_id=tenant.id, name=project_name).project_id if project_name else None
    token = ids.token()
    expires = now_ms() + ttl_s * 1000
    session.add(Token(token_hash=sha256_hex(token), user_pk=user.id, project_id=project_id, expires_at=expires))
    return token, expires, Caller(tenant.id, tenant.domain_id, tenant.name, user.user_id, user.name, project_id)


def resolve_token(session: Session, token: str) -> Caller | None:
    row = session.execute(
        select(Token, User, Tenant)
        .join(User, User.id == Token.user_pk)
        .join(Tenant, Tenant.id == User.tenant_id)
        .where(Token.token_hash == sha256_hex(token))
    ).first()
    if row is None or row[0].expires_at < now_ms():
        return None
    tok, user, tenant = row
    return Caller(tenant.id, tenant.domain_id, tenant.name, user.user_id, user.name, tok.project_id)


def user_names(session: Session, tenant_id: int, user_ids: list[str]) -> dict[str, str]:
    """user_id -> name for the tenant's known users (ids may be foreign, from COC's directory)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(User.user_id, User.name).where(User.tenant_id == tenant_id, User.user_id.in_(user_ids))
    )
    return dict(rows.all())
