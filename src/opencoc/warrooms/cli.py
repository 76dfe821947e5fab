"""`opencoc warroom create|list|show|post|status`: war rooms through the signed API."""

from datetime import UTC, datetime
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json

OWN = "/opencoc/v1/warrooms"
warroom_app = typer.Typer(help="War rooms: open one for an incident, its timeline and lifecycle.", no_args_is_help=True)
_JSON = typer.Option(False, "--json", help="Print JSON.")
_STATUS_IDS = {"open": "1", "recovered": "7", "closed": "20"}


def _call(method: str, path: str, body: Any = None) -> Any:
    with api_errors():
        return api().request(method, path, json=body)["data"]


def _when(ms: int | None) -> str:
    return "-" if ms is None else datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _pair(text: str) -> dict[str, str]:
    scene, _, role = text.partition("/")
    if not scene or not role:
        raise typer.BadParameter(f"{text!r}: expected SCENE/ROLE")
    return {"scene_id": scene, "role_id": role}


@warroom_app.command("create")
def create(
    incident: str = typer.Argument(..., help="The incident's number"),
    name: str = typer.Option(..., "--name"),
    admin: str = typer.Option(..., "--admin", help="The war room's admin (a user id)"),
    participants: Annotated[list[str] | None, typer.Option("--participant", help="A user id; repeat for more")] = None,
    oncall: Annotated[list[str] | None, typer.Option("--oncall", help="SCENE/ROLE whose on-call person joins")] = None,
    description: str = typer.Option("", "--description"),
    regions: Annotated[list[str] | None, typer.Option("--region")] = None,
    apps: Annotated[list[str] | None, typer.Option("--app", help="An impacted application's id")] = None,
) -> None:
    """Open a war room for an incident; prints its number."""
    body = {
        "war_room_name": name, "description": description, "region_code_list": regions or [],
        "application_id_list": apps or [], "incident_number": incident,
        "schedule_group": [_pair(p) for p in oncall or []], "participant": participants or [],
        "war_room_admin": admin, "enterprise_project_id": "0",
    }  # fmt: skip
    console.print(_call("POST", "/v1/external/warrooms", body))


@warroom_app.command("list")
def list_(
    status: Annotated[list[str] | None, typer.Option("--status", help="open, recovered or closed; repeatable")] = None,
    incident: str = typer.Option(None, "--incident"),
    limit: int = typer.Option(50, "--limit", min=1, max=1000),
    json_out: bool = _JSON,
) -> None:
    """The tenant's war rooms, newest first, with the running/closed counts."""
    body: dict[str, Any] = {"limit": limit, "offset": 0, "status": [_STATUS_IDS.get(s, s) for s in status or []]}
    if incident:
        body["incident_num"] = incident
    data = _call("POST", "/v1/external/warrooms/list", body)
    if json_out:
        emit_json(data)
        return
    title = f"{data['total_num']} war rooms ({data['running_num']} running, {data['closed_num']} closed)"
    table = Table("war room", "name", "incident", "level", "status", "opened", title=title)
    for row in data["list"]:
        table.add_row(
            row["war_room_num"], escape(row["title"]), row["incident"]["incident_id"], row["circular_level"],
            row["war_room_status"]["name_en"], _when(row["create_time"]),
        )  # fmt: skip
    console.print(table)


@warroom_app.command("show")
def show(war_room: str = typer.Argument(...), json_out: bool = _JSON) -> None:
    """One war room: its members and timeline."""
    data = _call("GET", f"{OWN}/{war_room}")
    if json_out:
        emit_json(data)
        return
    console.print(escape(f"{data['war_room_num']} {data['name']} ({data['status']}) incident {data['incident_num']}"))
    members = Table("member", "joined as", title="members")
    for m in data["members"]:
        how = f"{m['joined_as']} {m['scene']}/{m['role']}" if m["scene"] else m["joined_as"]
        members.add_row(escape(m["user_id"]), escape(how))
    console.print(members)
    timeline = Table("at", "kind", "author", "text", title="timeline")
    for e in data["timeline"]:
        timeline.add_row(_when(e["created"]), e["kind"], escape(e["author"]), escape(e["text"]))
    console.print(timeline)


@warroom_app.command("post")
def post(
    war_room: str = typer.Argument(...),
    text: str = typer.Argument(...),
    kind: str = typer.Option("note", "--kind", help="status, decision or note"),
) -> None:
    """Post a status update, decision or note to the timeline."""
    entry = _call("POST", f"{OWN}/{war_room}/timeline", {"kind": kind, "text": text})
    console.print(f"posted {entry['kind']} #{entry['id']}")


@warroom_app.command("status")
def status(
    war_room: str = typer.Argument(...), new_status: str = typer.Argument(..., help="recovered or closed")
) -> None:
    """Move the war room: open -> recovered -> closed."""
    data = _call("POST", f"{OWN}/{war_room}/status", {"status": new_status})
    console.print(f"{data['war_room_num']} is {data['status']}")


@warroom_app.command("settings")
def settings(
    auto_p1: Annotated[
        bool | None,
        typer.Option("--auto-p1/--no-auto-p1", help="Open a war room for every new level_10 (P1) incident (admins)"),
    ] = None,
    json_out: bool = _JSON,
) -> None:
    """Show the tenant's war-room settings, or change them (admins)."""
    if auto_p1 is None:
        data = _call("GET", f"{OWN}/settings")
    else:
        data = _call("PUT", f"{OWN}/settings", {"auto_level_10": auto_p1})
    if json_out:
        emit_json(data)
        return
    state = "on" if data["auto_level_10"] else "off"
    by = f" (set by {escape(data['modified_by'])} {_when(data['modified'])})" if data["modified_by"] else ""
    console.print(f"automatic war room for level_10 (P1) incidents: {state}{by}")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.add_typer(warroom_app, name="warroom")
