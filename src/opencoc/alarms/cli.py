"""`opencoc admin *-integration` (on the database) and `opencoc alarm list|show|clear|to-incident|history` (API)."""

import os
from typing import Any

import typer
from pydantic import ValidationError
from rich.table import Table

from opencoc.alarms import integrations
from opencoc.alarms.rules import Rules
from opencoc.auth import service as auth
from opencoc.client.cli import api, api_errors
from opencoc.config import get_settings
from opencoc.core.cli_support import admin_errors, console, emit_json, fail, open_database
from opencoc.core.validation import describe

alarm_app = typer.Typer(help="Alarms: list, show, clear, to-incident, history.", no_args_is_help=True)
JSON_OUT = typer.Option(False, "--json", help="Print JSON instead of a summary.")
TENANT = typer.Option(..., "--tenant", help="Tenant name.")
LEVELS = typer.Option([], "--level", help="Critical=level_10, Info=none, ... (repeatable).")
ALARM_IDS = typer.Argument(..., help="Alarm ids.")


def _rules(options: dict[str, Any], levels: list[str]) -> Rules:
    level_map: dict[str, str | None] = {}
    for item in levels:
        alarm_level, _, incident_level = item.partition("=")
        level_map[alarm_level] = None if incident_level.lower() in ("", "none") else incident_level
    try:
        return Rules.model_validate({**{k: v for k, v in options.items() if v is not None}, "level_map": level_map})
    except ValidationError as exc:
        fail(describe(exc.errors()))


def _endpoint() -> str:
    """Where monitoring systems reach the server: OPENCOC_PUBLIC_URL, else the CLI's OPENCOC_ENDPOINT,
    else OPENCOC_HOST and OPENCOC_PORT."""
    settings = get_settings()
    return settings.public_url or os.environ.get("OPENCOC_ENDPOINT") or settings.endpoint


def _print_integrations(items: list[dict[str, Any]]) -> None:
    table = Table("integration_id", "name", "type", "enabled", "key", "level map")
    for item in items:
        levels = ", ".join(f"{k}→{v or '-'}" for k, v in item["rules"]["level_map"].items())
        table.add_row(
            item["integration_id"],
            item["name"],
            item["type"],
            "yes" if item["enabled"] else "no",
            item["integration_key_prefix"] + "…",
            levels,
        )
    console.print(table)


def create_integration(
    tenant: str = TENANT,
    name: str = typer.Option(..., "--name"),
    type_: str = typer.Option(..., "--type", help="custom (self-built monitoring) or prometheus (Alertmanager)."),
    assignee: str = typer.Option(None, "--assignee", help="Incident assignee (default: the tenant's admin)."),
    scene: str = typer.Option(None, "--scene", help="Scheduling scene (with --role, instead of --assignee)."),
    role: str = typer.Option(None, "--role", help="Scheduling role."),
    creator: str = typer.Option(None, "--creator", help="Incident creator (default: the tenant's admin)."),
    incident_type: str = typer.Option(None, "--incident-type", help="e.g. inc_type_p_reliability_issues."),
    service: str = typer.Option(None, "--service", help="Application (current_cloud_service) of incidents."),
    level: list[str] = LEVELS,
    json_out: bool = JSON_OUT,
) -> None:
    """Create an integration; prints its key and webhook URL (shown only now)."""
    if type_ not in integrations.PATHS:
        fail("--type must be custom or prometheus")
    options = {
        "assignee": assignee,
        "assignee_scene": scene,
        "assignee_role": role,
        "creator": creator,
        "incident_type": incident_type,
        "current_cloud_service": service,
    }
    rules = _rules(options, level)
    with admin_errors(), open_database().write() as session:
        caller = auth.shell_caller(session, tenant_name=tenant)
        out = integrations.create(
            session,
            caller=caller,
            name=name,
            type_=type_,
            rules=rules.with_default_owner(caller.user_id),
            endpoint=_endpoint(),
        )
    if json_out:
        emit_json(out)
    else:
        console.print(f"integration {name} ({out['integration_id']})")
        console.print(f"key: [bold]{out['integration_key']}[/bold] (shown once)\nurl: {out['url']}")


def list_integrations(tenant: str = TENANT, json_out: bool = JSON_OUT) -> None:
    """List a tenant's integrations."""
    with admin_errors(), open_database().read() as session:
        items = integrations.list_all(session, tenant_id=auth.get_tenant(session, tenant).id)
    emit_json(items) if json_out else _print_integrations(items)


def _change(tenant: str, ref: str, json_out: bool, enabled: bool | None) -> None:
    with admin_errors(), open_database().write() as session:
        caller = auth.shell_caller(session, tenant_name=tenant)
        if enabled is None:
            out = integrations.remove(session, caller=caller, ref=ref)
        else:
            out = integrations.set_enabled(session, caller=caller, ref=ref, enabled=enabled)
    word = "deleted" if enabled is None else ("enabled" if enabled else "disabled")
    emit_json(out) if json_out else console.print(f"integration {out['name']} {word}")


def disable_integration(
    ref: str = typer.Argument(..., help="Name or integration_id."), tenant: str = TENANT, json_out: bool = JSON_OUT
) -> None:
    """Disable an integration: its key gets 401 and stores nothing."""
    _change(tenant, ref, json_out, False)


def enable_integration(
    ref: str = typer.Argument(..., help="Name or integration_id."), tenant: str = TENANT, json_out: bool = JSON_OUT
) -> None:
    """Enable an integration again."""
    _change(tenant, ref, json_out, True)


def delete_integration(
    ref: str = typer.Argument(..., help="Name or integration_id."), tenant: str = TENANT, json_out: bool = JSON_OUT
) -> None:
    """Delete an integration; its alarms stay."""
    _change(tenant, ref, json_out, None)


def _show(data: dict[str, Any]) -> None:
    table = Table(show_header=False, box=None)
    for name in (
        "alarm_id",
        "original_alarm_id",
        "alarm_name",
        "alarm_level",
        "alarm_status",
        "count",
        "incident_num",
        "integration_name",
        "alarm_desc",
        "resource_name",
        "region_id",
        "application_id",
    ):
        table.add_row(f"[bold]{name}[/bold]", str(data.get(name)))
    console.print(table)


@alarm_app.command("list")
def list_(
    status: str = typer.Option(None, "--status", help="alarm (active) or ok (cleared)."),
    level: str = typer.Option(None, "--level", help="Critical, Major, Minor or Info."),
    integration_key: str = typer.Option(None, "--integration-key"),
    limit: int = typer.Option(20, "--limit"),
    offset: int = typer.Option(0, "--offset", help="Alarms to skip."),
    json_out: bool = JSON_OUT,
) -> None:
    """List alarms, newest first."""
    with api_errors():
        data = api().get(
            "/opencoc/v1/alarm-mgmt/alarms",
            status=status,
            alarm_level=level,
            integration_key=integration_key,
            limit=limit,
            offset=offset,
        )["data"]
    if json_out:
        emit_json(data)
        return
    table = Table("alarm_id", "level", "status", "count", "name", "incident_num")
    for item in data["list"]:
        table.add_row(
            item["alarm_id"],
            item["alarm_level"],
            item["alarm_status"],
            str(item["count"]),
            item["alarm_name"],
            item["incident_num"] or "-",
        )
    console.print(table)
    console.print(f"{len(data['list'])} of {data['total']}")


@alarm_app.command("show")
def show(alarm_id: str, json_out: bool = JSON_OUT) -> None:
    """Show an alarm."""
    with api_errors():
        data = api().get(f"/v1/alarm-mgmt/alarm/{alarm_id}")["data"]
    emit_json(data) if json_out else _show(data)


@alarm_app.command("clear")
def clear(
    alarm_ids: list[str] = ALARM_IDS,
    remarks: str = typer.Option(None, "--remarks"),
    json_out: bool = JSON_OUT,
) -> None:
    """Clear alarms (and note it on their incidents)."""
    body = {"alarm_ids": ",".join(alarm_ids), "remarks": remarks}
    with api_errors():
        data = api().post("/v1/alarm-mgmt/alarms/cancel", {k: v for k, v in body.items() if v is not None})["data"]
    emit_json(data) if json_out else console.print(f"cleared: {', '.join(data) or 'none (already cleared)'}")


@alarm_app.command("to-incident")
def to_incident(
    alarm_ids: list[str] = ALARM_IDS,
    title: str = typer.Option(None, "--title"),
    level: str = typer.Option(None, "--level", help="level_10 (P1) .. level_50 (P5)."),
    incident_type: str = typer.Option(None, "--type", help="Incident type (mtm_type)."),
    assignee: str = typer.Option(None, "--assignee"),
    description: str = typer.Option(None, "--description"),
    json_out: bool = JSON_OUT,
) -> None:
    """Turn alarms into one incident."""
    body = {
        "alarm_ids": ",".join(alarm_ids),
        "title": title,
        "level_id": level,
        "mtm_type": incident_type,
        "assignee": assignee,
        "description": description,
    }
    with api_errors():
        data = api().post("/v1/alarm-mgmt/alarms-linked-incident", {k: v for k, v in body.items() if v})["data"]
    emit_json(data) if json_out else console.print(data[0])


@alarm_app.command("history")
def history(alarm_id: str, json_out: bool = JSON_OUT) -> None:
    """How an alarm was handled (incident, clear, auto-process)."""
    with api_errors():
        data = api().get(f"/v1/alarm-mgmt/alarm/{alarm_id}/handle-histories", limit=100)
    if json_out:
        emit_json({k: data[k] for k in ("count", "alarm_handle_histories", "resolved_record")})
        return
    table = Table("work_order_id", "task_type", "by", "status", "associated_task_id")
    for item in data["alarm_handle_histories"]:
        table.add_row(
            item["work_order_id"],
            item["task_type"],
            item["create_name"],
            item["status"],
            item["associated_task_id"],
        )
    console.print(table)


def register(app: typer.Typer, admin: typer.Typer) -> None:
    admin.command("create-integration")(create_integration)
    admin.command("list-integrations")(list_integrations)
    admin.command("disable-integration")(disable_integration)
    admin.command("enable-integration")(enable_integration)
    admin.command("delete-integration")(delete_integration)
    app.add_typer(alarm_app, name="alarm")
