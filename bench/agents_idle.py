"""Agent fleet: enrolment rate, idle cost and a reconnect after a server restart, simulator CPU beside the server's.

    .venv/bin/python bench/agents_idle.py [--agents 1000] [--agent-processes 0] [--seconds 30]
        [--backend sqlite|postgres] [--restart] [--skip-single]

1. A real `opencoc serve` (SQLite by default) and a tenant with an enrolment token.
2. One `opencoc agent` runs idle for a few seconds; its RSS is printed (skip with --skip-single).
3. `--agent-processes` `opencoc agent --simulate N/P` processes enrol N identities (0: one process per
   2,500 agents, at least 2). Printed: enrolments per second (identities saved on disk by the
   simulators), a signed `GET /v1/resources` probe's latency meanwhile, and each process's CPU.
4. Once all N are ONLINE: the server's CPU (utime+stime from /proc) over the first poll period
   (each agent's first contact: its facts and first poll, in a wave after enrolment), then CPU and
   RSS over --seconds while the fleet idles on its default long-poll (one poll per agent per
   period); OFFLINE agents are counted every 5 s.
5. --restart: the server is stopped for 5 s and started again on the same port and database;
   printed over the next 30 s, while the fleet reconnects: incident create p50/p99, server CPU, and
   the ONLINE count at the end.

A simulator process that used >= 90% of a core in a phase was itself the bottleneck: the phase is
marked INVALID (add --agent-processes). Stopping the simulators is bounded: SIGTERM, then SIGKILL
after 20 s, and the time it took is printed. Figures only; nothing is asserted.
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fleet import TICKS, cpu_seconds, rss_mb, start_agents, tenant_api  # noqa: E402
from bench.probe import Call, Probe  # noqa: E402
from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness import postgres  # noqa: E402
from harness.server import LiveServer  # noqa: E402

SATURATED = 90.0  # % of one core: a simulator process at this load is what is being measured
PER_PROCESS = 2500
POLL_S = 30.0  # the server's default long-poll (OPENCOC_AGENT_POLL_SECONDS): one poll per agent per period


class Fleet:
    """The simulator processes and their state directories."""

    def __init__(self, server: LiveServer, token: str, root: Path, agents: int, processes: int) -> None:
        self.dirs = [root / f"sim-{i}" for i in range(processes)]
        counts = [agents // processes + (1 if i < agents % processes else 0) for i in range(processes)]
        self.procs = [
            start_agents(server, token, d, "--simulate", str(n)) for d, n in zip(self.dirs, counts, strict=True)
        ]

    def enrolled(self) -> int:
        """Identities the simulators have saved: each is an enrolment the server answered."""
        return sum(sum(1 for _ in d.glob("agent-*/identity.json")) for d in self.dirs if d.exists())

    def cpu(self) -> list[float]:
        return [cpu_seconds(p.pid) for p in self.procs]

    def check_alive(self) -> None:
        for p in self.procs:
            if p.poll() is not None:
                sys.exit(f"a simulator exited with status {p.returncode}; see {self.dirs[0].parent}/sim-*.log")

    def stop(self) -> None:
        """SIGTERM every simulator, wait at most 20 s for all of them, SIGKILL what is left; print how long."""
        started = time.monotonic()
        for p in self.procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
        killed = 0
        deadline = started + 20
        for p in self.procs:
            try:
                p.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait(10)
                killed += 1
        note = f", {killed} needed SIGKILL" if killed else ""
        print(f"simulators stopped in {time.monotonic() - started:.1f} s{note}")


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine so far, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / TICKS, sum(fields) / TICKS


def machine_note(before: tuple[float, float], after: tuple[float, float]) -> str:
    """How busy every core of the machine was (other work included): a busy machine starves what is measured."""
    busy = (after[0] - before[0]) / max(after[1] - before[1], 1e-9)
    note = f"machine {100 * busy:.0f}% busy over {os.cpu_count()} cores"
    return note + (" (contended: rates are lower bounds; see the CPU per operation)" if busy > 0.9 else "")


def simulator_verdict(fleet: Fleet, before: list[float], after: list[float], elapsed: float) -> str:
    loads = [100 * (b - a) / elapsed for a, b in zip(before, after, strict=True)]
    text = "simulator CPU " + " + ".join(f"{x:.0f}%" for x in loads) + f" = {sum(loads):.0f}% of a core"
    if max(loads) >= SATURATED:
        text += f"  ** INVALID: a simulator process was saturated (>= {SATURATED:.0f}%); add --agent-processes **"
    return text


def offline_count(api: httpx.Client) -> int:
    """OFFLINE agents of the tenant (one page of up to 100 is enough to tell none from some)."""
    params = {"provider": "ecs", "type": "cloudservers", "limit": 100, "agent_state": "OFFLINE"}
    return len(api.get("/v1/resources", params=params).json()["data"])


def online_count(api: httpx.Client) -> int:
    total, marker = 0, None
    while True:
        params: dict[str, str | int] = {"provider": "ecs", "type": "cloudservers", "limit": 100}
        params["agent_state"] = "ONLINE"
        if marker:
            params["marker"] = marker
        page = api.get("/v1/resources", params=params).json()["data"]
        total += len(page)
        if len(page) < 100:
            return total
        marker = page[-1]["id"]


def single_agent_rss(server: LiveServer, work: Path, token: str) -> None:
    proc = start_agents(server, token, work / "single")
    time.sleep(5)
    print(f"single agent (idle, enrolled, long-polling): RSS {rss_mb(proc.pid):.1f} MB")
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(15)


def enrol(server: LiveServer, api: httpx.Client, fleet: Fleet, n: int) -> None:
    assert server.proc is not None
    resources = {"provider": "ecs", "type": "cloudservers", "limit": 100}
    probe = Probe(Call.through(api, "GET", "/v1/resources", params=resources))
    s0, f0, m0, t0 = cpu_seconds(server.proc.pid), fleet.cpu(), machine_busy(), time.monotonic()
    first = None
    while (done := fleet.enrolled()) < n:
        fleet.check_alive()
        if first is None and done:
            first = time.monotonic()
        if time.monotonic() - t0 > 1800:
            sys.exit(f"only {done} of {n} enrolled after 30 min")
        time.sleep(0.25)
    s1, f1, m1, t1 = cpu_seconds(server.proc.pid), fleet.cpu(), machine_busy(), time.monotonic()
    elapsed = t1 - t0
    print(f"enrolment: {n} agents in {elapsed:.1f} s = {n / elapsed:.0f} agents/s (from the simulators' start)")
    print(
        f"  server CPU {100 * (s1 - s0) / elapsed:.0f}% of a core = {1000 * (s1 - s0) / n:.2f} ms per enrolment "
        f"(~{n / max(s1 - s0, 1e-9):.0f} agents/s per core); {machine_note(m0, m1)}"
    )
    print(f"  {simulator_verdict(fleet, f0, f1, elapsed)}")
    print(f"  signed GET /v1/resources meanwhile: {probe.stop()}")


def wait_all_online(api: httpx.Client, fleet: Fleet, n: int, timeout: float) -> float:
    started = time.monotonic()
    while online_count(api) < n:
        fleet.check_alive()
        if time.monotonic() - started > timeout:
            sys.exit(f"not every one of {n} agents was ONLINE within {timeout:.0f} s (last: {online_count(api)})")
        time.sleep(1)
    return time.monotonic() - started


def _sampled(server: LiveServer, api: httpx.Client, fleet: Fleet, seconds: float) -> tuple[float, int, str, str]:
    """Over `seconds`: the server's CPU (% of a core), the most OFFLINE agents in 5-s samples, the machine's
    and the simulators' notes."""
    assert server.proc is not None
    worst = 0
    s0, f0, m0, t0 = cpu_seconds(server.proc.pid), fleet.cpu(), machine_busy(), time.monotonic()
    while time.monotonic() - t0 < seconds:
        time.sleep(min(5.0, max(0.0, seconds - (time.monotonic() - t0))))
        worst = max(worst, offline_count(api))
    s1, f1, m1, t1 = cpu_seconds(server.proc.pid), fleet.cpu(), machine_busy(), time.monotonic()
    elapsed = t1 - t0
    return 100 * (s1 - s0) / elapsed, worst, machine_note(m0, m1), simulator_verdict(fleet, f0, f1, elapsed)


def idle(server: LiveServer, api: httpx.Client, fleet: Fleet, n: int, seconds: float, single: int) -> None:
    assert server.proc is not None
    # The first poll period after enrolment is each agent's first contact (its facts and first poll; its
    # row is held since its enrolment), in a wave; the idle cost is what follows, one poll per period.
    cpu, worst, machine, simulators = _sampled(server, api, fleet, POLL_S)
    print(f"first contact: {n} agents' first poll period ({POLL_S:.0f} s): server CPU {cpu:.1f}% of a core; {machine}")
    cpu, worst, machine, simulators = _sampled(server, api, fleet, seconds)
    print(
        f"idle: {n} agents over {seconds:.0f} s after that: server CPU {cpu:.1f}% of a core, "
        f"server RSS {rss_mb(server.proc.pid):.0f} MB; {machine}"
    )
    rss = sum(rss_mb(p.pid) for p in fleet.procs)
    print(f"  {simulators}; simulators' RSS {rss:.0f} MB")
    print(f"  OFFLINE agents seen in 5-s samples: at most {'100+' if worst >= 100 else worst}")
    enrolled = n + single
    note = f" ({n} in the fleet, the single agent measured first)" if single else ""
    print(f"  ONLINE after the idle period: {online_count(api)} of {enrolled}{note}")


def restart(server: LiveServer, api: httpx.Client, fleet: Fleet, n: int, seconds: float = 30) -> None:
    """Restart the server under the fleet: incident create latency and server CPU over the next `seconds` while
    every agent reconnects (their polls and heartbeats failed while it was down), then the ONLINE count."""
    server.stop()
    time.sleep(5)  # every agent notices: its poll fails and it backs off
    server.start(timeout=120)
    assert server.proc is not None
    body = {
        "incident_level": "level_30",
        "is_service_interrupt": "false",
        "incident_type": "inc_type_p_function_issues",
        "incident_title": "bench incident during a fleet reconnect",
        "incident_description": "created by bench/agents_idle.py",
        "incident_source": "incident_source_manual",
        "current_cloud_service": ["bench-app"],
        "incident_assignee": ["u-bench-oncall"],
        "creator": "u-bench-creator",
    }
    probe = Probe(Call.through(api, "POST", "/v1/external/incident/create", json=body))
    s0, f0, m0, t0 = cpu_seconds(server.proc.pid), fleet.cpu(), machine_busy(), time.monotonic()
    time.sleep(seconds)
    s1, f1, m1 = cpu_seconds(server.proc.pid), fleet.cpu(), machine_busy()
    elapsed = time.monotonic() - t0
    print(f"restart (5 s down) under {n} agents, the {elapsed:.0f} s after it answered again:")
    print(f"  server CPU {100 * (s1 - s0) / elapsed:.0f}% of a core; {machine_note(m0, m1)}")
    print(f"  {simulator_verdict(fleet, f0, f1, elapsed)}")
    print(f"  incident create meanwhile: {probe.stop()}")
    print(f"  ONLINE then: {online_count(api)} of {n}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--agent-processes", type=int, default=0, help=f"0: one per {PER_PROCESS} agents, >= 2")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--restart", action="store_true", help="then restart the server under the fleet")
    parser.add_argument("--skip-single", action="store_true", help="skip the single agent's RSS")
    opts = parser.parse_args()
    processes = opts.agent_processes or max(2, -(-opts.agents // PER_PROCESS))
    work = Path(tempfile.mkdtemp(prefix="opencoc-bench-agents-"))
    pg = postgres.start() if opts.backend == "postgres" else None
    url = pg.create_database("bench_agents") if pg else None
    server = LiveServer(work, url, extra_env={"OPENCOC_LOG_LEVEL": "warning"}).start()
    fleet: Fleet | None = None
    try:
        api = tenant_api(server, "bench")
        token = json.loads(server.cli("admin", "create-enroll-token", "--tenant", "bench", "--json").stdout)["token"]
        print(f"backend {opts.backend}; {opts.agents} agents over {processes} simulator processes")
        if not opts.skip_single:
            single_agent_rss(server, work, token)
        fleet = Fleet(server, token, work, opts.agents, processes)
        enrol(server, api, fleet, opts.agents)
        took = wait_all_online(api, fleet, opts.agents, 600)
        print(f"all {opts.agents} ONLINE {took:.1f} s after the last enrolment")
        # The simulators start their runners once all their identities are enrolled; each runner's first
        # heartbeat (with its facts) is spread over 10 s and its first poll loads it for authentication.
        time.sleep(20)
        idle(server, api, fleet, opts.agents, opts.seconds, 0 if opts.skip_single else 1)
        if opts.restart:
            restart(server, api, fleet, opts.agents)
    finally:
        if fleet is not None:
            fleet.stop()
        server.stop()
        if pg:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    exit_on_sigterm()
    main()
