"""`opencoc incident tasks|action`: the v2 workflow from the shell."""

from typing import Any

import typer
from rich.table import Table

from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json

JSON_OUT = typer.Option(False, "--json", help="Print the API's JSON instead of a summary.")
PARAM = typer.Option(None, "--param", "-p", help="A param as key=value (repeatable), e.g. -p note='on it'.")
TASK_ID = typer.Option(None, "--task-id", help="The task to act on; by default the incident's open task.")


def _tasks(num: str) -> list[dict[str, Any]]:
    return list(api().get(f"/v2/incidents/{num}/tasks")["data"])


def _params(pairs: list[str] | None) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{pair!r}: write each param as key=value", param_hint="--param")
        params[key] = value
    return params


def tasks(num: str, json_out: bool = JSON_OUT) -> None:
    """The incident's workflow: where it is, and the actions valid now."""
    with api_errors():
        data = _tasks(num)
    if json_out:
        emit_json(data)
        return
    table = Table("node", "state", "actions now")
    for node in data:
        table.add_row(node["key"], node["state"], ", ".join(op["key"] for op in node["operations"]))
    console.print(table)
    open_ops = data[0]["operations"] if data else []
    if open_ops:
        console.print(f"open task: {open_ops[0]['task_id']}")


def action(
    num: str,
    action_key: str = typer.Argument(..., metavar="ACTION", help="accepted, addRemark, incidentPause, ..."),
    param: list[str] = PARAM,
    task_id: str = TASK_ID,
    json_out: bool = JSON_OUT,
) -> None:
    """Do one action of the incident's open task (params as the API takes them, strings)."""
    params = _params(param)
    with api_errors():
        client = api()
        if task_id is None:
            ops = _tasks(num)[0]["operations"]
            task_id = ops[0]["task_id"] if ops else "none"
        client.post(f"/v2/incidents/{num}/actions", {"task_id": task_id, "action": action_key, "params": params})
        now = _tasks(num)[0]
    if json_out:
        emit_json(now)
    else:
        console.print(f"{num}: {now['key']} ({', '.join(op['key'] for op in now['operations']) or 'done'})")


def register(incident_app: typer.Typer) -> None:
    incident_app.command("tasks")(tasks)
    incident_app.command("action")(action)
