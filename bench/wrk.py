"""wrk (Debian package `wrk`), the load generator of the HTTP benchmarks: run a Lua script that prints one
`RESULT <integers>` line in its `done()`, and read that line and wrk's own CPU time. `run_counted`
adds the usual end to a script that defines only `init` (setting `ok, failed = 0, 0`) and `request`:
each thread's `tid`, answers counted as 200 or not, and requests, rate, p50/p99 in the result."""

import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

COUNTED = r"""
local counter, threads = 0, {}
function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 else failed = failed + 1 end
end
function done(summary, latency, requests)
  local o, f = 0, 0
  for _, t in ipairs(threads) do o = o + t:get("ok"); f = f + t:get("failed") end
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d %d\n", summary.requests, summary.duration, o, f,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class Counted:
    requests: int
    seconds: float  # how long wrk ran
    rate: float  # 200 answers per second
    ok: int
    failed: int  # answers other than 200
    errors: int  # socket errors
    p50_ms: float
    p99_ms: float
    cpu_s: float  # wrk's own CPU time


@dataclass
class Run:
    numbers: list[int]  # the RESULT line's integers, in the script's order
    cpu_s: float  # wrk's own CPU time (user + system)


def require(program: str) -> None:
    if shutil.which("wrk") is None:
        sys.exit(f"{program} needs wrk: apt-get install wrk")


def run(url: str, script: Path, args: list[str], connections: int, seconds: float) -> Run:
    """`script` on `url` for `seconds` over `connections` (two threads), `args` after `--`."""
    argv = ["wrk", "-t", str(min(2, connections)), "-c", str(connections), "-d", f"{max(1, round(seconds))}s"]
    argv += ["--timeout", "10s", "-s", str(script), url, "--", *args]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 120)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    line = next((ln for ln in out.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Run([int(x) for x in line.split()[1:]], cpu)


def run_counted(url: str, script: Path, lua: str, args: list[str], connections: int, seconds: float) -> Counted:
    """`lua` (its `init` and `request`) with the counting end, written to `script`, run as `run` does."""
    script.write_text(COUNTED + lua)
    result = run(url, script, args, connections, seconds)
    requests, duration_us, ok, failed, errors, p50, p99 = result.numbers
    elapsed = duration_us / 1e6
    return Counted(requests, elapsed, ok / elapsed, ok, failed, errors, p50 / 1000, p99 / 1000, result.cpu_s)
