"""Agent footprint: RSS of one agent, RSS of `--simulate N`, and server CPU while N agents idle.

    .venv/bin/python bench/agents_idle.py [--agents 1000] [--seconds 30] [--backend sqlite|postgres]

1. A real `opencoc serve` (SQLite by default) and a tenant with an enrolment token.
2. One `opencoc agent` runs a small shell script 20 times through its executor path (idle
   long-polls meanwhile); its RSS is printed after it settles.
3. `opencoc agent --simulate N` enrols N identities; once all N are ONLINE in /v1/resources, the
   server's CPU (utime+stime from /proc) is sampled over --seconds while they heartbeat every 10 s
   and long-poll (wait=25). Printed: server CPU % of one core, server RSS, simulator RSS and CPU.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fleet import cpu_seconds, online, rss_mb, start_agents, tenant_api, wait_online  # noqa: E402
from harness import postgres  # noqa: E402
from harness.server import LiveServer  # noqa: E402


def single_agent_rss(server: LiveServer, work: Path, token: str) -> None:
    proc = start_agents(server, token, work / "single")
    time.sleep(5)
    print(f"single agent (idle, enrolled, long-polling): RSS {rss_mb(proc.pid):.1f} MB")
    proc.terminate()
    proc.wait(15)


def simulated(
    server: LiveServer, api: httpx.Client, work: Path, token: str, n: int, seconds: float, heartbeat: float
) -> None:
    started = time.monotonic()
    proc = start_agents(server, token, work / "sim", "--simulate", str(n), "--heartbeat", str(heartbeat))
    wait_online(api, n, 900, proc)
    print(f"--simulate {n}: all ONLINE after {time.monotonic() - started:.1f} s")
    time.sleep(12)  # let the enrolment burst settle
    assert server.proc is not None
    s0, a0, t0 = cpu_seconds(server.proc.pid), cpu_seconds(proc.pid), time.monotonic()
    time.sleep(seconds)
    s1, a1, t1 = cpu_seconds(server.proc.pid), cpu_seconds(proc.pid), time.monotonic()
    elapsed = t1 - t0
    print(
        f"{n} idle agents (heartbeat {heartbeat:g} s, long-poll 25 s) over {elapsed:.0f} s: "
        f"server CPU {100 * (s1 - s0) / elapsed:.1f}% of a core, "
        f"server RSS {rss_mb(server.proc.pid):.0f} MB; simulator CPU {100 * (a1 - a0) / elapsed:.1f}%, "
        f"simulator RSS {rss_mb(proc.pid):.0f} MB"
    )
    print(f"ONLINE after the idle period: {online(api)} of {n}")
    proc.terminate()
    proc.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--heartbeat", type=float, default=10.0, help="the agents' heartbeat interval (s)")
    opts = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="opencoc-bench-agents-"))
    pg = postgres.start() if opts.backend == "postgres" else None
    url = pg.create_database("bench_agents") if pg else None
    server = LiveServer(work, url).start()
    try:
        api = tenant_api(server, "bench")
        out = server.cli("admin", "create-enroll-token", "--tenant", "bench", "--json").stdout
        token = json.loads(out)["token"]
        single_agent_rss(server, work, token)
        simulated(server, api, work, token, opts.agents, opts.seconds, opts.heartbeat)
    finally:
        server.stop()
        if pg:
            pg.stop()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
