"""`opencoc script run ...` and `opencoc order list|show|logs|pause|continue|cancel|skip|retry` (signed API).

`run` resolves a script and hosts by name, executes, and shows the order live (live_view.py).
"""

from typing import Any

import typer
from rich.table import Table

from opencoc.client.api import CocApi
from opencoc.client.cli import api, api_errors
from opencoc.core.cli_support import console, emit_json, fail
from opencoc.jobs import statuses as st
from opencoc.jobs.live_view import ORDERS, watch
from opencoc.jobs.schemas import MAX_BATCH_HOSTS, MAX_BATCHES

order_app = typer.Typer(help="Script orders: list, show, logs, and operate them.", no_args_is_help=True)
_JSON = typer.Option(False, "--json", help="Print JSON.")
_PARAM = typer.Option(None, "--param", help="NAME=VALUE, repeatable.")


def _operate(execute_uuid: str, operation_type: str, **body: Any) -> None:
    with api_errors():
        api().put(f"{ORDERS}/{execute_uuid}/operation", {"operation_type": operation_type, **body})
    console.print(f"{operation_type} {execute_uuid}: done")


@order_app.command("list")
def list_(
    status: str = typer.Option(None, "--status", help="PROCESSING, PAUSED, FINISHED, ABNORMAL or CANCELED."),
    creator: str = typer.Option(None, "--creator"),
    limit: int = typer.Option(20, "--limit", min=1, max=100),
    marker: int = typer.Option(None, "--marker", help="The order_id of the last order of the previous page."),
    json_out: bool = _JSON,
) -> None:
    """List the tenant's script orders, newest first."""
    with api_errors():
        page = api().get(ORDERS, limit=limit, marker=marker, status=status, creator=creator)["data"]
    if json_out:
        emit_json(page)
        return
    table = Table("order_id", "execute_uuid", "script", "status", "creator", "costs (s)")
    for o in page["data"]:
        costs = f"{o['execute_costs'] / 1000:.1f}"
        table.add_row(str(o["order_id"]), o["execute_uuid"], o["order_name"], o["status"], o["creator"], costs)
    console.print(table)
    console.print(f"{len(page['data'])} of {page['total']}")


@order_app.command("show")
def show(execute_uuid: str, json_out: bool = _JSON) -> None:
    """An order's status, parameters, batches and instance statistics."""
    with api_errors():
        client = api()
        info = client.get(f"{ORDERS}/{execute_uuid}")["data"]
        batches = client.get(f"{ORDERS}/{execute_uuid}/batches")["data"]
        stats = client.get(f"{ORDERS}/{execute_uuid}/statistics")["data"]
    if json_out:
        emit_json({"order": info, "batches": batches, "statistics": stats})
        return
    props = info["properties"]
    console.print(f"[bold]{info['execute_uuid']}[/bold]  {info['status']}  script {props['script_name']}")
    console.print(f"batch {props['current_execute_batch_index']}/{len(batches)}  by {info['creator']}")
    if props.get("reason"):
        console.print(f"reason: {props['reason']}")
    table = Table("batch", "hosts", "rotation", "state")
    for b in batches:
        table.add_row(str(b["batch_index"]), str(b["total_instances"]), b["rotation_strategy"], b["properties"])
    console.print(table)
    for s in stats["execute_statistics"]:
        if s["instance_count"]:
            console.print(f"{s['instance_status']}: {s['instance_count']} (batches {s['batch_indexes']})")


@order_app.command("logs")
def logs(
    execute_uuid: str,
    batch: int = typer.Option(None, "--batch", help="Only this batch."),
    status: str = typer.Option(None, "--status", help="Only instances in this status."),
) -> None:
    """Print each instance's output (and why it failed)."""
    with api_errors():
        client = api()
        listed = [] if batch else client.get(f"{ORDERS}/{execute_uuid}/batches")["data"]
        indexes = [batch] if batch else [b["batch_index"] for b in listed]
        for index in indexes:
            marker = None
            while True:
                page = client.get(f"{ORDERS}/{execute_uuid}/batches/{index}", limit=50, marker=marker, status=status)[
                    "data"
                ]["execute_instances"]
                for inst in page:
                    target = inst["target_instance"]
                    host = target["properties"]["host_name"] or target["resource_id"]
                    console.rule(f"batch {index} · {host} · instance {inst['id']} · {inst['status']}")
                    console.out(inst["message"] or "", highlight=False)
                if len(page) < 50:
                    break
                marker = page[-1]["id"]


@order_app.command("pause")
def pause(execute_uuid: str) -> None:
    """Pause: running instances finish, no new batch starts."""
    _operate(execute_uuid, "PAUSE_ORDER")


@order_app.command("continue")
def continue_(execute_uuid: str) -> None:
    """Continue a paused order."""
    _operate(execute_uuid, "CONTINUE_ORDER")


@order_app.command("cancel")
def cancel(execute_uuid: str, instance: int = typer.Option(None, "--instance", help="Only this instance.")) -> None:
    """Cancel the order (or one instance); running scripts are killed on their hosts."""
    if instance is None:
        _operate(execute_uuid, "CANCEL_ORDER")
    else:
        _operate(execute_uuid, "CANCEL_INSTANCE", instance_id=instance)


@order_app.command("skip")
def skip(execute_uuid: str, batch: int = typer.Option(..., "--batch")) -> None:
    """Skip a batch that has not finished."""
    _operate(execute_uuid, "SKIP_BATCH", batch_index=batch)


@order_app.command("retry")
def retry(execute_uuid: str, instance: int = typer.Option(..., "--instance")) -> None:
    """Run an ABNORMAL or CANCELED instance again."""
    _operate(execute_uuid, "RETRY_INSTANCE", instance_id=instance)


def _pairs(values: list[str] | None) -> list[dict[str, str]]:
    out = []
    for text in values or []:
        if "=" not in text:
            fail(f"--param must look like NAME=VALUE, got {text!r}")
        name, value = text.split("=", 1)
        out.append({"param_name": name, "param_value": value})
    return out


def _find_script(client: CocApi, name: str) -> str:
    """The script_uuid of the script named (or identified by) `name`."""
    page = client.get("/v1/job/scripts", limit=100, name_like=name[:32])["data"]
    for script in page["data"]:
        if name in (script["name"], script["script_uuid"]):
            return str(script["script_uuid"])
    fail(f"no script named {name}")


def _inventory(client: CocApi) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    marker = None
    while True:
        page = client.get("/v1/resources", provider="ecs", type="cloudservers", limit=100, marker=marker)["data"]
        items += page
        if len(page) < 100:
            return items
        marker = page[-1]["id"]


def _find_hosts(client: CocApi, names: list[str]) -> list[dict[str, str]]:
    """Targets for host names, resource ids or agent serial numbers (hosts with an agent only)."""
    by_key: dict[str, dict[str, Any]] = {}
    for item in _inventory(client):
        if not item.get("agent_id"):
            continue
        host_name = (item.get("properties") or {}).get("host_name")
        for key in (item["name"], item["resource_id"], item["agent_id"], host_name, item.get("inner_ip")):
            if key:
                by_key.setdefault(str(key), item)
    targets = []
    for name in names:
        found = by_key.get(name)
        if found is None:
            fail(f"no enrolled host named {name} (see GET /v1/resources)")
        targets.append({"resource_id": found["resource_id"], "agent_sn": found["agent_id"]})
    return targets


def _batches(targets: list[dict[str, str]], batch_size: int, pause: bool) -> list[dict[str, Any]]:
    """The targets in batches of `batch_size`, in the order given."""
    groups = [targets[i : i + batch_size] for i in range(0, len(targets), batch_size)]
    if len(groups) > MAX_BATCHES:
        fail(f"{len(targets)} hosts in batches of {batch_size} make {len(groups)} batches; at most {MAX_BATCHES}")
    strategy = "PAUSE" if pause else "CONTINUE"
    return [
        {"batch_index": i, "rotation_strategy": strategy, "target_instances": group}
        for i, group in enumerate(groups, start=1)
    ]


def _check_batch_size(batch_size: int) -> None:
    if not 1 <= batch_size <= MAX_BATCH_HOSTS:
        fail(f"--batch-size must be between 1 and {MAX_BATCH_HOSTS}")


def run(
    name: str = typer.Argument(..., help="The script's name (or script_uuid)."),
    hosts: str = typer.Option(..., "--hosts", help="Comma-separated host names, resource ids or agent ids."),
    batch_size: int = typer.Option(10, "--batch-size", help="Hosts per batch (1..10)."),
    param: list[str] = _PARAM,
    success_rate: float = typer.Option(100.0, "--success-rate", help="Pause when the success rate falls below."),
    pause_between_batches: bool = typer.Option(False, "--pause-between-batches", help="Pause after each batch."),
    timeout: int = typer.Option(300, "--timeout", help="Seconds per host (5..1800)."),
    user: str = typer.Option("root", "--user", help="The user the script runs as."),
    detach: bool = typer.Option(False, "--detach", help="Print the execute_uuid and return."),
) -> None:
    """Run a script on hosts in batches, showing progress until the order ends."""
    _check_batch_size(batch_size)
    names = [h.strip() for h in hosts.split(",") if h.strip()]
    if not names:
        fail("--hosts names no host")
    with api_errors():
        client = api()
        script_uuid = _find_script(client, name)
        execute_batches = _batches(_find_hosts(client, names), batch_size, pause_between_batches)
        body = {
            "execute_param": {
                "resourceful": True,
                "timeout": timeout,
                "success_rate": success_rate,
                "execute_user": user,
                "script_params": _pairs(param),
            },
            "execute_batches": execute_batches,
        }
        execute_uuid = client.post(f"/v1/job/scripts/{script_uuid}", body)["data"]
        if detach:
            console.print(execute_uuid)
            return
        console.print(f"order {execute_uuid}: {len(names)} hosts in {len(execute_batches)} batches")
        final = watch(client, execute_uuid, len(execute_batches))
    if final != st.FINISHED:
        fail(f"order {execute_uuid} ended {final} (see: opencoc order logs {execute_uuid})")


def register(app: typer.Typer, admin: typer.Typer) -> None:
    """`opencoc order ...`; `run` joins the script commands in opencoc/cli.py (`opencoc script run`)."""
    app.add_typer(order_app, name="order")
