"""`opencoc admin create-enroll-token|revoke-enroll-token|revoke-agent`: act directly on the database."""

import re

import typer

from opencoc.agents import flows, service
from opencoc.config import get_settings
from opencoc.core.cli_support import admin_errors, console, emit_json, fail, open_database
from opencoc.core.clock import now_ms

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_TTL = re.compile(r"([0-9]+)([smhd]?)")  # fullmatch; `\d` would take any Unicode digit


def parse_ttl(value: str) -> int | None:
    """`3600`, `90m`, `24h`, `7d` -> seconds; `never` -> None."""
    if value == "never":
        return None
    match = _TTL.fullmatch(value.strip())
    if match is None or int(match.group(1)) == 0:
        fail(f"--ttl {value!r}: expected a positive number of seconds, or with s/m/h/d, or 'never'")
    return int(match.group(1)) * _UNITS[match.group(2) or "s"]


def create_enroll_token(
    tenant: str = typer.Option(..., "--tenant"),
    ttl: str = typer.Option("7d", "--ttl", help="Lifetime: seconds, or 90m / 24h / 7d, or 'never'."),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Create an enrolment token agents of TENANT enrol with (reusable until it expires)."""
    ttl_s = parse_ttl(ttl)
    with admin_errors(), open_database().write() as session:
        token = service.create_enroll_token(session, tenant_name=tenant, ttl_s=ttl_s, now=now_ms())
    emit_json({"token": token}) if json_out else console.print(f"token: {token}")


def revoke_enroll_token(token: str, tenant: str = typer.Option(..., "--tenant")) -> None:
    """Revoke an enrolment token: enrolled agents keep working, new hosts cannot enrol with it."""
    with admin_errors(), open_database().write() as session:
        service.revoke_enroll_token(session, tenant_name=tenant, token=token, now=now_ms())
    console.print("token revoked")


def revoke_agent(agent_sn: str, tenant: str = typer.Option(..., "--tenant")) -> None:
    """Revoke an agent of TENANT: it gets 401 on every server within 2 s; its unfinished tasks end ABNORMAL."""
    grace = get_settings().agent_offline_after_seconds
    with admin_errors(), open_database().write() as session:
        revoked = flows.revoke_agent(session, tenant_name=tenant, agent_sn=agent_sn, now=now_ms(), grace_s=grace)
    console.print(f"agent {agent_sn} revoked" if revoked else f"agent {agent_sn} was already revoked")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.command("create-enroll-token")(create_enroll_token)
    admin.command("revoke-enroll-token")(revoke_enroll_token)
    admin.command("revoke-agent")(revoke_agent)
