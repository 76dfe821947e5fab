"""`opencoc notify channel|target|outbox ...`: notifications through the signed API."""

from typing import Any

import typer
from rich.table import Table

from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json

PREFIX = "/opencoc/v1/notifications"
notify_app = typer.Typer(help="Notification channels, your own targets, and the delivery outbox.", no_args_is_help=True)
channel_app = typer.Typer(help="The tenant's channels (named Apprise URLs).", no_args_is_help=True)
target_app = typer.Typer(help="Your own targets: Apprise URLs, or mailto:you@example.com.", no_args_is_help=True)
notify_app.add_typer(channel_app, name="channel")
notify_app.add_typer(target_app, name="target")
_JSON = typer.Option(False, "--json", help="Print JSON.")


def _table(rows: list[dict[str, Any]], columns: tuple[str, ...], json_out: bool) -> None:
    if json_out:
        emit_json(rows)
        return
    table = Table(*columns)
    for row in rows:
        table.add_row(*("" if row.get(c) is None else str(row[c]) for c in columns))
    console.print(table)


def _call(method: str, path: str, body: Any = None) -> Any:
    with api_errors():
        return api().request(method, PREFIX + path, json=body)["data"]


@channel_app.command("add")
def channel_add(
    name: str = typer.Argument(..., help="e.g. EMAIL (script review uses the protocol's name), ops-slack"),
    url: str = typer.Argument(
        ..., help="An Apprise URL, e.g. 'mailtos://user:pass@smtp.example.com?from=coc@example.com'"
    ),
    json_out: bool = _JSON,
) -> None:
    """Add a channel to your tenant (its URL is stored encrypted and shown masked)."""
    data = _call("POST", "/channels", {"name": name, "url": url})
    emit_json(data) if json_out else console.print(f"channel {data['id']} {data['name']}: {data['url']}")


@channel_app.command("list")
def channel_list(json_out: bool = _JSON) -> None:
    """Your tenant's channels, URLs masked."""
    _table(_call("GET", "/channels"), ("id", "name", "scheme", "url"), json_out)


@channel_app.command("delete")
def channel_delete(channel_id: int) -> None:
    """Remove a channel (its pending deliveries fail)."""
    _call("DELETE", f"/channels/{channel_id}")
    console.print(f"channel {channel_id} deleted")


@channel_app.command("test")
def channel_test(channel_id: int, json_out: bool = _JSON) -> None:
    """Send a test notice through a channel now; exits 1 when it is not delivered."""
    data = _call("POST", f"/channels/{channel_id}/test")
    if json_out:
        emit_json(data)
    else:
        console.print("delivered" if data["delivered"] else f"not delivered: {data['error']}")
    if not data["delivered"]:
        raise typer.Exit(1)


@target_app.command("add")
def target_add(
    url: str = typer.Argument(..., help="e.g. mailto:me@example.com, or an Apprise URL"), json_out: bool = _JSON
) -> None:
    """Add one of your own targets."""
    data = _call("POST", "/targets", {"url": url})
    emit_json(data) if json_out else console.print(f"target {data['id']} ({data['kind']}): {data['url']}")


@target_app.command("list")
def target_list(json_out: bool = _JSON) -> None:
    """Your own targets, URLs masked."""
    _table(_call("GET", "/targets"), ("id", "kind", "scheme", "url"), json_out)


@target_app.command("delete")
def target_delete(target_id: int) -> None:
    """Remove one of your own targets."""
    _call("DELETE", f"/targets/{target_id}")
    console.print(f"target {target_id} deleted")


@notify_app.command("outbox")
def outbox(
    status: str = typer.Option(None, "--status", help="PENDING, SENT or FAILED"),
    limit: int = typer.Option(50, "--limit"),
    json_out: bool = _JSON,
) -> None:
    """Your tenant's recent deliveries: status, attempts, last error."""
    with api_errors():
        rows = api().get(f"{PREFIX}/outbox", status=status, limit=limit)["data"]
    _table(rows, ("id", "event", "destination", "status", "attempts", "last_error"), json_out)


def register(app: typer.Typer, admin: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
