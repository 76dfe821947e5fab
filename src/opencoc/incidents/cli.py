"""`opencoc incident create|accept|resolve|confirm|show|list|history` (and v2_cli's `tasks|action`)."""

import time
from typing import Any

import typer
from rich.table import Table

from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json
from opencoc.incidents import enums, v2_cli

CREATE = "/v1/external/incident/create"
HANDLE = "/v1/external/incident/handle"
HISTORIES = "/v1/external/incident/list-histories"

incident_app = typer.Typer(
    help="Incident tickets: create, accept, resolve, confirm, show, list, history.", no_args_is_help=True
)
JSON_OUT = typer.Option(False, "--json", help="Print the API's JSON instead of a summary.")
OPERATOR = typer.Option(..., "--operator", help="Operator id (an assignee of the incident).")


def _name(table: dict[str, tuple[str, str]], key: str | None) -> str:
    return table[key][1] if key in table else str(key)


def _handle(num: str, operator: str, operate_key: str, parameter: dict[str, Any], json_out: bool) -> None:
    body = {"incident_num": num, "operator": operator, "operate_key": operate_key, "parameter": parameter}
    with api_errors():
        client = api()
        client.post(HANDLE, body)
        data = client.get(f"/v1/external/incident/{num}")["data"]
    if json_out:
        emit_json(data)
    else:
        console.print(f"{num}: {_name(enums.STATUSES, data['status'])}")


def _ms(value: int | None) -> str:
    return "" if value is None else time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(value / 1000))


def _show(data: dict[str, Any]) -> None:
    solution = data.get("solution") or {}
    # the fault start the creator gave, or else the one the solution stated
    started = data["start_time"] if data["start_time"] is not None else solution.get("start_time")
    table = Table(show_header=False, box=None)
    rows = [
        ("incident_num", data["incident_num"]),
        ("title", data["incident_title"]),
        ("status", f"{_name(enums.STATUSES, data['status'])} ({data['status']})"),
        ("level", _name(enums.LEVELS, data["incident_level"])),
        ("type", _name(enums.TYPES, data["incident_type"])),
        ("source", _name(enums.SOURCES, data["incident_source"])),
        ("service interrupted", "yes" if data["is_service_interrupt"] else "no"),
        ("assignee", ", ".join(data["incident_assignee"]) or f"{data['assignee_scene']}/{data['assignee_role']}"),
        ("on call", data.get("oncall_assignee") or ""),
        ("accepted by", data.get("acceptor") or ""),
        ("creator", data["creator"]),
        ("description", data["incident_description"]),
        ("fault started", _ms(started)),
    ]
    if solution:
        rows += [
            ("solution type", _name(enums.TYPES, solution["mtm_type"])),
            ("solution: interrupted", "yes" if solution["is_service_interrupt"] else "no"),
            ("fault recovered", _ms(solution["fault_recovery_time"])),
            ("fault delineated", _ms(solution["fault_delineation_time"])),
            ("cause", solution["cause"]),
            ("solution", solution["solution"]),
        ]
    for name, value in rows:
        table.add_row(f"[bold]{name}[/bold]", str(value))
    console.print(table)


@incident_app.command("create")
def create(
    title: str = typer.Option(..., "--title"),
    creator: str = typer.Option(..., "--creator", help="Creator id."),
    assignee: str = typer.Option(None, "--assignee", help="Assignee id (or --scene and --role)."),
    scene: str = typer.Option(None, "--scene", help="Scheduling scene."),
    role: str = typer.Option(None, "--role", help="Scheduling role."),
    level: str = typer.Option("level_30", "--level", help="level_10 (P1) .. level_50 (P5)."),
    incident_type: str = typer.Option("inc_type_p_function_issues", "--type"),
    source: str = typer.Option("incident_source_manual", "--source"),
    description: str = typer.Option("", "--description"),
    interrupted: bool = typer.Option(False, "--interrupted/--not-interrupted"),
    service: str = typer.Option(None, "--service", help="Home application id."),
    region: str = typer.Option(None, "--region"),
    json_out: bool = JSON_OUT,
) -> None:
    """Create an incident ticket."""
    body: dict[str, Any] = {
        "incident_title": title,
        "incident_description": description,
        "incident_level": level,
        "incident_type": incident_type,
        "incident_source": source,
        "is_service_interrupt": interrupted,
        "creator": creator,
        "incident_assignee": [assignee] if assignee else [],
        "assignee_scene": scene,
        "assignee_role": role,
        "current_cloud_service": [service] if service else [],
        "region": [region] if region else [],
    }
    with api_errors():
        resp = api().post(CREATE, {k: v for k, v in body.items() if v is not None})
    emit_json(resp["data"]) if json_out else console.print(resp["data"]["incident_num"])


@incident_app.command("accept")
def accept(num: str, operator: str = OPERATOR, json_out: bool = JSON_OUT) -> None:
    """Accept an incident (acceptedIncident1)."""
    _handle(num, operator, enums.ACCEPT, {}, json_out)


@incident_app.command("resolve")
def resolve(
    num: str,
    operator: str = OPERATOR,
    cause: str = typer.Option(..., "--cause"),
    solution: str = typer.Option(..., "--solution"),
    incident_type: str = typer.Option(..., "--type", help="Incident type (mtm_type)."),
    interrupted: bool = typer.Option(False, "--interrupted/--not-interrupted"),
    start_time: int = typer.Option(None, "--start-time", help="Fault start, ms since the epoch."),
    recovery_time: int = typer.Option(None, "--recovery-time", help="Fault recovery, ms since the epoch."),
    json_out: bool = JSON_OUT,
) -> None:
    """Commit a solution (commitSolution1); the incident waits for verification."""
    parameter: dict[str, Any] = {
        "mtm_type": incident_type,
        "is_service_interrupt": interrupted,
        "cause": cause,
        "solution": solution,
        "start_time": start_time,
        "fault_recovery_time": recovery_time,
    }
    _handle(num, operator, enums.COMMIT_SOLUTION, {k: v for k, v in parameter.items() if v is not None}, json_out)


@incident_app.command("confirm")
def confirm(
    num: str,
    operator: str = typer.Option(..., "--operator", help="The creator or an assignee."),
    reject: bool = typer.Option(False, "--reject", help="Send the incident back for more handling."),
    comment: str = typer.Option("", "--comment"),
    json_out: bool = JSON_OUT,
) -> None:
    """Verify the solution (confirm): completes the incident, or with --reject sends it back."""
    parameter = {"virtual_confirm_result": not reject, "virtual_confirm_comment": comment}
    _handle(num, operator, enums.CONFIRM, parameter, json_out)


@incident_app.command("show")
def show(num: str, json_out: bool = JSON_OUT) -> None:
    """Show an incident."""
    with api_errors():
        data = api().get(f"/v1/external/incident/{num}")["data"]
    emit_json(data) if json_out else _show(data)


@incident_app.command("list")
def list_(
    page: int = typer.Option(1, "--page", help="Page number, 1 = first."),
    limit: int = typer.Option(20, "--limit"),
    json_out: bool = JSON_OUT,
) -> None:
    """List incidents, newest first."""
    with api_errors():
        data = api().get("/v1/incident-tickets", offset=page, limit=limit)["data"]
    if json_out:
        emit_json(data)
        return
    table = Table("incident_num", "status", "level", "title", "assignee")
    for item in data["list"]:
        status = _name(enums.STATUSES, item["status"])
        table.add_row(
            item["ticket_id"],
            status,
            _name(enums.LEVELS, item["level"]),
            item["title"],
            ", ".join(item["assignee"]),
        )
    console.print(table)
    console.print(f"{len(data['list'])} of {data['total']}")


@incident_app.command("history")
def history(num: str, json_out: bool = JSON_OUT) -> None:
    """Every operation recorded on an incident, oldest first."""
    body = {"string_filters": [{"field": "ticket_id", "operator": "=", "values": [num]}]}
    with api_errors():
        data = api().post(HISTORIES, body)["data"]
    if json_out:
        emit_json(data)
        return
    table = Table("time (UTC)", "operator", "action", "comment")
    for item in data["info"]:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(item["start_time"] / 1000))
        table.add_row(when, item["operator"], item["action_name_en"], item["comment"] or "")
    console.print(table)


def register(app: typer.Typer, admin: typer.Typer) -> None:
    v2_cli.register(incident_app)
    app.add_typer(incident_app, name="incident")
