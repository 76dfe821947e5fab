"""Tenant, user, key and token management; credential look-ups for request authentication."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from opencoc.auth import revocations, sessions
from opencoc.auth.caller import Caller
from opencoc.auth.models import AccessKey, Project, Tenant, Token, User
from opencoc.auth.roles import ADMIN, DEFAULT_ROLE, Role, check_role
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


def tenant_exists(session: Session, name: str) -> bool:
    return session.scalar(select(Tenant.id).where(Tenant.name == name)) is not None


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
    session.add(User(tenant_id=tenant.id, user_id=ids.hex_id(), name=ADMIN_USER, role=ADMIN, created_at=now_ms()))
    session.flush()
    return tenant


def create_user(
    session: Session, *, tenant_name: str, name: str, password: str | None, role: str = DEFAULT_ROLE
) -> User:
    """A user of the tenant with `role` (operator unless said otherwise)."""
    tenant = get_tenant(session, tenant_name)
    user = User(
        tenant_id=tenant.id,
        user_id=ids.hex_id(),
        name=name,
        password_hash=_hasher.hash(password) if password else None,
        role=check_role(role),
        created_at=now_ms(),
    )
    session.add(user)
    try:
        session.flush()
    except IntegrityError as exc:
        raise OpenCOCError("COC.00000409", f"user[{name}] already exists", status=409) from exc
    return user


def set_role(session: Session, *, tenant_name: str, name: str, role: str, now: int) -> bool:
    """Give the user `role`; False if it had it already. Every server drops the user's cached keys
    within 2 s (a `user` revocation, auth/revocations.py), so the keys act with the new role."""
    new_role = check_role(role)
    user = get_user(session, get_tenant(session, tenant_name), name)
    if user.role == new_role:
        return False
    user.role = new_role
    revocations.record(session, kind=revocations.USER, subject=user.user_id, now=now)
    return True


def shell_caller(session: Session, *, tenant_name: str) -> Caller:
    """Who the admin CLI acts as in a tenant: its first user `admin`, with the admin role whatever that
    user's own (the CLI acts on the database: whoever runs it can do everything anyway)."""
    tenant = get_tenant(session, tenant_name)
    user = get_user(session, tenant, ADMIN_USER)
    return Caller(tenant.id, tenant.domain_id, tenant.name, user.user_id, user.name, role=ADMIN)


def _caller(tenant: Tenant, user: User, project_id: str | None = None) -> Caller:
    role: Role = check_role(user.role)
    return Caller(tenant.id, tenant.domain_id, tenant.name, user.user_id, user.name, role=role, project_id=project_id)


def set_password(session: Session, *, tenant_name: str, name: str, password: str) -> int:
    """Set the user's password and revoke the tokens issued under the old one; how many were revoked."""
    user = get_user(session, get_tenant(session, tenant_name), name)
    user.password_hash = _hasher.hash(password)
    return _delete_tokens(session, user)


def revoke_tokens(session: Session, *, tenant_name: str, name: str) -> int:
    """Revoke every X-Auth-Token of the user; how many there were."""
    return _delete_tokens(session, get_user(session, get_tenant(session, tenant_name), name))


def _delete_tokens(session: Session, user: User) -> int:
    # Tokens are looked up in the database on every request, so deleting them is enough everywhere;
    # console sessions are also kept in memory for a few seconds: end_all announces their end.
    sessions.end_all(session, user_pk=user.id, user_id=user.user_id, now=now_ms())
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
    return KeyIdentity(cipher.decrypt(key.secret_encrypted), _caller(tenant, user), key.expires_at)


_PROJECTS = uuid.UUID("6f1d8f8e-3c56-4a55-9d0e-0c0c0c0c0c0c")


def project_id(domain_id: str, name: str) -> str:
    """The id of the tenant's project named `name`: derived, so that reading it writes nothing."""
    return uuid.uuid5(_PROJECTS, f"{domain_id}/{name}").hex


def find_project_id(session: Session, *, tenant_id: int, domain_id: str, name: str) -> str:
    """The id of the tenant's project of that name (one per region name), stored or derived."""
    stored = session.scalar(select(Project.project_id).where(Project.tenant_id == tenant_id, Project.name == name))
    return stored or project_id(domain_id, name)


def list_projects(session: Session, *, caller: Caller, name: str | None) -> dict[str, Any]:
    """IAM's `GET /v3/projects`: the caller's project named after a region (the SDK's `with_region` needs one)."""
    if not name:
        return {"projects": [], "links": {"self": "/v3/projects"}}
    item = {
        "id": find_project_id(session, tenant_id=caller.tenant_id, domain_id=caller.domain_id, name=name),
        "name": name,
        "domain_id": caller.domain_id,
        "is_domain": False,
        "parent_id": caller.domain_id,
        "enabled": True,
    }
    return {"projects": [item], "links": {"self": "/v3/projects"}}


def _ensure_project(session: Session, tenant: Tenant, name: str) -> str:
    """The id of the tenant's project of that name, stored on first use (a token scoped to it names it)."""
    stored = session.scalar(select(Project.project_id).where(Project.tenant_id == tenant.id, Project.name == name))
    if stored is not None:
        return stored
    derived = project_id(tenant.domain_id, name)
    session.add(Project(tenant_id=tenant.id, project_id=derived, name=name))
    session.flush()
    return derived


@dataclass(frozen=True)
class Login:
    """A user whose password was checked, and the password hash it was checked against."""

    tenant_id: int
    user_pk: int
    password_hash: str


def check_password(session: Session, *, domain_name: str, user_name: str, password: str) -> Login:
    """The user a password login names; 401 on any mismatch.

    A read: the hash check takes tens of milliseconds and must not hold up the database's writer.
    """
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
    return Login(tenant.id, user.id, user.password_hash)


def issue_token(session: Session, *, login: Login, project_name: str | None, ttl_s: int) -> tuple[str, int, Caller]:
    """A new X-Auth-Token for a checked login; 401 if the password changed since it was checked."""
    row = session.execute(
        select(User, Tenant).join(Tenant, Tenant.id == User.tenant_id).where(User.id == login.user_pk)
    ).first()
    if row is None or row[0].password_hash != login.password_hash:
        raise unauthorized()
    user, tenant = row
    project = _ensure_project(session, tenant, project_name) if project_name else None
    token = ids.token()
    expires = now_ms() + ttl_s * 1000
    session.add(Token(token_hash=sha256_hex(token), user_pk=user.id, project_id=project, expires_at=expires))
    return token, expires, _caller(tenant, user, project)


def token_view(caller: Caller, *, expires: int, project_name: str | None) -> dict[str, Any]:
    """IAM's body of `POST /v3/auth/tokens` (the token itself is in the X-Subject-Token header)."""
    view: dict[str, Any] = {
        "token": {
            "expires_at": datetime.fromtimestamp(expires / 1000, UTC).isoformat().replace("+00:00", "Z"),
            "methods": ["password"],
            "user": {
                "id": caller.user_id,
                "name": caller.user_name,
                "domain": {"id": caller.domain_id, "name": caller.tenant_name},
            },
        }
    }
    if caller.project_id:
        view["token"]["project"] = {"id": caller.project_id, "name": project_name}
    return view


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
    return _caller(tenant, user, tok.project_id)


def user_names(session: Session, tenant_id: int, user_ids: list[str]) -> dict[str, str]:
    """user_id -> name for the tenant's known users (ids may be foreign, from COC's directory)."""
    if not user_ids:
        return {}
    rows = session.execute(
        select(User.user_id, User.name).where(User.tenant_id == tenant_id, User.user_id.in_(user_ids))
    )
    return dict(rows.all())


def emails(session: Session, tenant_id: int, user_ids: list[str]) -> dict[str, str | None]:
    """user_id -> email address (None when unset) for the tenant's known users."""
    if not user_ids:
        return {}
    mine = select(User.user_id, User.email).where(User.tenant_id == tenant_id, User.user_id.in_(user_ids))
    return dict(session.execute(mine).all())


def tenant_users(session: Session, tenant_id: int) -> list[tuple[str, str]]:
    """(user_id, name) of every user of the tenant, by name (the console's pickers)."""
    rows = session.execute(select(User.user_id, User.name).where(User.tenant_id == tenant_id).order_by(User.name))
    return [(user_id, name) for user_id, name in rows.all()]


@dataclass(frozen=True)
class KeyInfo:
    """An access key as its owner's settings list it (never its secret)."""

    access_key: str
    created_at: int
    expires_at: int | None
    revoked_at: int | None


def user_keys(session: Session, *, tenant_id: int, user_id: str) -> list[KeyInfo]:
    """The access keys of the tenant's user `user_id`, newest first."""
    rows = session.execute(
        select(AccessKey.access_key, AccessKey.created_at, AccessKey.expires_at, AccessKey.revoked_at)
        .join(User, User.id == AccessKey.user_pk)
        .where(AccessKey.tenant_id == tenant_id, User.user_id == user_id)
        .order_by(AccessKey.created_at.desc(), AccessKey.access_key)
    )
    return [KeyInfo(*row) for row in rows.all()]


def revoke_user_key(
    session: Session, *, tenant_id: int, tenant_name: str, user_id: str, access_key: str, now: int
) -> bool:
    """Revoke one of the user's own keys (`revoke_key`); 404 when the user has no such key."""
    if access_key not in {key.access_key for key in user_keys(session, tenant_id=tenant_id, user_id=user_id)}:
        raise _not_found("access key", access_key)
    return revoke_key(session, tenant_name=tenant_name, access_key=access_key, now=now)

