"""Alarm ingest against a real `opencoc serve`, and the same alarms against a local Alertmanager.

    .venv/bin/python bench/alarms.py [--backend sqlite|postgres|all] [--seconds 10] [--connections 32]
                                     [--workers 1]

For each backend: 32 concurrent senders (wrk connections) POST /v1/event/huawei/custom/{key}
for --seconds in each phase:
- distinct:      every request a new alarmId, level Major (each alarm opens a P2 incident);
- distinct-info: every request a new alarmId, level Info (stored, no incident);
- repeats:       each sender cycles over 50 alarmIds, so nearly every request is a repeat of an
                 active alarm (count + 1 on the existing row).
Printed per phase: alarms/s, p50, p99, non-200 answers, and the database's count against the
acknowledged count (distinct: rows; repeats: the sum of `count`): lost = acknowledged - stored.
Alarms in flight when wrk stops may be stored without an acknowledgement (stored >= acknowledged).
The load generator's ceiling is wrk against GET /opencoc/health with the same connections.
Then the same alarms, as Alertmanager alerts (one per request), go to a local Alertmanager's
POST /api/v2/alerts (Debian package prometheus-alertmanager), and the ratio is printed. Alertmanager
keeps alerts in memory (snapshots every 15 minutes): its 200 is not a durable write, ours is.

Load comes from wrk (Debian package `wrk`); bodies are built in its Lua script per request.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import wrk  # noqa: E402
from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness import postgres  # noqa: E402
from harness.alertmanager import Alertmanager, binary  # noqa: E402
from harness.server import LiveServer  # noqa: E402
from opencoc.alarms.models import Alarm, Integration  # noqa: E402
from opencoc.auth.models import Tenant  # noqa: E402
from opencoc.core.db import Database  # noqa: E402

REPEAT_IDS = 50
LUA = r"""
function init(args)
  mode, run, repeats, level = args[1], args[2], tonumber(args[3]), args[4]
  n, ok, failed = 0, 0, 0
end
local CUSTOM = '{"alarmId":"%s","alarmName":"CPU usage above 90%%","alarmLevel":"%s","time":1709118444540,' ..
  '"nameSpace":"bench","regionId":"cn-north-4","applicationId":"bench-app","resourceName":"host-%d",' ..
  '"resourceId":"r-%d","alarmDesc":"cpu above 90%% for 5 minutes","URL":"https://monitor.example/a",' ..
  '"alarmStatus":"alarm","alarmSource":"bench","additional":{"rack":"r1"}}'
local ALERT = '[{"labels":{"alertname":"CPUHigh","severity":"%s","instance":"%s","job":"bench"},' ..
  '"annotations":{"description":"cpu above 90%% for 5 minutes"},"startsAt":"2024-02-28T11:07:24Z",' ..
  '"generatorURL":"https://monitor.example/a"}]'
function request()
  if mode == "health" then return wrk.format("GET", nil, nil, nil) end
  n = n + 1
  local id = string.format("%s-%d-%d", run, tid, repeats > 0 and (n % repeats) or n)
  local body
  if mode == "alertmanager" then
    body = string.format(ALERT, string.lower(level), id)
  else
    body = string.format(CUSTOM, id, level, tid, tid)
  end
  return wrk.format("POST", nil, {["Content-Type"] = "application/json"}, body)
end
"""


def run_wrk(url: str, folder: Path, args: list[str], connections: int, seconds: float) -> wrk.Counted:
    return wrk.run_counted(url, folder / "alarms.lua", LUA, args, connections, seconds)


def stored(database_url: str, integration_name: str, tenant_name: str) -> tuple[int, int]:
    """(rows, sum of count) of the integration's alarms."""
    db = Database(database_url)
    try:
        with db.read() as session:
            row = session.execute(
                select(func.count(Alarm.id), func.coalesce(func.sum(Alarm.count), 0))
                .join(Integration, Alarm.integration_id == Integration.id)
                .join(Tenant, Integration.tenant_id == Tenant.id)
                .where(Integration.name == integration_name, Tenant.name == tenant_name)
            ).one()
            return int(row[0]), int(row[1])
    finally:
        db.dispose()


def line(label: str, result: wrk.Counted, extra: str = "") -> None:
    print(
        f"  {label:<22} {result.rate:>7.0f} alarms/s  p50 {result.p50_ms:>6.1f} ms  p99 {result.p99_ms:>6.1f} ms  "
        f"non-200 {result.failed:>4}  socket errors {result.errors:>3}  {extra}"
    )


def run_backend(name: str, database_url: str | None, seconds: float, connections: int, workers: int) -> None:
    data_dir = Path(tempfile.mkdtemp(prefix=f"opencoc-bench-alarms-{name}-"))
    server = LiveServer(data_dir, database_url, workers=workers).start(timeout=60)
    folder = Path(tempfile.mkdtemp(prefix="wrk-", dir=data_dir))
    db_url = database_url or f"sqlite:///{data_dir / 'opencoc.db'}"
    tenant = "bench"
    server.cli("admin", "create-tenant", tenant, "--json")

    def integration(type_: str, label: str) -> str:
        out = server.cli("admin", "create-integration", "--tenant", tenant, "--name", label, "--type", type_, "--json")
        return f"{server.url}/v1/event/huawei/custom/{json.loads(out.stdout)['integration_key']}"

    try:
        print(
            f"\n== {name}: opencoc serve --workers {workers}, {connections} concurrent senders, {seconds:.0f} s/phase"
        )
        ceiling = run_wrk(f"{server.url}/opencoc/health", folder, ["health", "x", "0", "x"], connections, 3)
        print(f"  load generator ceiling (wrk, GET /opencoc/health): {ceiling.rate:.0f} req/s", end="")
        print(f", p99 {ceiling.p99_ms:.1f} ms")
        phases = [("distinct", "Major", 0), ("distinct-info", "Info", 0), ("repeats", "Major", REPEAT_IDS)]
        rates: dict[str, float] = {}
        for label, level, repeats in phases:
            url = integration("custom", label)
            result = run_wrk(url, folder, ["custom", label, str(repeats), level], connections, seconds)
            time.sleep(0.5)
            rows, total = stored(db_url, label, tenant)
            in_db = total if repeats else rows
            lost = max(0, result.ok - in_db)
            line(label, result, f"acknowledged {result.ok}  in DB {in_db}  lost {lost}")
            rates[label] = result.rate
        manager_rates = alertmanager(folder, connections, seconds)
        for label, rate in manager_rates.items():
            print(f"  opencoc / alertmanager ({label}): {rates[label] / rate:.2f}x")
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


def alertmanager(folder: Path, connections: int, seconds: float) -> dict[str, float]:
    """The same alarms as alerts to a local Alertmanager (webhook to a closed port, groups held for an hour)."""
    if binary() is None:
        print("  alertmanager: skipped (apt-get install prometheus-alertmanager)")
        return {}
    am_dir = folder / "alertmanager"
    am_dir.mkdir()
    manager = Alertmanager(am_dir, "http://127.0.0.1:9/none", group_wait="1h", group_interval="1h").start()
    rates = {}
    try:
        for label, level, repeats in (("distinct", "Major", 0), ("repeats", "Major", REPEAT_IDS)):
            url = f"{manager.url}/api/v2/alerts"
            result = run_wrk(url, folder, ["alertmanager", f"am-{label}", str(repeats), level], connections, seconds)
            line(f"alertmanager {label}", result, "(in memory, not durable)")
            rates[label] = result.rate
    finally:
        manager.stop()
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", choices=["sqlite", "postgres", "all"], default="all")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1, help="server worker processes")
    args = parser.parse_args()
    wrk.require("bench/alarms.py")
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.2f}")
    if args.backend in ("sqlite", "all"):
        run_backend("sqlite", None, args.seconds, args.connections, args.workers)
    if args.backend in ("postgres", "all"):
        if postgres.find_bindir() is None:
            print("\n== postgres: skipped (install Debian's postgresql package)")
            return
        pg = postgres.start()
        try:
            url = pg.create_database("opencoc_bench_alarms")
            run_backend("postgres", url, args.seconds, args.connections, args.workers)
        finally:
            pg.stop()


if __name__ == "__main__":
    exit_on_sigterm()
    main()
