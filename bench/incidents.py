"""Incident throughput against a real `opencoc serve`: create, then accept -> commit -> confirm.

    .venv/bin/python bench/incidents.py [--backend sqlite|postgres|all] [--clients 1,16,64] [--seconds 8]
                                        [--assign person|scene]

For each backend (PostgreSQL when Debian's binaries are installed) and each client count C:
1. create phase: C signed clients POST /v1/external/incident/create for --seconds;
2. handle phase: the incidents just created are shared out among the C clients, and each client
   walks its own incidents through acceptedIncident1 -> commitSolution1 -> confirm, in order.
`--assign scene` creates them by on-call scene and role (a weekly rotation of four users, resolved
at each create) instead of naming a person.
Printed: req/s, p50 and p99 latency, non-200 answers, server RSS (idle, and the peak under load),
and the load generator's own ceiling (the same client count against GET /opencoc/health).

Load comes from wrk (Debian package `wrk`) with one connection per wrk thread, so that each client
sends its own requests in order; requests are signed beforehand (SDK-HMAC-SHA256, valid 15 min).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness import postgres  # noqa: E402
from harness.server import LiveServer  # noqa: E402
from opencoc.auth import service as auth_service  # noqa: E402
from opencoc.auth import signature  # noqa: E402
from opencoc.auth.models import Tenant  # noqa: E402
from opencoc.core.db import Database  # noqa: E402
from opencoc.incidents.models import Incident  # noqa: E402
from opencoc.oncall import service as oncall  # noqa: E402
from opencoc.oncall.schemas import RoleBody, RotationBody, SceneBody  # noqa: E402

SIGNED = ["content-type", "host", "x-sdk-date"]
OPERATOR = "u-bench-oncall"
LUA = r"""
local counter, threads = 0, {}
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function init(args)
  local list = dofile(args[1] .. "/thread_" .. ((id - 1) % tonumber(args[2]) + 1) .. ".lua")
  reqs, i, answered, failed = {}, 0, 0, 0
  for k, r in ipairs(list) do reqs[k] = wrk.format(r[1], r[2], r[3], r[4]) end
  once, total = args[3] == "once", #reqs
  -- wrk calls request() once on the first thread to probe it and drops the answer: feed it a spare
  if id == 1 then table.insert(reqs, 1, reqs[1]) end
end
function request()
  i = i + 1
  if i > #reqs then i = once and #reqs or 1 end
  return reqs[i]
end
function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then failed = failed + 1 end
  if once and answered >= total then wrk.thread:stop() end
end
function done(summary, latency, requests)
  local failures = 0
  for _, t in ipairs(threads) do failures = failures + t:get("failed") end
  io.write(string.format("RESULT %d %d %d %d %d\n", summary.requests, summary.duration, failures,
    latency:percentile(50), latency:percentile(99)))
end
"""


def _lua_string(text: str) -> str:
    return "[==[" + text + "]==]"


def _signed(key: dict[str, str], host: str, method: str, path: str, body: bytes) -> dict[str, str]:
    headers = {
        "Content-Type": "application/json",
        "Host": host,
        "X-Sdk-Date": time.strftime(signature.DATE_FORMAT, time.gmtime()),
    }
    lower = {k.lower(): v for k, v in headers.items()}
    sig = signature.signature(key["secret_key"], signature.string_to_sign(method, path, "", lower, SIGNED, body))
    headers["Authorization"] = signature.authorization_header(key["access_key"], SIGNED, sig)
    return headers


def _write_thread_files(folder: Path, lists: list[list[tuple[str, str, dict[str, str], bytes]]]) -> None:
    for index, requests in enumerate(lists, 1):
        items = []
        for method, path, headers, body in requests:
            lua_headers = ",".join(f"[ {_lua_string(k)} ]={_lua_string(v)}" for k, v in headers.items())
            items.append(
                f"{{{_lua_string(method)},{_lua_string(path)},{{{lua_headers}}},{_lua_string(body.decode())}}}"
            )
        (folder / f"thread_{index}.lua").write_text("return {" + ",\n".join(items) + "}\n")


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def _peak_rss(pid: int) -> Iterator[list[float]]:
    """[peak RSS in MB, server CPU in % of one core] over the block."""
    peak = [0.0, 0.0]
    started, cpu = time.monotonic(), _cpu_seconds(pid)
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_mb(pid))
            stop.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield peak
    finally:
        stop.set()
        sampler.join()
        peak[1] = 100 * (_cpu_seconds(pid) - cpu) / (time.monotonic() - started)


def _wrk(url: str, folder: Path, threads: int, lists: int, mode: str, seconds: float) -> dict[str, float]:
    script = folder / "bench.lua"
    script.write_text(LUA)
    argv = ["wrk", "-t", str(threads), "-c", str(threads), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s"]
    argv += ["-s", str(script), url, "--", str(folder), str(lists), mode]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    requests, duration_us, failed, p50, p99 = (int(x) for x in line.split()[1:])
    return {
        "rps": requests / (duration_us / 1e6),
        "requests": requests,
        "failed": failed,
        "p50": p50 / 1000,
        "p99": p99 / 1000,
    }


def _tenant(server: LiveServer, name: str) -> dict[str, str]:
    server.cli("admin", "create-tenant", name, "--json")
    return json.loads(server.cli("admin", "create-key", "--tenant", name, "--json").stdout)  # type: ignore[no-any-return]


def _define_scene(database_url: str, tenant: str) -> None:
    """Scene "bench" whose role "primary" rotates weekly through four users (what --assign scene resolves)."""
    db = Database(database_url)
    try:
        with db.write() as session:
            caller = auth_service.shell_caller(session, tenant_name=tenant)
            oncall.create_scene(session, caller=caller, body=SceneBody(name="bench"))
            rotation = RotationBody(kind="weekly", users=[f"u-bench-{i}" for i in range(4)], time_zone="Europe/Berlin")
            oncall.put_role(
                session, caller=caller, scene="bench", role="primary", body=RoleBody(level=1, rotation=rotation)
            )
    finally:
        db.dispose()


def _create_body(index: int, assign: str = "person") -> bytes:
    body: dict[str, object] = {
        "incident_level": "level_30",
        "is_service_interrupt": "false",
        "incident_type": "inc_type_p_function_issues",
        "incident_title": f"bench incident {index}",
        "incident_description": "created by bench/incidents.py",
        "incident_source": "incident_source_manual",
        "current_cloud_service": ["bench-app"],
        "incident_assignee": [OPERATOR],
        "creator": "u-bench-creator",
    }
    if assign == "scene":
        body.update(incident_assignee=[], assignee_scene="bench", assignee_role="primary")
    return json.dumps(body).encode()


def _handle_requests(key: dict[str, str], host: str, num: str) -> list[tuple[str, str, dict[str, str], bytes]]:
    path = "/v1/external/incident/handle"
    steps = [
        ("acceptedIncident1", {}),
        (
            "commitSolution1",
            {"mtm_type": "inc_type_p_config_issues", "is_service_interrupt": False, "cause": "c", "solution": "s"},
        ),
        ("confirm", {"virtual_confirm_result": True, "virtual_confirm_comment": "ok"}),
    ]
    out = []
    for operate_key, parameter in steps:
        body = json.dumps(
            {"incident_num": num, "operator": OPERATOR, "operate_key": operate_key, "parameter": parameter}
        ).encode()
        out.append(("POST", path, _signed(key, host, "POST", path, body), body))
    return out


def _triggered(database_url: str, tenant: str) -> list[str]:
    db = Database(database_url)
    try:
        with db.read() as session:
            tenant_id = session.scalar(select(Tenant.id).where(Tenant.name == tenant))
            query = select(Incident.incident_num).where(
                Incident.tenant_id == tenant_id, Incident.status == "INCIDENT_STATUS_TRIGGERED"
            )
            return list(session.scalars(query))
    finally:
        db.dispose()


def _row(label: str, clients: int, result: dict[str, float], usage: list[float]) -> None:
    print(
        f"  {label:<8} {clients:>3} clients  {result['rps']:>8.0f} req/s  p50 {result['p50']:>6.1f} ms  "
        f"p99 {result['p99']:>6.1f} ms  non-200 {int(result['failed']):>5}  "
        f"server RSS peak {usage[0]:>4.0f} MB  server CPU {usage[1]:>4.0f}%"
    )


def run_backend(name: str, database_url: str | None, clients: list[int], seconds: float, assign: str) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix=f"opencoc-bench-{name}-"))
    server = LiveServer(data_dir, database_url).start()
    try:
        assert server.proc is not None
        pid = server.proc.pid
        url = server.url
        host = url.removeprefix("http://")
        db_url = database_url or f"sqlite:///{data_dir / 'opencoc.db'}"
        time.sleep(1)
        print(f"\n== {name}: server pid {pid}, idle RSS {_rss_mb(pid):.0f} MB")
        for count in clients:
            folder = Path(tempfile.mkdtemp(prefix="wrk-", dir=data_dir))
            _write_thread_files(folder, [[("GET", "/opencoc/health", {"Host": host}, b"")]])
            ceiling = _wrk(url, folder, count, 1, "loop", 3)
            print(f"  load generator ceiling ({count} clients, GET /opencoc/health): {ceiling['rps']:.0f} req/s")

            tenant = f"bench{count}x{int(time.time())}"
            key = _tenant(server, tenant)
            if assign == "scene":
                _define_scene(db_url, tenant)
            path = "/v1/external/incident/create"
            creates = []
            for index in range(count):
                body = _create_body(index, assign)
                creates.append([("POST", path, _signed(key, host, "POST", path, body), body)])
            _write_thread_files(folder, creates)
            with _peak_rss(pid) as peak:
                created = _wrk(url, folder, count, count, "loop", seconds)
            _row("create", count, created, peak)

            nums = _triggered(db_url, tenant)
            lists: list[list[tuple[str, str, dict[str, str], bytes]]] = [[] for _ in range(count)]
            for index, num in enumerate(nums):
                lists[index % count] += _handle_requests(key, host, num)
            _write_thread_files(folder, lists)
            with _peak_rss(pid) as peak:
                handled = _wrk(url, folder, count, count, "once", seconds)
            _row("handle", count, handled, peak)
            if handled["requests"] >= 3 * len(nums):
                print("  (every incident was walked through before the end: the handle figure is a lower bound)")
            left = len(_triggered(db_url, tenant))
            print(
                f"  cycles: {len(nums)} incidents created, {len(nums) - left} walked to COMPLETED "
                f"({handled['rps'] / 3:.0f} cycles/s)"
            )
            shutil.rmtree(folder, ignore_errors=True)
        time.sleep(2)
        print(f"  RSS after load, idle: {_rss_mb(pid):.0f} MB")
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--clients", default="1,16,64", help="comma-separated client counts")
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each create phase")
    parser.add_argument("--assign", choices=["person", "scene"], default="person", help="assign by person or scene")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench/incidents.py needs wrk: sudo apt-get install wrk")
    clients = [int(c) for c in args.clients.split(",")]
    if args.backend in ("sqlite", "all"):
        run_backend("sqlite", None, clients, args.seconds, args.assign)
    if args.backend in ("postgres", "all"):
        if postgres.find_bindir() is None:
            print("\n== postgres: skipped (install Debian's postgresql package)")
            return
        pg = postgres.start()
        try:
            run_backend("postgres", pg.create_database("opencoc_bench"), clients, args.seconds, args.assign)
        finally:
            pg.stop()


if __name__ == "__main__":
    exit_on_sigterm()
    main()
