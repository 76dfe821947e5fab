"""The admin CLI writes to the SQLite file of a running server under write load: nobody waits on a lock error.

The server's writes go through its group committer, which holds the writers' file lock per
batch; the CLI is another process and takes the same lock for its transaction
(core/group_commit.py), so both take turns instead of failing with `database is locked`.
"""

import json
import subprocess
import sys
import threading
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text

from harness.polling import wait_for
from harness.server import LiveServer
from opencoc.client.auth import SdkHmacAuth
from tests.api.incidents.helpers import CREATE, create_body

pytestmark = pytest.mark.timeout(240)
SENDERS = 4
CLI_ROUNDS = 2
CLI_AT_ONCE = 3


class Load:
    """Threads creating incidents as fast as the server answers, until stopped."""

    def __init__(self, server: LiveServer, auth: SdkHmacAuth) -> None:
        self.server, self.auth = server, auth
        self.stop = threading.Event()
        self.created: list[str] = []
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._send, daemon=True) for _ in range(SENDERS)]

    def _send(self) -> None:
        with httpx.Client(base_url=self.server.url, auth=self.auth, timeout=30) as http:
            while not self.stop.is_set():
                resp = http.post(CREATE, json=create_body())
                if resp.status_code == 200:
                    self.created.append(resp.json()["data"]["incident_num"])
                else:
                    self.failures.append(f"{resp.status_code} {resp.text[:200]}")

    def __enter__(self) -> "Load":
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(60)


def _create_users(server: LiveServer, tenant: str, names: list[str]) -> list[subprocess.CompletedProcess[str]]:
    """`opencoc admin create-user` for each name, CLI_AT_ONCE processes at a time (a password: a slow write)."""
    done = []
    for start in range(0, len(names), CLI_AT_ONCE):
        procs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "opencoc",
                    "admin",
                    "create-user",
                    "--tenant",
                    tenant,
                    "--user",
                    name,
                    "--password",
                    f"pw-{name}",
                ],
                env=server.env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )  # fmt: skip
            for name in names[start : start + CLI_AT_ONCE]
        ]
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def test_admin_cli_writes_beside_a_loaded_server_lose_nothing_and_never_see_a_locked_database(tmp_path: Path) -> None:
    server = LiveServer(tmp_path, None).start()
    try:
        server.cli("admin", "create-tenant", "busy", "--json")
        issued = json.loads(server.cli("admin", "create-key", "--tenant", "busy", "--json").stdout)
        auth = SdkHmacAuth(issued["access_key"], issued["secret_key"])
        names = [f"cli-user-{i}" for i in range(CLI_ROUNDS * CLI_AT_ONCE)]
        with Load(server, auth) as load:
            wait_for(lambda: len(load.created) >= 20, "the server to be under write load")
            results = _create_users(server, "busy", names)
            during = len(load.created)
        assert during > 20, "the load ended before the CLI ran"

        for result in results:
            assert result.returncode == 0, f"{result.args}: {result.stdout}\n{result.stderr}"
            assert "database is locked" not in result.stderr.lower(), result.stderr
        assert not load.failures, load.failures[:5]

        engine = create_engine(f"sqlite:///{tmp_path / 'opencoc.db'}")
        with engine.connect() as conn:
            users = set(conn.scalars(text("SELECT name FROM users WHERE name LIKE 'cli-user-%'")))
            incidents = set(conn.scalars(text("SELECT incident_num FROM incidents")))
        engine.dispose()
        assert users == set(names), "an admin CLI write was lost"
        assert set(load.created) <= incidents, "an acknowledged incident was lost"
        assert "database is locked" not in server.log_tail().lower()
    finally:
        server.stop()
