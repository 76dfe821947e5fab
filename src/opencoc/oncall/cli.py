"""`opencoc oncall now|schedule|scene|role|override ...`: on-call schedules through the signed API."""

from datetime import UTC, datetime
from typing import Any

import typer
from rich.table import Table

from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json

PREFIX = "/opencoc/v1/oncall"
oncall_app = typer.Typer(help="On-call scenes, roles, rotations and overrides; who is on call.", no_args_is_help=True)
schedule_app = typer.Typer(help="A scene's schedule.", no_args_is_help=True)
scene_app = typer.Typer(help="Scenes (admins edit them).", no_args_is_help=True)
role_app = typer.Typer(help="Roles of a scene, with their escalation level and rotation.", no_args_is_help=True)
override_app = typer.Typer(help="One-off overrides of a role's rotation.", no_args_is_help=True)
oncall_app.add_typer(schedule_app, name="schedule")
oncall_app.add_typer(scene_app, name="scene")
oncall_app.add_typer(role_app, name="role")
oncall_app.add_typer(override_app, name="override")
_JSON = typer.Option(False, "--json", help="Print JSON.")


def _call(method: str, path: str, body: Any = None, params: Any = None) -> Any:
    with api_errors():
        return api().request(method, PREFIX + path, json=body, params=params)["data"]


def _when(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _ms(text: str) -> int:
    """An ISO date-time (UTC unless it names an offset) or milliseconds, as milliseconds."""
    if text.isdigit():
        return int(text)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is neither an ISO date-time nor milliseconds") from None
    return int((parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).timestamp() * 1000)


def _person(row: dict[str, Any]) -> str:
    if not row.get("user_id"):
        return "(nobody)"
    return f"{row['user_name']} ({row['user_id']})" if row.get("user_name") else str(row["user_id"])


@oncall_app.command("now")
def now(scene: str = typer.Option(None, "--scene", help="Only this scene"), json_out: bool = _JSON) -> None:
    """Who is on call now, per scene and role."""
    rows = _call("GET", "/now", params={"scene": scene} if scene else None)
    if json_out:
        emit_json(rows)
        return
    table = Table("scene", "role", "level", "on call")
    for row in rows:
        table.add_row(row["scene"], row["role"], str(row["level"]), _person(row))
    console.print(table)


@schedule_app.command("show")
def schedule_show(
    scene: str = typer.Argument(...),
    days: int = typer.Option(14, "--days", min=1, max=62),
    json_out: bool = _JSON,
) -> None:
    """The scene's shifts per role for the next 14 days (or --days), overrides marked."""
    data = _call("GET", "/schedule", params={"scene": scene, "days": days})
    if json_out:
        emit_json(data)
        return
    table = Table("role", "level", "from", "until", "on call", title=f"{data['scene']}: next {days} days")
    for role in data["roles"]:
        for shift in role["shifts"] or [{"start_ms": data["start_ms"], "end_ms": data["end_ms"]}]:
            who = _person(shift) + (" [override]" if shift.get("override") else "")
            table.add_row(role["role"], str(role["level"]), _when(shift["start_ms"]), _when(shift["end_ms"]), who)
    console.print(table)


@scene_app.command("add")
def scene_add(
    name: str,
    escalation_delay: int = typer.Option(None, "--escalation-delay", help="Seconds before a P1/P2 goes up a level"),
    channel: str = typer.Option("EMAIL", "--channel", help="The notification channel notices go through"),
    json_out: bool = _JSON,
) -> None:
    """Add a scene."""
    data = _call("POST", "/scenes", {"name": name, "escalation_delay_seconds": escalation_delay, "channel": channel})
    emit_json(data) if json_out else console.print(f"scene {data['name']} added")


@scene_app.command("list")
def scene_list(json_out: bool = _JSON) -> None:
    """The tenant's scenes and their roles."""
    rows = _call("GET", "/scenes")
    if json_out:
        emit_json(rows)
        return
    table = Table("scene", "escalation delay (s)", "channel", "roles")
    for row in rows:
        roles = ", ".join(f"{r['level']}:{r['name']}" for r in row["roles"])
        table.add_row(row["name"], str(row["escalation_delay_seconds"] or "-"), row["channel"], roles)
    console.print(table)


@scene_app.command("delete")
def scene_delete(name: str) -> None:
    """Remove a scene with its roles and overrides."""
    _call("DELETE", f"/scenes/{name}")
    console.print(f"scene {name} deleted")


@role_app.command("set")
def role_set(
    scene: str,
    role: str,
    level: int = typer.Option(..., "--level", help="1 primary, 2 secondary, 3 commander ..."),
    kind: str = typer.Option("weekly", "--rotation", help="daily or weekly"),
    users: str = typer.Option("", "--users", help="Comma-separated user ids, in hand-off order"),
    handoff: str = typer.Option("09:00", "--handoff", help="Local time of the hand-off, HH:MM"),
    zone: str = typer.Option("UTC", "--zone", help="IANA time zone of the hand-off"),
    start: str = typer.Option(None, "--start", help="Date of the first hand-off (YYYY-MM-DD; today)"),
    json_out: bool = _JSON,
) -> None:
    """Create or replace a role with a daily or weekly rotation."""
    rotation = {
        "kind": kind, "users": [u.strip() for u in users.split(",") if u.strip()], "handoff_time": handoff,
        "time_zone": zone, "start_date": start or datetime.now(UTC).date().isoformat(),
    }  # fmt: skip
    data = _call("PUT", f"/scenes/{scene}/roles/{role}", {"level": level, "rotation": rotation})
    emit_json(data) if json_out else console.print(f"role {role} of scene {scene} set at level {level}")


@role_app.command("delete")
def role_delete(scene: str, role: str) -> None:
    """Remove a role with its overrides."""
    _call("DELETE", f"/scenes/{scene}/roles/{role}")
    console.print(f"role {role} of scene {scene} deleted")


@override_app.command("add")
def override_add(
    scene: str,
    role: str,
    user: str = typer.Option(..., "--user"),
    start: str = typer.Option(..., "--start", help="ISO date-time (UTC unless it has an offset) or ms"),
    end: str = typer.Option(..., "--end"),
    json_out: bool = _JSON,
) -> None:
    """Put a user on call for a role from --start until --end."""
    data = _call(
        "POST", f"/scenes/{scene}/roles/{role}/overrides", {"user_id": user, "start_ms": _ms(start), "end_ms": _ms(end)}
    )
    emit_json(data) if json_out else console.print(f"override {data['id']}: {user} on call for {scene}/{role}")


@override_app.command("delete")
def override_delete(override_id: int) -> None:
    """Remove an override."""
    _call("DELETE", f"/overrides/{override_id}")
    console.print(f"override {override_id} deleted")


@oncall_app.command("escalations")
def escalations(status: str = typer.Option(None, "--status"), json_out: bool = _JSON) -> None:
    """Incidents' notices and escalations, newest first, with their last problem."""
    rows = _call("GET", "/escalations", params={"status": status} if status else None)
    if json_out:
        emit_json(rows)
        return
    table = Table("incident", "scene", "next level", "steps", "status", "next at", "problem")
    for row in rows:
        table.add_row(
            row["incident_num"], row["scene"] or "-", str(row["level"]), str(row["steps"]), row["status"],
            _when(row["next_at"]), row["last_error"] or "",
        )  # fmt: skip
    console.print(table)


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.add_typer(oncall_app, name="oncall")
