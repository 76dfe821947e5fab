"""Ctrl+C on `make run` (`opencoc run-local`): the server and its agent stop at once, quietly."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.polling import wait_for
from harness.server import free_port, server_env
from opencoc.client.auth import SdkHmacAuth

pytestmark = pytest.mark.timeout(120)
STOP_WITHIN_S = 2.0
SERVING = "agent identity enrolled; serving"


def _agent_online(api: httpx.Client) -> Any:
    try:
        listed = api.get("/v1/resources", params={"provider": "ecs", "type": "cloudservers", "limit": 10})
    except httpx.TransportError:
        return None
    return listed.status_code == 200 and any(r["agent_state"] == "ONLINE" for r in listed.json()["data"])


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_run_local_within_two_seconds_without_a_traceback(tmp_path: Path) -> None:
    port = free_port()
    env = server_env(tmp_path, None, OPENCOC_HOST="127.0.0.1", OPENCOC_PORT=str(port))
    subprocess.run([sys.executable, "-m", "opencoc", "quickstart"], env=env, capture_output=True, check=True)
    profile = json.loads((tmp_path / "profile.json").read_text())
    output = tmp_path / "run-local.log"
    with output.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "opencoc", "run-local"], env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
    auth = SdkHmacAuth(profile["access_key"], profile["secret_key"])
    try:
        with httpx.Client(base_url=profile["endpoint"], auth=auth, timeout=10) as api:
            wait_for(lambda: _agent_online(api), "the local agent to be ONLINE", timeout=60)
        # The agent opens its task long-poll as it logs this; the poll then stays open for 25 s.
        wait_for(lambda: SERVING in output.read_text(errors="replace"), "the agent's long-poll", timeout=60)

        started = time.monotonic()
        os.killpg(proc.pid, signal.SIGINT)  # what a terminal's Ctrl+C does: the whole foreground group
        proc.wait(30)
        took = time.monotonic() - started
    finally:
        if _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)

    text = output.read_text(errors="replace")
    assert took < STOP_WITHIN_S, f"run-local took {took:.2f} s to stop:\n{text[-3000:]}"
    assert not _group_alive(proc.pid), "a process of run-local (server or agent) outlived it"
    assert "Traceback" not in text and "Exception in ASGI application" not in text, text[-5000:]
