"""`opencoc approval list|show|approve|reject`: the approvals API from the shell."""

import time
from typing import Any

import typer
from rich.table import Table

from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json

BASE = "/opencoc/v1/approvals"

approval_app = typer.Typer(help="Approval requests waiting for you: list, show, approve, reject.", no_args_is_help=True)
JSON_OUT = typer.Option(False, "--json", help="Print the API's JSON instead of a summary.")
COMMENT = typer.Option(None, "--comment", help="Why (kept in the request's history).")


def _ms(value: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(value / 1000))


def _subject(data: dict[str, Any]) -> str:
    s = data["subject"]
    return f"{s['kind']} {s['id']}" + (f" v{s['version']}" if s.get("version") else "")


def _print(data: dict[str, Any]) -> None:
    table = Table(show_header=False, box=None)
    for name, value in (
        ("approval_id", data["approval_id"]),
        ("title", data["title"]),
        ("subject", _subject(data)),
        ("status", data["status"]),
        ("approvals", f"{data['approved_count']} of {data['required']} needed"),
        ("requested by", f"{data['requester_name']} at {_ms(data['gmt_created'])}"),
        ("approvers", ", ".join(a["user_name"] or a["user_id"] for a in data["approvers"])),
    ):
        table.add_row(name, str(value))
    console.print(table)
    for d in data["decisions"]:
        console.print(f"  {_ms(d['gmt_created'])}  {d['approver_name']}: {d['verdict']}  {d['comment'] or ''}")


@approval_app.command("list")
def list_pending(
    limit: int = typer.Option(50, "--limit", min=1, max=100),
    marker: str = typer.Option(None, "--marker", help="The last approval_id of the previous page."),
    json_out: bool = JSON_OUT,
) -> None:
    """The pending requests you may decide, oldest first."""
    with api_errors():
        data = api().get(BASE, limit=limit, marker=marker)["data"]
    if json_out:
        emit_json(data)
        return
    table = Table("approval_id", "subject", "title", "requested by", "approvals")
    for a in data["approvals"]:
        table.add_row(
            a["approval_id"], _subject(a), a["title"], a["requester_name"], f"{a['approved_count']}/{a['required']}"
        )
    console.print(table)
    if data["next_marker"]:
        console.print(f"more: --marker {data['next_marker']}")


@approval_app.command("show")
def show(approval_id: str, json_out: bool = JSON_OUT) -> None:
    """A request with its approvers and history."""
    with api_errors():
        data = api().get(f"{BASE}/{approval_id}")["data"]
    if json_out:
        emit_json(data)
    else:
        _print(data)


def _decide(approval_id: str, verdict: str, comment: str | None, json_out: bool) -> None:
    with api_errors():
        data = api().post(f"{BASE}/{approval_id}/{verdict}", {"comment": comment})["data"]
    if json_out:
        emit_json(data)
    else:
        console.print(f"approval {approval_id}: {data['status']}")


@approval_app.command("approve")
def approve(approval_id: str, comment: str = COMMENT, json_out: bool = JSON_OUT) -> None:
    """Approve a request you are an approver of."""
    _decide(approval_id, "approve", comment, json_out)


@approval_app.command("reject")
def reject(approval_id: str, comment: str = COMMENT, json_out: bool = JSON_OUT) -> None:
    """Reject a request you are an approver of."""
    _decide(approval_id, "reject", comment, json_out)


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.add_typer(approval_app, name="approval")
