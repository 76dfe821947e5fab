"""The live view of `opencoc script run`: an order's progress, redrawn with Rich until it ends."""

import time
from typing import Any

from rich.console import Group
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from opencoc.client.api import CocApi
from opencoc.core.cli_support import console
from opencoc.jobs import statuses as st

ORDERS = "/v1/job/script/orders"
_STYLE = {st.FINISHED: "green", st.ABNORMAL: "red", st.CANCELED: "yellow", st.PROCESSING: "cyan", st.PAUSED: "magenta"}
# The instance statuses in the order of a run: waiting, running, and how they ended.
_SUMMARY = (st.READY, st.PROCESSING, st.FINISHED, st.ABNORMAL, st.CANCELED)


def _view(info: dict[str, Any], stats: dict[str, Any], current: dict[str, Any], total_batches: int) -> Group:
    status = info["status"]
    counts = {s["instance_status"]: s["instance_count"] for s in stats["execute_statistics"]}
    total = stats["total_instance"]
    ended = sum(counts.get(s, 0) for s in st.INSTANCE_ENDED)
    index = info["properties"]["current_execute_batch_index"]
    head = Text.assemble(
        (f"{info['execute_uuid']}  ", "bold"),
        (status, _STYLE.get(status, "")),
        f"  batch {index}/{total_batches}  {ended}/{total} done  {info['execute_costs'] / 1000:.1f} s",
    )
    summary = "  ".join(f"{s}: {counts.get(s, 0)}" for s in _SUMMARY)
    table = Table("host", "resource_id", "status", "last line", title=f"batch {current['batch_index']}")
    for inst in current["execute_instances"]:
        target = inst["target_instance"]
        lines = (inst.get("message") or "").strip().splitlines()
        inst_status = inst["status"]
        table.add_row(
            target["properties"]["host_name"] or "",
            target["resource_id"],
            Text(inst_status, _STYLE.get(inst_status, "")),
            lines[-1][:60] if lines else "",
        )
    parts: list[Any] = [head, ProgressBar(total=max(total, 1), completed=ended, width=60), summary, table]
    if info["properties"].get("reason") and status == st.PAUSED:
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
        while info["status"] not in st.ORDER_ENDED:
            time.sleep(interval)
            info, view = snapshot()
            live.update(view)
    return str(info["status"])
