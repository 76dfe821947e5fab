"""`opencoc serve` and `opencoc quickstart` (what `make run` calls)."""

import os
import secrets
import sys
from pathlib import Path

import typer

from opencoc.auth import service
from opencoc.client.profile import Profile, save_profile
from opencoc.config import Settings, get_settings
from opencoc.core.cli_support import cipher, console, open_database

SDK_SNIPPET = """\
from huaweicloudsdkcore.auth.credentials import GlobalCredentials
from huaweicloudsdkcoc.v1 import CocClient, model as M

client = (CocClient.new_builder()
          .with_credentials(GlobalCredentials("{ak}", "{sk}", "{domain_id}"))
          .with_endpoints(["{endpoint}"])
          .build())
print(client.create_coc_incident(M.CreateCocIncidentRequest(body=M.CreateExternalIncidentRequest(
    incident_level="level_30", is_service_interrupt="false", incident_type="inc_type_p_function_issues",
    incident_title="hello from OpenCOC", incident_source="incident_source_manual",
    current_cloud_service=["my-app"], incident_assignee=["{user_id}"], creator="{user_id}"))))
"""


def _serve(host: str | None, port: int | None, workers: int) -> None:
    """Migrate the schema, then become the server process (opencoc/serving.py says why it is another image)."""
    settings = get_settings()
    open_database().dispose()  # creates the data directory and applies the migrations
    env = {
        **os.environ,
        "OPENCOC_HOST": host or settings.host,
        "OPENCOC_PORT": str(port or settings.port),
        "OPENCOC_MIGRATE_ON_START": "0",
    }
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(sys.executable, [sys.executable, "-m", "opencoc.serving", "--workers", str(workers)], env)


def _set_up(tenant: str) -> tuple[service.IssuedKey, str] | None:
    """The tenant, its admin's access key and console password on first run; None when the tenant exists."""
    with open_database().write() as session:
        if service.tenant_exists(session, tenant):
            return None
        service.create_tenant(session, name=tenant)
        password = secrets.token_urlsafe(12)
        service.set_password(session, tenant_name=tenant, name=service.ADMIN_USER, password=password)
        key = service.create_access_key(session, cipher(), tenant_name=tenant, user_name=service.ADMIN_USER)
        return key, password


def console_url(settings: Settings) -> str:
    return f"{settings.endpoint}/console/"


def _print_welcome(settings: Settings, key: service.IssuedKey, password: str, tenant: str, profile_path: Path) -> None:
    console.rule("OpenCOC is set up")
    console.print(f"web console: [bold]{console_url(settings)}[/bold]")
    console.print(f"  sign in with tenant [bold]{tenant}[/bold], user [bold]{service.ADMIN_USER}[/bold], ", end="")
    console.print(f"password [bold]{password}[/bold]")
    console.print(f"  (shown once; change it with `opencoc admin set-password --tenant {tenant} --user admin`)\n")
    console.print(f"endpoint:   [bold]{settings.endpoint}[/bold]")
    console.print(f"domain_id:  {key.domain_id}\nuser_id:    {key.user_id}")
    console.print(f"access key: [bold]{key.access_key}[/bold]\nsecret key: [bold]{key.secret_key}[/bold]")
    console.print(f"(shown once; also saved for the `opencoc` CLI in {profile_path}, mode 0600)\n")
    console.print("Python, with the official SDK (pip install huaweicloudsdkcoc):")
    print(
        SDK_SNIPPET.format(
            ak=key.access_key,
            sk=key.secret_key,
            domain_id=key.domain_id,
            endpoint=settings.endpoint,
            user_id=key.user_id,
        )
    )


def register(app: typer.Typer, admin: typer.Typer) -> None:
    @app.command()
    def serve(
        host: str = typer.Option(None, "--host", help="Bind address (OPENCOC_HOST)."),
        port: int = typer.Option(None, "--port", help="Port (OPENCOC_PORT)."),
        workers: int = typer.Option(1, "--workers", help="Worker processes."),
    ) -> None:
        """Run the API server (migrations are applied on start)."""
        _serve(host, port, workers)

    @app.command()
    def quickstart(tenant: str = typer.Option("default", "--tenant")) -> None:
        """Initialise the database and, on first run, a tenant with an access key (printed once)."""
        settings = get_settings()
        profile_path = Path(settings.data_dir) / "profile.json"
        made = _set_up(tenant)
        if made is None:
            console.print(f"OpenCOC endpoint: [bold]{settings.endpoint}[/bold]")
            console.print(f"web console: [bold]{console_url(settings)}[/bold]")
            console.print(f"tenant '{tenant}' exists; its CLI profile is in {profile_path}")
            return
        key, password = made
        save_profile(Profile(settings.endpoint, key.access_key, key.secret_key, key.domain_id), profile_path)
        _print_welcome(settings, key, password, tenant, profile_path)
