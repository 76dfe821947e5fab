"""`opencoc script run`: resolve a script and hosts by name, execute, and watch the order live."""

import time
from typing import Any

from rich.console import Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from opencoc.client.api import CocApi
from opencoc.core.cli_support import console, fail
from opencoc.jobs.schemas import MAX_BATCH_HOSTS, MAX_BATCHES

ORDERS = "/v1/job/script/orders"
ENDED = ("FINISHED", "ABNORMAL", "CANCELED")
_STYLE = {"FINISHED": "green", "ABNORMAL": "red", "CANCELED": "yellow", "PROCESSING": "cyan", "PAUSED": "magenta"}


def find_script(client: CocApi, name: str) -> str:
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


def find_hosts(client: CocApi, names: list[str]) -> list[dict[str, str]]:
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


def batches(targets: list[dict[str, str]], batch_size: int, pause: bool) -> list[dict[str, Any]]:
    """The targets in batches of `batch_size`, in the order given."""
    groups = [targets[i : i + batch_size] for i in range(0, len(targets), batch_size)]
    if len(groups) > MAX_BATCHES:
        fail(f"{len(targets)} hosts in batches of {batch_size} make {len(groups)} batches; at most {MAX_BATCHES}")
    strategy = "PAUSE" if pause else "CONTINUE"
    return [
        {"batch_index": i, "rotation_strategy": strategy, "target_instances": group}
        for i, group in enumerate(groups, start=1)
    ]


def check_batch_size(batch_size: int) -> None:
    if not 1 <= batch_size <= MAX_BATCH_HOSTS:
        fail(f"--batch-size must be between 1 and {MAX_BATCH_HOSTS}")


def _view(info: dict[str, Any], stats: dict[str, Any], current: dict[str, Any], total_batches: int) -> Group:
    status = info["status"]
    counts = {s["instance_status"]: s["instance_count"] for s in stats["execute_statistics"]}
    total = stats["total_instance"]
    ended = sum(counts.get(s, 0) for s in ENDED)
    index = info["properties"]["current_execute_batch_index"]
    head = Text.assemble(
        (f"{info['execute_uuid']}  ", "bold"),
        (status, _STYLE.get(status, "")),
        f"  batch {index}/{total_batches}  {ended}/{total} done  {info['execute_costs'] / 1000:.1f} s",
    )
    summary = "  ".join(f"{s}: {counts.get(s, 0)}" for s in ("READY", "PROCESSING", "FINISHED", "ABNORMAL", "CANCELED"))
    table = Table("host", "resource_id", "status", "last line", title=f"batch {current['batch_index']}")
    for inst in current["execute_instances"]:
        target = inst["target_instance"]
        lines = (inst.get("message") or "").strip().splitlines()
        st = inst["status"]
        table.add_row(
            target["properties"]["host_name"] or "",
            target["resource_id"],
            Text(st, _STYLE.get(st, "")),
            lines[-1][:60] if lines else "",
        )
    parts: list[Any] = [head, ProgressBar(total=max(total, 1), completed=ended, width=60), summary, table]
    if info["properties"].get("reason") and status == "PAUSED":
        parts.append(Text(f"paused: {info['properties']['reason']} (opencoc order continue {info['execute_uuid']})"))
    return Group(*parts)


def watch(client: CocApi, execute_uuid: str, total_batches: int, interval: float = 0.5) -> str:
    """Show the order live until it ends; its final status."""

    def snapshot() -> tuple[dict[str, Any], Group]:
        info = client.get(f"{ORDERS}/{execute_uuid}")["data"]
        stats = client.get(f"{ORDERS}/{execute_uuid}/statistics")["data"]
        index = info["properties"]["current_execute_batch_index"]
        current = client.get(f"{ORDERS}/{execute_uuid}/batches/{index}", limit=10)["data"]
        return info, _view(info, stats, current, total_batches)

    info, view = snapshot()
    with Live(view, console=console, refresh_per_second=4) as live:
        while info["status"] not in ENDED:
            time.sleep(interval)
            info, view = snapshot()
            live.update(view)
    return str(info["status"])
