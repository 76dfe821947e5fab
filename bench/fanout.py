"""Fan-out: `echo ok` on 200 hosts in 20 batches of 10, OpenCOC vs Ansible; then 1,000 idle agents.

    .venv/bin/python bench/fanout.py [--runs 3] [--idle-agents 1000] [--skip-ansible] [--agent-processes 1]
                                     [--backend sqlite|postgres]

Starts a real `opencoc serve` (SQLite in a temp dir, or a throwaway PostgreSQL) and
`opencoc agent --simulate 200` (200 enrolled identities, each running its scripts as real
subprocesses). Time is measured from the execute call to the moment a poll sees FINISHED; the
server's own gmt_created -> gmt_finished is printed beside it, and each batch as the hosts see it (the
agents log each task's start and end: bench/host_times.py). Ansible (ansible-core, the bench
extra) runs the same command on an inventory of 200 hosts (all ansible_connection=local) with
forks 10 and `serial: 10`. Finally 1,000 simulated agents long-poll an idle server while its CPU
and RSS are sampled from /proc for 10 s. Prints figures; asserts nothing.
"""

import argparse
import asyncio
import functools
import itertools
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fleet import (  # noqa: E402
    cpu_seconds,
    create_script,
    family_cpu_seconds,
    postmaster_pid,
    resources,
    rss_mb,
    start_agents,
    tenant_api,
    wait_online,
)
from bench.host_times import host_view  # noqa: E402
from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness import postgres  # noqa: E402
from harness.server import LiveServer  # noqa: E402

PY = sys.executable
ORDERS = "/v1/job/script/orders"


def targets(api: httpx.Client) -> list[dict[str, str]]:
    return [{"resource_id": r["resource_id"], "agent_sn": r["agent_id"]} for r in resources(api) if r["agent_id"]]


def dealt(hosts: list[dict[str, str]], root: Path, processes: int) -> list[dict[str, str]]:
    """The hosts ordered so that each batch's hosts are dealt over the simulator processes, as a batch's hosts
    are different machines in a real fleet (listed in enrolment order, a batch's 10 all sat in one process)."""
    process_of = {
        json.loads(path.read_text())["agent_sn"]: i
        for i in range(processes)
        for path in (root / f"fleet-{i}").glob("agent-*/identity.json")
    }
    by_process = [[h for h in hosts if process_of.get(h["agent_sn"]) == i] for i in range(processes)]
    return [h for row in itertools.zip_longest(*by_process) for h in row if h is not None]


def enroll_token(server: LiveServer) -> str:
    return str(json.loads(server.cli("admin", "create-enroll-token", "--tenant", "bench", "--json").stdout)["token"])


def stop(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the agent's process group; SIGKILL it if it is still there after 20 s."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def run_order(api: httpx.Client, script_uuid: str, hosts: list[dict[str, str]]) -> tuple[float, int]:
    """Seconds from the execute call to FINISHED as a client sees it, and the server's own ms."""
    body = {
        "execute_param": {"resourceful": True, "timeout": 60, "success_rate": 100, "execute_user": "root"},
        "execute_batches": [
            {"batch_index": i + 1, "rotation_strategy": "CONTINUE", "target_instances": hosts[i * 10 : i * 10 + 10]}
            for i in range(len(hosts) // 10)
        ],
    }
    started = time.perf_counter()
    resp = api.post(f"/v1/job/scripts/{script_uuid}", json=body)
    resp.raise_for_status()
    uuid = resp.json()["data"]
    while True:
        info = api.get(f"{ORDERS}/{uuid}").json()["data"]
        if info["status"] != "PROCESSING":
            break
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if info["status"] != "FINISHED":
        raise SystemExit(f"order {uuid} ended {info['status']}: {info['properties'].get('reason')}")
    return elapsed, int(info["gmt_finished"] - info["gmt_created"])


def script_floor_ms(batch: int = 10, runs: int = 5) -> float:
    """Median ms to run `echo ok` in `batch` concurrent /bin/sh processes from asyncio: the batch's own work."""

    async def one() -> None:
        proc = await asyncio.create_subprocess_exec(
            "/bin/sh", "-c", "echo ok", stdout=asyncio.subprocess.PIPE, start_new_session=True
        )
        await proc.communicate()

    async def timed() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(batch)))
        return (time.perf_counter() - started) * 1000

    return statistics.median(asyncio.run(timed()) for _ in range(runs))


def ansible(root: Path, hosts: int) -> float | None:
    playbook_bin = Path(PY).with_name("ansible-playbook")
    if not playbook_bin.exists() and not shutil.which("ansible-playbook"):
        print("ansible-playbook not found: pip install -e '.[bench]' (ansible-core)")
        return None
    inventory = root / "inventory.ini"
    lines = ["[all]"] + [f"host{i:03d} ansible_connection=local ansible_python_interpreter={PY}" for i in range(hosts)]
    inventory.write_text("\n".join(lines) + "\n")
    playbook = root / "echo.yml"
    playbook.write_text("- hosts: all\n  serial: 10\n  gather_facts: false\n  tasks:\n    - command: echo ok\n")
    env = dict(
        os.environ,
        ANSIBLE_HOST_KEY_CHECKING="False",
        ANSIBLE_LOCAL_TEMP=str(root / "ansible-tmp"),
        ANSIBLE_REMOTE_TEMP=str(root / "ansible-remote"),
    )
    cmd = [
        str(playbook_bin if playbook_bin.exists() else "ansible-playbook"),
        "-i",
        str(inventory),
        "-f",
        "10",
        str(playbook),
    ]
    started = time.perf_counter()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        print(done.stdout[-2000:], done.stderr[-2000:])
        return None
    return elapsed


def cpu_rss(pid: int, seconds: float) -> tuple[float, float]:
    """(CPU % of one core over `seconds`, RSS MiB at the end) of a process, from /proc."""
    before, t0 = cpu_seconds(pid), time.monotonic()
    time.sleep(seconds)
    used, wall = cpu_seconds(pid) - before, time.monotonic() - t0
    return 100 * used / wall, rss_mb(pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--hosts", type=int, default=200)
    parser.add_argument("--idle-agents", type=int, default=1000)
    parser.add_argument("--skip-ansible", action="store_true")
    parser.add_argument("--agent-processes", type=int, default=1, help="split the simulated hosts over N processes")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--task-cgroups",
        choices=["auto", "off"],
        default="auto",
        help="the agents' own option: off runs the scripts without a cgroup each (see bench/README.md)",
    )
    opts = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="opencoc-fanout-"))
    pg = postgres.start() if opts.backend == "postgres" else None
    url = pg.create_database("bench_fanout") if pg else None
    server = LiveServer(root, url, extra_env={"OPENCOC_LOG_LEVEL": "warning"})
    fleets: list[subprocess.Popen[bytes]] = []
    try:
        server.start(timeout=60)
        api = tenant_api(server, "bench")

        per_process = opts.hosts // opts.agent_processes
        fleets += [
            start_agents(
                server,
                enroll_token(server),
                root / f"fleet-{i}",
                "--simulate",
                str(per_process),
                "--task-cgroups",
                opts.task_cgroups,
                "--log-level",
                "INFO",  # each task's start and end, for the batches as the hosts see them (bench/host_times.py)
            )
            for i in range(opts.agent_processes)
        ]
        wait_online(api, opts.hosts, 180)
        hosts = dealt(targets(api)[: opts.hosts], root, opts.agent_processes)
        script_uuid = create_script(api, "bench_echo", "echo ok", "fan-out benchmark")
        # Warm-up: every host once. Agents that have just started may still be backing off after a 503 of
        # the admission control (200 polls at once), which would make the first order wait seconds for them.
        warm_s, _ = run_order(api, script_uuid, hosts)
        print(f"warm-up order (agents just started): {warm_s:.2f} s")
        assert server.proc is not None
        server_pid, fleet_pids = server.proc.pid, [fleet.pid for fleet in fleets]
        watched: dict[str, Callable[[], float]] = {
            "server": lambda: cpu_seconds(server_pid),
            "simulator": lambda: sum(cpu_seconds(pid) for pid in fleet_pids),
        }
        if pg:
            watched["postgres"] = functools.partial(family_cpu_seconds, postmaster_pid(pg.datadir))
        load_before = os.getloadavg()[0]
        cpu_before = {name: used() for name, used in watched.items()}
        t0, since_ms = time.monotonic(), time.time() * 1000
        results = [run_order(api, script_uuid, hosts) for _ in range(opts.runs)]
        wall, until_ms = time.monotonic() - t0, time.time() * 1000
        cpu = {name: 100 * (used() - cpu_before[name]) / wall for name, used in watched.items()}
        client_s = [r[0] for r in results]
        server_ms = [r[1] for r in results]
        batches = opts.hosts // 10
        print(
            f"OpenCOC ({opts.backend}): echo ok on {opts.hosts} hosts ({batches} batches x 10, CONTINUE),"
            f" {opts.runs} runs,"
            f" agents simulated by {opts.agent_processes} `opencoc agent --simulate {per_process}"
            f" --task-cgroups {opts.task_cgroups}` process(es)"
        )
        print(
            "  execute -> FINISHED: "
            + ", ".join(f"{s:.2f} s" for s in client_s)
            + f"  (median {statistics.median(client_s):.2f} s)"
        )
        print(
            "  server gmt_created -> gmt_finished: "
            + ", ".join(f"{m} ms" for m in server_ms)
            + f"  ({statistics.median(server_ms) / batches:.0f} ms per batch, median)"
        )
        floor = script_floor_ms()
        overhead = statistics.median(server_ms) / batches - floor
        print(f"  per-batch overhead: {overhead:.0f} ms (per batch minus {floor:.0f} ms to run 10 `echo ok` here)")
        logs = [root / f"fleet-{i}.log" for i in range(opts.agent_processes)]
        try:
            view = host_view(logs, since_ms, until_ms, opts.runs, batches, 10)
        except ValueError as exc:
            print(f"  as the hosts see it: not measured ({exc})")
        else:
            median = statistics.median
            print(
                f"  per batch as the hosts see it (the agents' log, medians): hosts' side, first task received ->"
                f" last result sent, {median(view.hosts):.0f} ms (the tasks arrive over {median(view.arrival):.0f} ms);"
                f" the server's step, last result sent -> next batch's first task received, {median(view.first):.0f}"
                f" ms (its last task {median(view.last):.0f} ms)"
            )
        print(
            f"  during the runs: server CPU {cpu['server']:.0f}% of one core, simulator CPU {cpu['simulator']:.0f}%"
            f" (its own process{'es' if len(fleets) > 1 else ''}, scripts excluded);"
            f" load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after"
        )
        per_task = {name: cpu[name] / 100 * wall / (opts.runs * opts.hosts) * 1000 for name in watched}
        database = f", PostgreSQL {per_task['postgres']:.2f} ms" if pg else ""
        print(
            f"  CPU per task (the runs' CPU over their tasks): server {per_task['server']:.2f} ms{database},"
            f" simulated agents {per_task['simulator']:.2f} ms; on these shared cores a batch's time is mostly this"
            " CPU, which in a real fleet each host spends on its own"
        )
        for fleet in fleets:
            stop(fleet)

        if not opts.skip_ansible:
            took = ansible(root, opts.hosts)
            if took is not None:
                print(f"Ansible (ansible-core, local connection, forks 10, serial 10): {took:.2f} s")
                print(f"  ratio Ansible / OpenCOC (median): {took / statistics.median(client_s):.1f}x")

        if opts.idle_agents:
            fleets.append(
                start_agents(server, enroll_token(server), root / "idle", "--simulate", str(opts.idle_agents))
            )
            wait_online(api, opts.idle_agents, 600)
            time.sleep(15)  # let enrolment settle; every agent now holds a long-poll open
            assert server.proc is not None
            cpu, rss = cpu_rss(server.proc.pid, 10.0)
            print(f"Idle: {opts.idle_agents} agents long-polling (30-s polls, no heartbeat while one is open)")
            print(f"  server CPU {cpu:.1f}% of one core, RSS {rss:.0f} MiB (sampled over 10 s from /proc)")
    finally:
        for fleet in fleets:
            stop(fleet)
        server.stop()
        if pg:
            pg.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    exit_on_sigterm()
    main()
