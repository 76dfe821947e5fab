"""The console's pages under load: a real `opencoc serve` on SQLite with 10,000 incidents and 1,000 hosts.

    .venv/bin/python bench/console.py [--seconds 10] [--connections 8] [--incidents 10000] [--hosts 1000]

Seeds one tenant directly in its SQLite database (bulk INSERTs of the domains' tables: incidents
with their accept history, alarms over 30 days, agents with their host resources, most online),
signs 8 console users in through the sign-in form, then measures with wrk, 8 connections taking
the 8 users' session cookies in turn:
- GET /console/incidents        the incident list, first page (50 rows): req/s, p50, p99
- GET /console/incidents?page=100  a deep page of the same list
- GET /console/overview         the landing page (every overview aggregate, 7-day window)
- GET /console/alarms           the alarm list, first page
- GET /console/orders/{uuid}    the view of a 200-host order (20 batches of 10): started through the
                                API, then its first 10 batches marked run (output, a few failed) and
                                the order paused, in the database, as agents and an operator would
and prints the page weight of the incident list (bytes of its HTML; static files are cached
separately and not counted), the load generator's ceiling (wrk on GET /opencoc/health) and the
server process's CPU time per request of each page (/proc: the figure that holds when other
work shares the machine; latency on a loaded 2-core machine varies from run to run).
The target (issue 12): the incident list and the order view ≤ 100 ms p99 at 8 users. Figures
only, nothing asserted.
"""

import argparse
import json
import re
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import insert, select, update

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import wrk  # noqa: E402
from bench.fleet import cpu_seconds, create_script  # noqa: E402
from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness.server import LiveServer  # noqa: E402
from opencoc.agents.models import Agent  # noqa: E402
from opencoc.alarms.models import Alarm  # noqa: E402
from opencoc.auth import service as auth  # noqa: E402
from opencoc.client.auth import SdkHmacAuth  # noqa: E402
from opencoc.core.db import Database  # noqa: E402
from opencoc.incidents import enums  # noqa: E402
from opencoc.incidents.models import Incident, IncidentHistory  # noqa: E402
from opencoc.jobs.models import InstanceOutput, ScriptBatch, ScriptInstance, ScriptOrder  # noqa: E402
from opencoc.resources.models import Resource  # noqa: E402

TENANT, PASSWORD, USERS = "bench", "bench-console-password", 8
DAY, MINUTE = 86_400_000, 60_000
LEVELS = list(enums.LEVELS)
STATUSES = [enums.TRIGGERED, enums.ACKNOWLEDGED, enums.RESOLVED, enums.COMPLETED]
LUA = r"""
local counter = 0
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
end
function init(args)
  cookies, n = args, 0
end
function request()
  n = n + 1
  local cookie = cookies[((tid + n) % #cookies) + 1]
  return wrk.format("GET", nil, {["Cookie"] = cookie}, nil)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\n", summary.requests, summary.duration,
    e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Result:
    requests: int
    rate: float
    non_2xx: int
    errors: int
    p50_ms: float
    p99_ms: float
    cpu_ms: float | None = None  # the server's CPU time per request


def measured(
    server: LiveServer, url: str, folder: Path, cookies: list[str], connections: int, seconds: float
) -> Result:
    """wrk on `url`, with the server process's CPU time per request over the run."""
    assert server.proc is not None
    before = cpu_seconds(server.proc.pid)
    result = run_wrk(url, folder, cookies, connections, seconds)
    result.cpu_ms = (cpu_seconds(server.proc.pid) - before) * 1000 / max(result.requests, 1)
    return result


def run_wrk(url: str, folder: Path, cookies: list[str], connections: int, seconds: float) -> Result:
    script = folder / "console.lua"
    script.write_text(LUA)
    requests, duration_us, non_2xx, errors, p50, p99 = wrk.run(url, script, cookies, connections, seconds).numbers
    return Result(requests, requests / (duration_us / 1e6), non_2xx, errors, p50 / 1000, p99 / 1000)


def _incident_rows(tenant_id: int, count: int, now: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`count` incidents over the last 30 days (a spread of levels and statuses) and their accept history."""
    incidents, history = [], []
    for n in range(count):
        created = now - (n * 30 * DAY) // count
        status = STATUSES[n % len(STATUSES)]
        num = f"IMBENCH{n:019d}"
        incidents.append(
            {
                "tenant_id": tenant_id,
                "incident_num": num,
                "region": ["cn-north-4"],
                "enterprise_project": ["0"],
                "current_cloud_service": [],
                "incident_level": LEVELS[n % len(LEVELS)],
                "is_service_interrupt": False,
                "incident_type": "inc_type_p_reliability_issues",
                "incident_title": f"Checkout latency above threshold on web-{n % 97}",
                "incident_description": "p99 above 2 s",
                "incident_source": "incident_source_alarm",
                "incident_assignee": [],
                "assignee_scene": "oncall",
                "assignee_role": "sre",
                "creator": "bench",
                "status": status,
                "handle_time": created + 90 * MINUTE if status in (enums.RESOLVED, enums.COMPLETED) else None,
                "create_time": created,
                "update_time": created,
            }
        )
        if status != enums.TRIGGERED:
            history.append(
                {
                    "tenant_id": tenant_id,
                    "incident_num": num,
                    "operator": "bench",
                    "operate_key": enums.ACCEPT,
                    "operate_time": created + (5 + n % 20) * MINUTE,
                    "parameter": {},
                }
            )
    return incidents, history


def _alarm_rows(tenant_id: int, count: int, now: int) -> list[dict[str, Any]]:
    levels = ("Critical", "Major", "Minor", "Info")
    return [
        {
            "alarm_id": f"ALBENCH{n:025d}",
            "tenant_id": tenant_id,
            "integration_id": None,
            "active_key": None,
            "original_alarm_id": f"bench-{n}",
            "alarm_name": f"CPU usage above 90% on web-{n % 97}",
            "alarm_level": levels[n % 4],
            "alarm_status": "ok",
            "name_space": "bench",
            "alarm_desc": "cpu above 90% for 5 minutes",
            "alarm_source": f"monitor-{n % 7}",
            "additional": {"rack": f"r{n % 12}"},
            "count": 1 + n % 5,
            "first_time": now - (n * 30 * DAY) // count,
            "last_time": now - (n * 30 * DAY) // count,
            "create_time": now - (n * 30 * DAY) // count,
            "update_time": now - (n * 30 * DAY) // count,
        }
        for n in range(count)
    ]


def _host_rows(tenant_id: int, count: int, now: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """`count` agents (nine in ten seen just now) and their hosts' `ecs`/`cloudservers` resources."""
    agents, resources = [], []
    for n in range(count):
        sn = f"benchagent{n:06d}"
        facts = {"os": "Debian GNU/Linux 12", "kernel": "6.1.0", "agent_version": "0.1.0"}
        agents.append(
            {
                "tenant_id": tenant_id,
                "agent_sn": sn,
                "secret_hash": "0" * 64,
                "resource_id": f"bench-host-{n}",
                "hostname": f"web-{n:04d}",
                "fixed_ip": f"10.0.{n // 256}.{n % 256}",
                "ips": [f"10.0.{n // 256}.{n % 256}"],
                "os_type": "LINUX",
                "os_name": "Debian GNU/Linux 12",
                "region_id": "cn-north-4",
                "zone_id": "cn-north-4a",
                "facts": facts,
                "enrolled_at": now - DAY,
                "last_seen_at": now if n % 10 else now - DAY,
            }
        )
        resources.append(
            {
                "tenant_id": tenant_id,
                "uid": f"benchres{n:024d}",
                "resource_id": f"bench-host-{n}",
                "name": f"web-{n:04d}",
                "provider": "ecs",
                "type": "cloudservers",
                "region_id": "cn-north-4",
                "zone_id": "cn-north-4a",
                "inner_ip": f"10.0.{n // 256}.{n % 256}",
                "tags": [],
                "properties": facts,
                "agent_sn": sn,
                "create_time": now - DAY,
                "update_time": now - DAY,
            }
        )
    return agents, resources


def seed(database_url: str, incidents: int, hosts: int) -> None:
    """The bench tenant, its users with console passwords, and its rows, in bulk."""
    db = Database(database_url)
    now = int(time.time() * 1000)
    try:
        with db.write() as session:
            tenant_id = auth.create_tenant(session, name=TENANT).id
            for n in range(USERS):
                auth.create_user(session, tenant_name=TENANT, name=f"user{n}", password=PASSWORD)
            incident_rows, history_rows = _incident_rows(tenant_id, incidents, now)
            session.execute(insert(Incident), incident_rows)
            session.execute(insert(IncidentHistory), history_rows)
            session.execute(insert(Alarm), _alarm_rows(tenant_id, incidents, now))
            agent_rows, resource_rows = _host_rows(tenant_id, hosts, now)
            session.execute(insert(Agent), agent_rows)
            session.execute(insert(Resource), resource_rows)
    finally:
        db.dispose()


def sign_in(url: str, user: str) -> str:
    """Sign `user` in through the form; the Cookie header of its session."""
    with httpx.Client(base_url=url, follow_redirects=False) as client:
        form = client.get("/console/sign-in").text
        found = re.search(r'name="sign_in_token" value="([^"]+)"', form)
        assert found, "the sign-in form has its token"
        data = {"tenant": TENANT, "user": user, "password": PASSWORD, "sign_in_token": found[1]}
        answer = client.post("/console/sign-in", data=data)
        if answer.status_code != 303:
            raise RuntimeError(f"sign-in of {user} answered {answer.status_code}")
        return f"opencoc_console={client.cookies['opencoc_console']}"


def order_view_path(server: LiveServer, database_url: str, hosts: int = 200, batch: int = 10) -> str:
    """The view of an order over `hosts` seeded hosts, half of it run: its path.

    The order starts through the API (a script, then execute over online hosts in batches of
    `batch`); its first half is then written as the agents would report it (each host's ~2 KB of
    output, every 25th host failed) and the order paused, as by an operator. The seeded agents
    never poll, so a paused order with its other batches not yet queued stays as it is.
    """
    key = json.loads(server.cli("admin", "create-key", "--tenant", TENANT, "--json").stdout)
    auth_ = SdkHmacAuth(key["access_key"], key["secret_key"])
    with httpx.Client(base_url=server.url, auth=auth_, timeout=60) as api:
        script_uuid = create_script(
            api, "bench_order_view", "for i in $(seq 40); do echo step $i of 40 done; done",
            "the console bench's 200-host order",
        )  # fmt: skip
        online = [n for n in range(hosts * 2) if n % 10][:hosts]  # _host_rows: every 10th host is offline
        targets = [{"resource_id": f"bench-host-{n}", "agent_sn": f"benchagent{n:06d}"} for n in online]
        body = {
            "execute_param": {"resourceful": True, "timeout": 600, "success_rate": 50, "execute_user": "root"},
            "execute_batches": [
                {
                    "batch_index": i + 1,
                    "rotation_strategy": "CONTINUE",
                    "target_instances": targets[i * batch : (i + 1) * batch],
                }
                for i in range(hosts // batch)
            ],
        }
        answer = api.post(f"/v1/job/scripts/{script_uuid}", json=body)
        if answer.status_code != 200:
            raise RuntimeError(f"the order did not start: {answer.status_code} {answer.text}")
        execute_uuid = str(answer.json()["data"])
    _half_run(database_url, execute_uuid, hosts // batch)
    return f"/console/orders/{execute_uuid}"


def _half_run(database_url: str, execute_uuid: str, batches: int) -> None:
    """Batches 1..batches/2 of the order run (outputs, a few failures), the rest not queued, the order PAUSED."""
    db = Database(database_url)
    now, done = int(time.time() * 1000), batches // 2
    output = "".join(f"step {i} of 40 done: {'x' * 40}\n" for i in range(1, 41))
    try:
        with db.write() as session:
            order_id = session.scalar(select(ScriptOrder.id).where(ScriptOrder.execute_uuid == execute_uuid))
            instances = session.scalars(select(ScriptInstance).where(ScriptInstance.order_id == order_id)).all()
            outputs = []
            for n, inst in enumerate(instances):
                if inst.batch_index > done:
                    inst.status, inst.queued_at = "READY", None
                    continue
                failed = n % 25 == 24
                started = now - (done - inst.batch_index + 1) * 20_000
                inst.status = "ABNORMAL" if failed else "FINISHED"
                inst.queued_at, inst.started_at, inst.gmt_finished = started - 50, started, started + 1_500 + n * 7
                inst.exit_code, inst.error = (1, "exit status 1") if failed else (0, None)
                outputs.append({"instance_id": inst.id, "output": output})
            session.execute(insert(InstanceOutput), outputs)
            for index in range(1, batches + 1):
                started_at = now - (done - index + 1) * 20_000 if index <= done else None
                session.execute(
                    update(ScriptBatch)
                    .where(ScriptBatch.order_id == order_id, ScriptBatch.batch_index == index)
                    .values(started_at=started_at, finished_at=started_at + 3_000 if started_at else None)
                )
            session.execute(
                update(ScriptOrder)
                .where(ScriptOrder.id == order_id)
                .values(status="PAUSED", current_batch_index=done + 1)
            )
    finally:
        db.dispose()


def line(label: str, result: Result) -> None:
    cpu = f"  server CPU {result.cpu_ms:.1f} ms/req" if result.cpu_ms is not None else ""
    print(
        f"  {label:<44} {result.rate:>7.0f} req/s  p50 {result.p50_ms:>6.1f} ms  p99 {result.p99_ms:>6.1f} ms{cpu}  "
        f"non-2xx {result.non_2xx}  socket errors {result.errors}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--hosts", type=int, default=1_000)
    args = parser.parse_args()
    wrk.require("bench/console.py")
    data_dir = Path(tempfile.mkdtemp(prefix="opencoc-bench-console-"))
    server = LiveServer(data_dir, None).start(timeout=60)
    try:
        database_url = f"sqlite:///{(data_dir / 'opencoc.db').resolve()}"
        started = time.monotonic()
        seed(database_url, args.incidents, args.hosts)
        print(f"console, SQLite: seeded {args.incidents} incidents (and as many alarms), {args.hosts} hosts, ", end="")
        print(f"{USERS} users in {time.monotonic() - started:.1f} s")
        cookies = [sign_in(server.url, f"user{n}") for n in range(USERS)]
        folder = Path(tempfile.mkdtemp(prefix="wrk-", dir=data_dir))
        listing = httpx.get(f"{server.url}/console/incidents", headers={"Cookie": cookies[0]})
        rows = listing.text.count('<a href="/console/incidents/IM')
        weight = len(listing.content)
        print(f"  incident list page weight: {weight:,} bytes of HTML ({rows} rows; static files excluded)")
        ceiling = measured(server, f"{server.url}/opencoc/health", folder, cookies, args.connections, 3)
        print(f"  {args.connections} connections, {USERS} signed-in users, {args.seconds:.0f} s each")
        line("ceiling: GET /opencoc/health (wrk)", ceiling)
        pages = ["/console/incidents", "/console/incidents?page=100", "/console/overview", "/console/alarms"]
        order = order_view_path(server, database_url)
        view = httpx.get(server.url + order, headers={"Cookie": cookies[0]})
        hosts = view.text.count(f'<a href="{order}/hosts/')
        print(f"  order view: {view.status_code}, {hosts} hosts, {len(view.content):,} bytes of HTML")
        pages.append(order)
        for path in pages:
            label = "GET /console/orders/{uuid} (200 hosts)" if path.startswith("/console/orders/") else f"GET {path}"
            line(label, measured(server, server.url + path, folder, cookies, args.connections, args.seconds))
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    exit_on_sigterm()
    main()
