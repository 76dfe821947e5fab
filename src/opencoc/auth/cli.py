"""`opencoc admin create-tenant|create-user|set-role|set-password|create-key|revoke-key|revoke-tokens`.

They act directly on the database; a revocation or a role change reaches running servers
within 2 s (auth/revocations.py).
"""

import typer

from opencoc.auth import roles, service
from opencoc.core.cli_support import admin_errors, cipher, console, emit_json, open_database
from opencoc.core.clock import now_ms


def create_tenant(name: str, json_out: bool = typer.Option(False, "--json")) -> None:
    """Create a tenant (an IAM domain) and its `admin` user."""
    with admin_errors(), open_database().write() as session:
        tenant = service.create_tenant(session, name=name)
        out = {"name": tenant.name, "domain_id": tenant.domain_id}
    emit_json(out) if json_out else console.print(f"tenant {out['name']} domain_id={out['domain_id']}")


def create_user(
    tenant: str = typer.Option(..., "--tenant"),
    user: str = typer.Option(..., "--user"),
    password: str = typer.Option(None, "--password"),
    role: str = typer.Option(roles.DEFAULT_ROLE, "--role", help="admin, operator or viewer."),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Create a user of a tenant (role operator unless --role says otherwise); with a password it can log in."""
    with admin_errors(), open_database().write() as session:
        created = service.create_user(session, tenant_name=tenant, name=user, password=password, role=role)
        out = {"user_id": created.user_id, "role": created.role}
    emit_json(out) if json_out else console.print(f"user {user} user_id={out['user_id']} role={out['role']}")


def set_role(
    tenant: str = typer.Option(..., "--tenant"),
    user: str = typer.Option(..., "--user"),
    role: str = typer.Option(..., "--role", help="admin, operator or viewer."),
) -> None:
    """Give a user a role in its tenant; every server applies it within 2 s."""
    with admin_errors(), open_database().write() as session:
        changed = service.set_role(session, tenant_name=tenant, name=user, role=role, now=now_ms())
    console.print(f"{user} is now {role}" if changed else f"{user} already was {role}")


def set_password(
    tenant: str = typer.Option(..., "--tenant"),
    user: str = typer.Option(..., "--user"),
    password: str = typer.Option(..., "--password"),
) -> None:
    """Set or change a user's password; the user's X-Auth-Tokens are revoked."""
    with admin_errors(), open_database().write() as session:
        revoked = service.set_password(session, tenant_name=tenant, name=user, password=password)
    console.print(f"password of {user} set; {revoked} token(s) revoked")


def revoke_tokens(tenant: str = typer.Option(..., "--tenant"), user: str = typer.Option(..., "--user")) -> None:
    """Revoke every X-Auth-Token and console session of a user (they get 401 / the sign-in page at once)."""
    with admin_errors(), open_database().write() as session:
        revoked = service.revoke_tokens(session, tenant_name=tenant, name=user)
    console.print(f"{revoked} token(s) of {user} revoked")


def create_key(
    tenant: str = typer.Option(..., "--tenant"),
    user: str = typer.Option(service.ADMIN_USER, "--user"),
    expires_in: int = typer.Option(None, "--expires-in", min=1, help="Days until the key expires (default never)."),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Create an access key for a user (default the tenant's admin); the secret is shown once."""
    with admin_errors(), open_database().write() as session:
        key = service.create_access_key(
            session, cipher(), tenant_name=tenant, user_name=user, expires_in_days=expires_in
        )
    out: dict[str, str | int] = {
        "access_key": key.access_key,
        "secret_key": key.secret_key,
        "domain_id": key.domain_id,
        "user_id": key.user_id,
    }
    if key.expires_at is not None:
        out["expires_at"] = key.expires_at
    if json_out:
        emit_json(out)
    else:
        for name, value in out.items():
            console.print(f"{name}: {value}")


def revoke_key(access_key: str, tenant: str = typer.Option(..., "--tenant")) -> None:
    """Revoke an access key of TENANT: requests signed with it get 401 on every server within 2 s."""
    with admin_errors(), open_database().write() as session:
        revoked = service.revoke_key(session, tenant_name=tenant, access_key=access_key, now=now_ms())
    console.print(f"access key {access_key} revoked" if revoked else f"access key {access_key} was already revoked")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.command("create-tenant")(create_tenant)
    admin.command("create-user")(create_user)
    admin.command("set-role")(set_role)
    admin.command("set-password")(set_password)
    admin.command("revoke-tokens")(revoke_tokens)
    admin.command("create-key")(create_key)
    admin.command("revoke-key")(revoke_key)
