"""`opencoc admin create-tenant|create-user|create-key`: act directly on the database."""

import typer

from opencoc.auth import service
from opencoc.core.cli_support import admin_errors, cipher, console, emit_json, open_database


def register(app: typer.Typer, admin: typer.Typer) -> None:
    @admin.command("create-tenant")
    def create_tenant(name: str, json_out: bool = typer.Option(False, "--json")) -> None:
        """Create a tenant (an IAM domain) and its `admin` user."""
        with admin_errors(), open_database().write() as session:
            tenant = service.create_tenant(session, name=name)
            out = {"name": tenant.name, "domain_id": tenant.domain_id}
        emit_json(out) if json_out else console.print(f"tenant {out['name']} domain_id={out['domain_id']}")

    @admin.command("create-user")
    def create_user(
        tenant: str = typer.Option(..., "--tenant"),
        user: str = typer.Option(..., "--user"),
        password: str = typer.Option(None, "--password"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Create a user of a tenant; with a password it can log in for an X-Auth-Token."""
        with admin_errors(), open_database().write() as session:
            created = service.create_user(session, tenant_name=tenant, name=user, password=password)
            out = {"user_id": created.user_id}
        emit_json(out) if json_out else console.print(f"user {user} user_id={out['user_id']}")

    @admin.command("set-password")
    def set_password(
        tenant: str = typer.Option(..., "--tenant"),
        user: str = typer.Option(..., "--user"),
        password: str = typer.Option(..., "--password"),
    ) -> None:
        """Set or change a user's password."""
        with admin_errors(), open_database().write() as session:
            service.set_password(session, tenant_name=tenant, name=user, password=password)
        console.print(f"password of {user} set")

    @admin.command("create-key")
    def create_key(
        tenant: str = typer.Option(..., "--tenant"),
        user: str = typer.Option(service.ADMIN_USER, "--user"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Create an access key for a user (default the tenant's admin); the secret is shown once."""
        with admin_errors(), open_database().write() as session:
            key = service.create_access_key(session, cipher(), tenant_name=tenant, user_name=user)
        out = {
            "access_key": key.access_key,
            "secret_key": key.secret_key,
            "domain_id": key.domain_id,
            "user_id": key.user_id,
        }
        if json_out:
            emit_json(out)
        else:
            for name, value in out.items():
                console.print(f"{name}: {value}")
