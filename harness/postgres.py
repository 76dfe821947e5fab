"""A throwaway PostgreSQL server for the test session, from Debian's binaries.

OPENCOC_TEST_POSTGRES: `required` (CI: failing to start is an error), `off` (skip), or unset
(start it when the binaries are there, skip the PostgreSQL runs otherwise).
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass

from harness.polling import wait_for


@dataclass
class PgServer:
    port: int
    datadir: str
    bindir: str
    run_as: str | None

    def url(self, dbname: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{dbname}"

    def create_database(self, dbname: str) -> str:
        self._run(
            [
                "psql",
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "postgres",
                "-q",
                "-c",
                f'CREATE DATABASE "{dbname}"',
            ]
        )
        return self.url(dbname)

    def stop(self) -> None:
        self._run(["pg_ctl", "-D", self.datadir, "-m", "immediate", "stop"], check=False)
        shutil.rmtree(self.datadir, ignore_errors=True)

    def _run(self, argv: list[str], check: bool = True) -> None:
        cmd = [os.path.join(self.bindir, argv[0]), *argv[1:]]
        if self.run_as:
            cmd = ["runuser", "-u", self.run_as, "--", *cmd]
        subprocess.run(cmd, check=check, capture_output=True, timeout=120)


def mode() -> str:
    return os.environ.get("OPENCOC_TEST_POSTGRES", "auto").lower()


def find_bindir() -> str | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "pg_ctl")):
            return candidate
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start() -> PgServer:
    """initdb + pg_ctl start on a free loopback port (as `postgres` when we are root)."""
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError("PostgreSQL binaries not found under /usr/lib/postgresql/*/bin")
    run_as = "postgres" if os.geteuid() == 0 else None
    datadir = tempfile.mkdtemp(prefix="opencoc-pg-")
    if run_as:
        pw = pwd.getpwnam(run_as)
        os.chown(datadir, pw.pw_uid, pw.pw_gid)
    server = PgServer(_free_port(), datadir, bindir, run_as)
    server._run(["initdb", "-D", datadir, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"])
    opts = (
        f"-p {server.port} -k {datadir} -c listen_addresses=127.0.0.1 -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off -c max_connections=400"
    )
    server._run(["pg_ctl", "-D", datadir, "-o", opts, "-w", "-l", os.path.join(datadir, "log"), "start"])
    wait_for(lambda: _accepts(server.port), f"PostgreSQL to accept connections on port {server.port}")
    return server


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True
