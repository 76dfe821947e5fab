"""What a transaction's own round trips cost on PostgreSQL: a read and a one-statement write, with and without them.

    .venv/bin/python bench/pg_round_trips.py [--calls 2000] [--rounds 3] [--busy 0]

On a throwaway PostgreSQL (harness/postgres.py), through `core/db.Database` as the server uses it, alternating
for --rounds: a read of one row in a read transaction (BEGIN, SELECT, COMMIT: what `run_read` did before) and
in autocommit (`run_read` now), and a one-row UPDATE in a write transaction (`run_write`) and in autocommit
(`run_statement`, an agent's hand-out). Printed: p50/p99 per call in microseconds, one caller at a time.
`--busy N` runs N processes spinning on the CPU meanwhile: under load each round trip waits for the
database's process to be scheduled, which is where the round trips cost most (bench/fanout.py).
"""

import argparse
import asyncio
import multiprocessing
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness import postgres  # noqa: E402
from opencoc.core.db import Database  # noqa: E402

READ = text("SELECT v FROM counters WHERE id = 1")
WRITE = text("UPDATE counters SET v = v + 1 WHERE id = 1")


def _spin() -> None:
    while True:
        pass


def _read(session: Session) -> Any:
    return session.execute(READ).scalar()


def _write(session: Session) -> Any:
    return session.execute(WRITE).rowcount  # type: ignore[attr-defined]


def _read_in_transaction(db: Database) -> Callable[[], Any]:
    """A read in BEGIN ... COMMIT (the write engine's sessions), as reads ran before, off the loop like `run_read`."""

    def read() -> Any:
        with db.write() as session:
            return _read(session)

    return lambda: asyncio.to_thread(read)


async def _timed(call: Callable[[], Any], calls: int) -> list[float]:
    took: list[float] = []
    for _ in range(calls):
        started = time.perf_counter()
        result = call()
        if asyncio.iscoroutine(result):
            await result
        took.append((time.perf_counter() - started) * 1e6)
    return took


async def _rounds(db: Database, calls: int, rounds: int) -> dict[str, list[float]]:
    ways: dict[str, Callable[[], Any]] = {
        "read in a transaction": _read_in_transaction(db),
        "read in autocommit (run_read)": lambda: db.run_read(_read),
        "write in a transaction (run_write)": lambda: db.run_write(_write),
        "write in autocommit (run_statement)": lambda: db.run_statement(_write),
    }
    medians: dict[str, list[float]] = {name: [] for name in ways}
    for n in range(rounds):
        for name, call in ways.items():
            took = sorted(await _timed(call, calls))
            medians[name].append(statistics.median(took))
            p50, p99 = statistics.median(took), took[int(len(took) * 0.99)]
            print(f"  round {n + 1} {name}: p50 {p50:.0f} us, p99 {p99:.0f} us")
    return medians


def main() -> None:
    exit_on_sigterm()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--busy", type=int, default=0, help="processes spinning on the CPU meanwhile")
    opts = parser.parse_args()
    pg = postgres.start()
    spinners = [multiprocessing.Process(target=_spin, daemon=True) for _ in range(opts.busy)]
    try:
        db = Database(pg.create_database("round_trips"))
        with db.write() as session:
            session.execute(text("CREATE TABLE counters (id int PRIMARY KEY, v bigint NOT NULL)"))
            session.execute(text("INSERT INTO counters VALUES (1, 0)"))
        for spinner in spinners:
            spinner.start()
        print(f"PostgreSQL, one caller, {opts.calls} calls per way and round, {opts.busy} busy process(es) beside")
        medians = asyncio.run(_rounds(db, opts.calls, opts.rounds))
        for name, values in medians.items():
            print(f"{name}: median of the rounds' p50 {statistics.median(values):.0f} us")
        db.dispose()
    finally:
        for spinner in spinners:
            spinner.terminate()
        pg.stop()


if __name__ == "__main__":
    main()
