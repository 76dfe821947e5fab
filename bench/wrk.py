"""wrk (Debian package `wrk`), the load generator of the HTTP benchmarks: run a Lua script that prints one
`RESULT <integers>` line in its `done()`, and read that line and wrk's own CPU time."""

import resource
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


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
