""" "Who is on call" latency in-process: 1,000 scenes (each with primary and secondary), one call each.

    .venv/bin/python bench/oncall.py [--scenes 1000] [--calls 20000] [--overrides 3]

A throwaway SQLite database gets a tenant with --scenes scenes; the primary of each is a weekly
rotation of four users in Europe/Berlin, the secondary a daily one in America/New_York, and each
primary has --overrides overrides (one covering the instant asked about). Each call is one
`oncall.service.who_is_on_call(session, ...)` on an open read session at a random scene, role and
instant in the coming 14 days. Printed: p50, p99 and max per call, in microseconds, of wall-clock
time and of the thread's CPU time (which leaves out waits for a CPU on a busy machine); the
issue's target is p99 <= 1 ms.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from opencoc.auth import service as auth_service  # noqa: E402
from opencoc.core import migrate  # noqa: E402
from opencoc.core.clock import now_ms  # noqa: E402
from opencoc.core.db import Database  # noqa: E402
from opencoc.oncall import service  # noqa: E402
from opencoc.oncall.schemas import OverrideBody, RoleBody, RotationBody, SceneBody  # noqa: E402

DAY = 86_400_000


def populate(db: Database, scenes: int, overrides: int, at: int) -> int:
    with db.write() as session:
        tenant = auth_service.create_tenant(session, name="bench")
        caller = auth_service.shell_caller(session, tenant_name="bench")
        for i in range(scenes):
            name = f"scene-{i}"
            service.create_scene(session, caller=caller, body=SceneBody(name=name, escalation_delay_seconds=300))
            weekly = RotationBody(kind="weekly", users=[f"u{i}-{k}" for k in range(4)], time_zone="Europe/Berlin")
            daily = RotationBody(kind="daily", users=[f"v{i}-{k}" for k in range(3)], time_zone="America/New_York")
            service.put_role(
                session, caller=caller, scene=name, role="primary", body=RoleBody(level=1, rotation=weekly)
            )
            service.put_role(
                session, caller=caller, scene=name, role="secondary", body=RoleBody(level=2, rotation=daily)
            )
            for k in range(overrides):
                start = at + (k - 1) * DAY
                body = OverrideBody(user_id=f"o{i}-{k}", start_ms=start, end_ms=start + DAY // 2)
                service.add_override(session, caller=caller, scene=name, role="primary", body=body)
        return tenant.id


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenes", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=20_000)
    parser.add_argument("--overrides", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/bench.db")
        migrate.upgrade(db)
        at = now_ms()
        tenant_id = populate(db, args.scenes, args.overrides, at)
        rng = random.Random(13)
        asks = [
            (f"scene-{rng.randrange(args.scenes)}", rng.choice(("primary", "secondary")), at + rng.randrange(14 * DAY))
            for _ in range(args.calls)
        ]
        wall: list[float] = []
        cpu: list[float] = []
        found = 0
        with db.read() as session:
            for scene, role, when in asks:
                start, start_cpu = time.perf_counter(), time.thread_time()
                user = service.who_is_on_call(session, tenant_id=tenant_id, scene=scene, role=role, at_ms=when)
                cpu.append((time.thread_time() - start_cpu) * 1e6)
                wall.append((time.perf_counter() - start) * 1e6)
                found += user is not None
        print(f"who_is_on_call: {args.scenes} scenes x 2 roles, {args.calls} calls, {found} answered with a user")
        for label, took in (("wall", wall), ("cpu", cpu)):
            took.sort()
            p50, p99 = statistics.median(took), took[int(len(took) * 0.99) - 1]
            print(f"{label:>4}: p50 {p50:.0f} us  p99 {p99:.0f} us  max {took[-1]:.0f} us  (target p99 <= 1000 us)")
        db.write_engine.dispose()


if __name__ == "__main__":
    main()
