"""What the request-head limits cost: the same server with uvicorn's plain httptools protocol and with ours.

    .venv/bin/python bench/http_limits.py [--seconds 5] [--rounds 3] [--connections 16]

`opencoc serve` runs uvicorn with `core/http_limits.LimitedHttpToolsProtocol` (bounded heads,
head and body deadlines). This starts the same app (SQLite) under uvicorn twice, once with
uvicorn's `HttpToolsProtocol` ("plain", what ran before the limits) and once with ours
("limited"), alternating for --rounds, and drives GET /opencoc/health (the cheapest route, so the
guard's share is as large as it can be) with wrk: a small head, and a 4 KB head (40 extra
headers). Printed: req/s and p99 of each run, and the median of each side. wrk itself is the load
generator; the plain server's figure is the ceiling the limited one is compared with.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.sigterm import exit_on_sigterm  # noqa: E402
from harness.server import free_port, server_env, wait_ready  # noqa: E402

SERVE = """
import sys, uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from opencoc.core.http_limits import LimitedHttpToolsProtocol
protocol = LimitedHttpToolsProtocol if sys.argv[2] == "limited" else HttpToolsProtocol
uvicorn.run("opencoc.app:served_app", factory=True, host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning", access_log=False, loop="uvloop", http=protocol)
"""
BIG_HEAD = [f"X-Filler-{i}: {'v' * 90}" for i in range(40)]


def wrk(url: str, connections: int, seconds: int, headers: list[str]) -> tuple[float, float]:
    """(req/s, p99 ms) of wrk on `url`."""
    argv = ["wrk", "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    for header in headers:
        argv += ["-H", header]
    out = subprocess.run(argv, capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    value, unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
    return rate, float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def measure(protocol: str, args: argparse.Namespace) -> dict[str, tuple[float, float]]:
    data_dir = Path(tempfile.mkdtemp(prefix=f"opencoc-bench-http-{protocol}-"))
    port = free_port()
    log = data_dir / "server.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port), protocol],
            env=server_env(data_dir, None), stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    url = f"http://127.0.0.1:{port}/opencoc/health"
    try:
        wait_ready(proc, url, f"{protocol} server", lambda: log.read_text()[-2000:], 60)
        wrk(url, args.connections, 1, [])  # warm-up
        return {
            "small head": wrk(url, args.connections, args.seconds, []),
            "4 KB head": wrk(url, args.connections, args.seconds, BIG_HEAD),
        }
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(f"GET /opencoc/health, wrk {args.connections} connections, {args.seconds} s per run, SQLite")
    print(f"machine load before: {os.getloadavg()[0]:.2f}")
    runs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for round_ in range(args.rounds):
        for protocol in ("plain", "limited") if round_ % 2 == 0 else ("limited", "plain"):
            for head, figure in measure(protocol, args).items():
                runs.setdefault((protocol, head), []).append(figure)
                rate, p99 = figure
                print(f"  round {round_ + 1} {protocol:<8} {head:<10} {rate:>8.0f} req/s  p99 {p99:>6.2f} ms")
    print("medians:")
    for head in ("small head", "4 KB head"):
        plain = statistics.median(r for r, _ in runs[("plain", head)])
        limited = statistics.median(r for r, _ in runs[("limited", head)])
        p99s = [statistics.median(p for _, p in runs[(side, head)]) for side in ("plain", "limited")]
        print(
            f"  {head:<10} plain {plain:>8.0f} req/s (p99 {p99s[0]:.2f} ms)  limited {limited:>8.0f} req/s "
            f"(p99 {p99s[1]:.2f} ms)  ratio {limited / plain:.3f}"
        )
    print(f"machine load after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    exit_on_sigterm()
    main()
