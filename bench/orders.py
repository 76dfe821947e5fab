"""Many orders at once: 50 concurrent orders of 200 hosts each over 1,000 simulated agents.

    .venv/bin/python bench/orders.py [--backend sqlite|postgres|all] [--orders 50] [--hosts 200]
                                     [--agents 1000] [--agent-processes 4]

For each backend: a real `opencoc serve` and --agents simulated agents over several processes
(`opencoc agent --simulate N`, each task a real `echo ok` subprocess). A warm-up order runs on
every host once (agents that have just started may still be backing off after the admission
control's 503). Then --orders orders of --hosts hosts each (batches of 10, CONTINUE) are started
together, while one signed user creates incidents (one call every 0.2 s; the same for 10 s before,
with the fleet idle, as the machine's baseline). Printed: how long until
every order ended, instances per second, whether every order ended FINISHED with every instance
FINISHED (from each order's statistics), incident create p50/p99 meanwhile, the server's CPU, each
simulator's CPU (a saturated one marks the run INVALID) and how busy the whole machine was.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.agents_idle import Fleet, machine_busy, machine_note, simulator_verdict, wait_all_online  # noqa: E402
from bench.fleet import cpu_seconds, create_script, resources, tenant_api  # noqa: E402
from bench.probe import Call, Probe  # noqa: E402
from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness import postgres  # noqa: E402
from harness.server import LiveServer  # noqa: E402

ORDERS = "/v1/job/script/orders"
INCIDENT = {
    "incident_level": "level_30",
    "is_service_interrupt": "false",
    "incident_type": "inc_type_p_function_issues",
    "incident_title": "bench incident beside many orders",
    "incident_description": "created by bench/orders.py",
    "incident_source": "incident_source_manual",
    "current_cloud_service": ["bench-app"],
    "incident_assignee": ["u-bench-oncall"],
    "creator": "u-bench-creator",
}


def execute(api: httpx.Client, script_uuid: str, hosts: list[dict[str, str]]) -> str:
    """Start an order of `hosts` in batches of 10 -> its execute_uuid."""
    body = {
        "execute_param": {"resourceful": True, "timeout": 300, "success_rate": 100, "execute_user": "root"},
        "execute_batches": [
            {"batch_index": i + 1, "rotation_strategy": "CONTINUE", "target_instances": hosts[i * 10 : i * 10 + 10]}
            for i in range(-(-len(hosts) // 10))
        ],
    }
    resp = api.post(f"/v1/job/scripts/{script_uuid}", json=body)
    resp.raise_for_status()
    return str(resp.json()["data"])


def wait_ended(api: httpx.Client, uuids: list[str], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    pending = set(uuids)
    while pending:
        if time.monotonic() > deadline:
            sys.exit(f"{len(pending)} orders still running after {timeout:.0f} s")
        time.sleep(0.5)
        pending = {u for u in pending if api.get(f"{ORDERS}/{u}").json()["data"]["status"] in ("PROCESSING", "READY")}


def verdict(api: httpx.Client, uuids: list[str], hosts: int) -> str:
    """Whether every order ended FINISHED with all its instances FINISHED, from its status and statistics."""
    wrong: list[str] = []
    for uuid in uuids:
        status = api.get(f"{ORDERS}/{uuid}").json()["data"]["status"]
        stats: dict[str, Any] = api.get(f"{ORDERS}/{uuid}/statistics").json()["data"]
        counts = {s["instance_status"]: s["instance_count"] for s in stats["execute_statistics"] if s["instance_count"]}
        if status != "FINISHED" or counts != {"FINISHED": hosts}:
            wrong.append(f"{uuid}: {status} {counts}")
    if not wrong:
        return f"every order FINISHED, every one of its {hosts} instances FINISHED"
    return f"** WRONG: {len(wrong)} orders: " + "; ".join(wrong[:5])


def run_backend(backend: str, opts: argparse.Namespace) -> None:
    work = Path(tempfile.mkdtemp(prefix="opencoc-bench-orders-"))
    pg = postgres.start() if backend == "postgres" else None
    url = pg.create_database("bench_orders") if pg else None
    server = LiveServer(work, url, extra_env={"OPENCOC_LOG_LEVEL": "warning"}).start(timeout=60)
    fleet: Fleet | None = None
    try:
        api = tenant_api(server, "bench")
        token = json.loads(server.cli("admin", "create-enroll-token", "--tenant", "bench", "--json").stdout)["token"]
        fleet = Fleet(server, token, work, opts.agents, opts.agent_processes)
        wait_all_online(api, fleet, opts.agents, 600)
        hosts = [{"resource_id": r["resource_id"], "agent_sn": r["agent_id"]} for r in resources(api)]
        script_uuid = create_script(api, "bench_echo", "echo ok", "many orders benchmark")
        per = opts.hosts
        warm = [execute(api, script_uuid, hosts[i : i + 200]) for i in range(0, len(hosts), 200)]
        wait_ended(api, warm, 600)
        # Order i takes `per` hosts from position 20 * i on (wrapping): each host serves several orders.
        targets = [[hosts[(20 * i + j) % len(hosts)] for j in range(per)] for i in range(opts.orders)]
        # The same calls with the fleet idle first: on a busy machine they show what the orders add.
        before = Probe(Call.through(api, "POST", "/v1/external/incident/create", json=INCIDENT))
        time.sleep(10)
        baseline = before.stop()
        assert server.proc is not None
        s0, f0, m0, t0 = cpu_seconds(server.proc.pid), fleet.cpu(), machine_busy(), time.monotonic()
        probe = Probe(Call.through(api, "POST", "/v1/external/incident/create", json=INCIDENT))
        with ThreadPoolExecutor(8) as pool:
            uuids = list(pool.map(lambda t: execute(api, script_uuid, t), targets))
        started = time.monotonic() - t0
        wait_ended(api, uuids, 1800)
        elapsed = time.monotonic() - t0
        s1, f1, m1 = cpu_seconds(server.proc.pid), fleet.cpu(), machine_busy()
        incident = probe.stop()
        total = opts.orders * per
        print(
            f"{backend}: {opts.orders} orders x {per} hosts (batches of 10) over {opts.agents} agents"
            f" in {opts.agent_processes} simulator processes"
        )
        print(
            f"  all ended {elapsed:.1f} s after the first execute ({started:.1f} s to start them all):"
            f" {total / elapsed:.0f} instances/s"
        )
        print(f"  {verdict(api, uuids, per)}")
        print(f"  incident create meanwhile: {incident}")
        print(f"  incident create before, the fleet idle: {baseline}")
        print(f"  server CPU {100 * (s1 - s0) / elapsed:.0f}% of a core; {machine_note(m0, m1)}")
        print(f"  {simulator_verdict(fleet, f0, f1, elapsed)}")
    finally:
        if fleet is not None:
            fleet.stop()
        server.stop()
        if pg:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--orders", type=int, default=50)
    parser.add_argument("--hosts", type=int, default=200, help="hosts per order (at most 200)")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--agent-processes", type=int, default=4)
    opts = parser.parse_args()
    for backend in ("sqlite", "postgres") if opts.backend == "all" else (opts.backend,):
        run_backend(backend, opts)


if __name__ == "__main__":
    exit_on_sigterm()
    main()
