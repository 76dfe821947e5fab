"""The server's enrolment capacity: new agents per second, with a load generator that is not the bottleneck.

    .venv/bin/python bench/enrolment.py [--backend sqlite|postgres|all] [--seconds 15] [--connections 32]

bench/agents_idle.py enrols a fleet of real `opencoc agent --simulate` processes; on 2 cores those
processes (an httpx client, a connection and a saved identity per agent) take more CPU than the
server, so that figure is the machine's, not the server's. Here wrk (Debian package `wrk`) POSTs
`/opencoc/v1/agent/enroll` with the tenant's enrolment token and a distinct host's facts per request,
`--connections` at once for `--seconds`. Printed per backend: the load generator's ceiling (wrk on
GET /opencoc/health), enrolments per second sustained, p50/p99, answers other than 200, the server's
CPU per enrolment, wrk's own CPU, and the agents the database holds afterwards (each answered
enrolment is a row; those in flight when wrk stops are stored unanswered). Figures only; nothing
is asserted.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from bench import wrk  # noqa: E402
from bench.fleet import cpu_seconds, tenant_api  # noqa: E402
from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness import postgres  # noqa: E402
from harness.server import LiveServer  # noqa: E402
from opencoc.agents.models import Agent  # noqa: E402
from opencoc.core.db import Database  # noqa: E402

LUA = r"""
function init(args)
  mode, token, n, ok, failed = args[1], args[2], 0, 0, 0
end
local FACTS = '{"token":"%s","facts":{"hostname":"wrk-%d-%d","fixed_ip":"10.%d.%d.%d","ips":["10.%d.%d.%d"],' ..
  '"os_type":"linux","os_name":"Debian GNU/Linux 12","kernel":"6.1.0","region_id":"cn-north-4",' ..
  '"agent_version":"bench"}}'
function request()
  if mode == "health" then return wrk.format("GET", nil, nil, nil) end
  n = n + 1
  local a, b, c = tid, math.floor(n / 256) % 256, n % 256
  local body = string.format(FACTS, token, tid, n, a, b, c, a, b, c)
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
"""


def agents_stored(database_url: str) -> int:
    db = Database(database_url)
    try:
        with db.read() as session:
            return int(session.scalar(select(func.count(Agent.id))) or 0)
    finally:
        db.dispose()


def run_backend(backend: str, database_url: str | None, seconds: float, connections: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="opencoc-bench-enrol-"))
    server = LiveServer(work, database_url, extra_env={"OPENCOC_LOG_LEVEL": "warning"}).start()
    try:
        assert server.proc is not None
        tenant_api(server, "bench").close()
        token = json.loads(server.cli("admin", "create-enroll-token", "--tenant", "bench", "--json").stdout)["token"]
        script = work / "enrol.lua"
        ceiling = wrk.run_counted(f"{server.url}/opencoc/health", script, LUA, ["health", "x"], connections, 3)
        print(f"{backend}: load generator ceiling (wrk, GET /opencoc/health): {ceiling.rate:.0f} req/s")
        before = cpu_seconds(server.proc.pid)
        url = f"{server.url}/opencoc/v1/agent/enroll"
        result = wrk.run_counted(url, script, LUA, ["enrol", token], connections, seconds)
        server_cpu = cpu_seconds(server.proc.pid) - before
        elapsed = result.seconds
        print(
            f"  enrolment: {result.rate:.0f} agents/s over {elapsed:.0f} s ({connections} connections), "
            f"p50 {result.p50_ms:.1f} ms, p99 {result.p99_ms:.1f} ms; not 200: {result.failed}, "
            f"socket errors: {result.errors}"
        )
        print(
            f"  server CPU {100 * server_cpu / elapsed:.0f}% of a core = "
            f"{1000 * server_cpu / max(result.ok, 1):.2f} ms per enrolment; "
            f"wrk {100 * result.cpu_s / elapsed:.0f}% of a core"
        )
        stored = agents_stored(database_url or f"sqlite:///{work / 'opencoc.db'}")
        print(f"  agents stored: {stored} (answered: {result.ok})")
    finally:
        server.stop()
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    wrk.require("bench/enrolment.py")
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    if args.backend in ("sqlite", "all"):
        run_backend("sqlite", None, args.seconds, args.connections)
    if args.backend in ("postgres", "all"):
        pg = postgres.start()
        try:
            run_backend("postgres", pg.create_database("bench_enrol"), args.seconds, args.connections)
        finally:
            pg.stop()


if __name__ == "__main__":
    exit_on_sigterm()
    main()
