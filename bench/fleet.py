"""Shared by the agent benchmarks: a signed tenant, simulated fleets, their resources, a process's CPU and RSS."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from harness.server import LiveServer
from opencoc.client.auth import SdkHmacAuth

TICKS = os.sysconf("SC_CLK_TCK")


def start_agents(server: LiveServer, token: str, state_dir: Path, *extra: str) -> subprocess.Popen[bytes]:
    """`opencoc agent` enrolled with `token` (add `--simulate N` for a fleet); it logs to STATE_DIR.log."""
    argv = [sys.executable, "-m", "opencoc", "agent", "--server", server.url, "--state-dir", str(state_dir)]
    log = open(state_dir.with_suffix(".log"), "ab")  # noqa: SIM115
    return subprocess.Popen(
        [*argv, "--token", token, "--log-level", "WARNING", *extra],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def resources(api: httpx.Client) -> Iterator[dict[str, Any]]:
    """Every host resource of the tenant, page by page."""
    marker = None
    while True:
        params: dict[str, Any] = {"provider": "ecs", "type": "cloudservers", "limit": 100}
        if marker:
            params["marker"] = marker
        page = api.get("/v1/resources", params=params).json()["data"]
        yield from page
        if len(page) < 100:
            return
        marker = page[-1]["id"]


def online(api: httpx.Client) -> int:
    return sum(1 for item in resources(api) if item["agent_state"] == "ONLINE")


def tenant_api(server: LiveServer, name: str) -> httpx.Client:
    """A client signed as the admin of a new tenant `name` (made with the admin CLI)."""
    server.cli("admin", "create-tenant", name, "--json")
    key = json.loads(server.cli("admin", "create-key", "--tenant", name, "--json").stdout)
    return httpx.Client(base_url=server.url, auth=SdkHmacAuth(key["access_key"], key["secret_key"]), timeout=60)


def wait_online(api: httpx.Client, count: int, timeout: float, fleet: subprocess.Popen[bytes] | None = None) -> None:
    """Return once `count` agents are ONLINE; exit if the fleet process ends or time runs out first."""
    deadline = time.monotonic() + timeout
    while online(api) < count:
        if fleet is not None and fleet.poll() is not None:
            sys.exit(f"the agent process exited with status {fleet.returncode}")
        if time.monotonic() > deadline:
            sys.exit(f"{count} agents were not ONLINE within {timeout:.0f} s")
        time.sleep(1)


def create_script(api: httpx.Client, name: str, content: str, description: str) -> str:
    """A LOW-risk SHELL script of the api's tenant (approved as created) -> its script_uuid."""
    script = {
        "name": name, "type": "SHELL", "content": content, "description": description,
        "properties": {"risk_level": "LOW", "version": "1"},
    }  # fmt: skip
    answer = api.post("/v1/job/scripts", json=script)
    answer.raise_for_status()
    return str(answer.json()["data"])


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def family_cpu_seconds(pid: int) -> float:
    """CPU of a process, its children that ended (as it reaped them) and its children alive: a PostgreSQL
    postmaster and its backends."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    total = sum(int(fields[k]) for k in (11, 12, 13, 14)) / TICKS
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            child = stat.read_text().rpartition(")")[2].split()
        except OSError:  # ended meanwhile
            continue
        if int(child[1]) == pid:
            total += (int(child[11]) + int(child[12])) / TICKS
    return total


def postmaster_pid(datadir: str) -> int:
    """The pid of the PostgreSQL server running on `datadir` (the first line of its postmaster.pid)."""
    return int(Path(datadir, "postmaster.pid").read_text().split()[0])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0
